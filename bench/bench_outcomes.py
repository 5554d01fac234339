"""Benchmark: the dashboard's outcomes page (issue #17) at a large programme.

Prints CPU seconds (``time.process_time``, this process only, least of 3: the database
server's own work is not counted on PostgreSQL; on SQLite it is, since it runs in-process) for
``mentee_roles`` and ``women_shares`` (one GROUP BY each), for the whole programme and for a
regional co-chair, with the number of roles behind them.

    python bench/bench_outcomes.py [PARTICIPANTS]    (default 10,000; 12 meetings, 0-4 roles
                                                      each person)

On SQLite in a temporary file, or on BENCH_DATABASE_URL when set.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bench_pairs  # noqa: E402
from bench_pairs import cpu  # noqa: E402
from bench_runtime import _app  # noqa: E402
from sqlalchemy import func, insert, select, update  # noqa: E402

from mentoring.extensions import db  # noqa: E402
from mentoring.gender import Gender  # noqa: E402
from mentoring.models import (  # noqa: E402
    Enrolment,
    ItuMeeting,
    MeetingRole,
    MeetingRoleKind,
    Programme,
)
from mentoring.models._types import utcnow  # noqa: E402
from mentoring.services import outcomes  # noqa: E402
from mentoring.services.scope import Scope  # noqa: E402


def main() -> None:
    people = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    bench_pairs.MENTORS = people * 3 // 10
    bench_pairs.MENTEES = people - bench_pairs.MENTORS
    url = os.environ.get("BENCH_DATABASE_URL") or (
        "sqlite:///" + tempfile.mkdtemp() + "/outcomes.sqlite")
    app = _app(url)
    rng = random.Random(17)
    with app.app_context():
        db.create_all()
        programme = db.session.get(Programme, bench_pairs.populate())
        programme.starts_on = date(2025, 1, 1)
        answers = [Gender.WOMAN] * 6 + [Gender.MAN] * 3 + [None]
        for answer in set(answers):
            ids = [i for i in db.session.scalars(select(Enrolment.id))
                   if answers[i % len(answers)] == answer]
            db.session.execute(update(Enrolment).where(Enrolment.id.in_(ids))
                               .values(gender=answer))
        meetings = [ItuMeeting(programme_id=programme.id, name=f"Meeting {k}",
                               starts_on=date(2023, 1, 1) + timedelta(days=90 * k),
                               created_at=utcnow()) for k in range(12)]
        db.session.add_all(meetings)
        db.session.flush()
        kinds = list(MeetingRoleKind)
        users = db.session.scalars(select(Enrolment.user_id).distinct()).all()
        rows = {}
        for user_id in users:
            for _ in range(rng.randint(0, 4)):
                meeting = rng.choice(meetings).id
                kind = kinds[0] if rng.random() < 0.6 else rng.choice(kinds)
                rows[(user_id, meeting, kind)] = {
                    "user_id": user_id, "itu_meeting_id": meeting, "role": kind.value,
                    "baseline": rng.random() < 0.1, "created_at": utcnow()}
        db.session.execute(insert(MeetingRole), list(rows.values()))
        db.session.commit()
        count = db.session.scalar(select(func.count()).select_from(MeetingRole))
        region = programme.regions[0]
        print(f"{len(users):,} participants, {len(meetings)} meetings, {count:,} roles "
              f"({db.engine.dialect.name})")
        for label, scope in (("programme", Scope(programme)),
                             (f"co-chair {region.code}", Scope(programme, region))):
            seconds, lines = cpu(lambda scope=scope: outcomes.mentee_roles(scope), 3)
            print(f"  mentee_roles   {label:14} {seconds:.3f} s CPU ({len(lines)} lines)")
            seconds, lines = cpu(lambda scope=scope: outcomes.women_shares(scope), 3)
            print(f"  women_shares   {label:14} {seconds:.3f} s CPU ({len(lines)} lines)")


if __name__ == "__main__":
    main()
