"""Benchmark: ranked wishes in a matching run (issue #16, item 1, the web part).

Prints CPU seconds (``time.process_time``, this process only: the database server's own work
is not counted, so the machine's other load does not move the figures much) for
``applicant_profiles`` without wishes and with 5 wishes per mentee (the one extra query), and
for a whole run (``services.matching.run``) with objective "score" and "wishes".

    python bench/bench_wishes.py [MENTEES MENTORS]    (default 2,000 x 600)

On SQLite in a temporary file, or on BENCH_DATABASE_URL when set.
"""

from __future__ import annotations

import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bench_pairs  # noqa: E402
from bench_pairs import cpu  # noqa: E402
from bench_runtime import _app  # noqa: E402
from sqlalchemy import delete, insert, select, update  # noqa: E402

from mentoring.extensions import db  # noqa: E402
from mentoring.models import (  # noqa: E402
    Enrolment,
    MatchingRun,
    MentorWish,
    Programme,
    Role,
    User,
)
from mentoring.services import Refused, matching  # noqa: E402
from mentoring.services.scope import Scope  # noqa: E402


def main() -> None:
    import os

    mentees, mentors = (int(x) for x in sys.argv[1:3]) if len(sys.argv) > 2 else (2000, 600)
    bench_pairs.MENTEES, bench_pairs.MENTORS = mentees, mentors
    url = os.environ.get("BENCH_DATABASE_URL") or (
        "sqlite:///" + tempfile.mkdtemp() + "/wishes.sqlite")
    app = _app(url)
    with app.app_context():
        db.create_all()
        programme = db.session.get(Programme, bench_pairs.populate())
        admin = db.session.scalar(select(User).where(User.is_admin))
        rng = random.Random(5)
        mentor_ids = db.session.scalars(select(Enrolment.id).where(
            Enrolment.role == Role.MENTOR)).all()
        mentee_ids = db.session.scalars(select(Enrolment.id).where(
            Enrolment.role == Role.MENTEE)).all()
        db.session.commit()
        plain, _ = cpu(lambda: matching.applicant_profiles(programme), 3)
        db.session.execute(update(Enrolment).where(Enrolment.role == Role.MENTOR)
                           .values(listed=True))
        # Popular mentors: wishes drawn from the first third, as real cohorts crowd.
        popular = mentor_ids[: max(5, len(mentor_ids) // 3)]
        db.session.execute(insert(MentorWish), [
            {"mentee_id": mentee, "mentor_id": mentor, "rank": rank}
            for mentee in mentee_ids
            for rank, mentor in enumerate(rng.sample(popular, 5), start=1)])
        db.session.commit()
        wished, (_m, profiles) = cpu(lambda: matching.applicant_profiles(programme), 3)
        assert all(len(p.preferred_mentors) == 5 for p in profiles)
        print(f"{mentees} mentees x {mentors} mentors, {5 * mentees} wishes")
        print(f"applicant_profiles: {plain:.3f} s CPU without wishes, {wished:.3f} s with")
        for objective in ("score", "wishes"):
            programme.matching_objective = objective
            db.session.commit()
            try:
                seconds, run = cpu(lambda: matching.run(admin, Scope(programme)))
            except Refused as refusal:
                db.session.rollback()
                print(f"run {objective}: refused: {refusal}")
                continue
            db.session.commit()
            summary = run.summary
            print(f"run {objective}: {seconds:.2f} s CPU; matched {summary['matched']}, "
                  f"wishes {summary.get('wishes')}, none {summary.get('wishes_none')}")
            db.session.execute(delete(MatchingRun))
            db.session.commit()
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
