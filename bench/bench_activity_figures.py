"""Benchmark: the dashboard's group activities figures (issue #17).

Prints CPU seconds (``time.process_time``, this process only, least of 3) of
``dashboard.group_activities`` for the whole programme and for one region, and of the whole
``dashboard.compute`` with and without activities, over 2,000 accepted applicants (bench_pairs),
ACTIVITIES activities and each applicant registered for a fifth of them (attendance recorded
and half rated). The figures come from one GROUP BY, so the rows read are at most activities x
regions x gender answers.

    python bench/bench_activity_figures.py [ACTIVITIES]    (default 200)

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
from bench_runtime import _app  # noqa: E402
from bench_wishes import cpu  # noqa: E402
from sqlalchemy import insert, select, update  # noqa: E402

from mentoring.extensions import db  # noqa: E402
from mentoring.gender import Gender  # noqa: E402
from mentoring.models import (  # noqa: E402
    Activity,
    ActivityKind,
    Enrolment,
    Programme,
    Registration,
    RegistrationStatus,
)
from mentoring.models._types import utcnow  # noqa: E402
from mentoring.services import dashboard  # noqa: E402
from mentoring.services.scope import Scope  # noqa: E402


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    url = os.environ.get("BENCH_DATABASE_URL") or (
        "sqlite:///" + tempfile.mkdtemp() + "/activities.sqlite")
    app = _app(url)
    with app.app_context():
        db.create_all()
        programme = db.session.get(Programme, bench_pairs.populate())
        rng = random.Random(17)
        people = db.session.execute(select(Enrolment.id, Enrolment.user_id)).all()
        genders = [Gender.WOMAN] * 6 + [Gender.MAN] * 3 + [Gender.UNDISCLOSED, None]
        for enrolment_id, _user in people:
            db.session.execute(update(Enrolment).where(Enrolment.id == enrolment_id)
                               .values(gender=rng.choice(genders)))
        db.session.commit()
        today = date.today()
        bare, _ = cpu(lambda: dashboard.compute(Scope(programme), today), 3)
        now, kinds = utcnow(), list(ActivityKind)
        db.session.execute(insert(Activity), [
            {"programme_id": programme.id, "kind": kinds[k % len(kinds)], "title": f"A{k}",
             "description": "", "starts_at": now - timedelta(days=k), "timezone": "UTC",
             "duration_minutes": 60, "location": "", "translations": {},
             "audience": "everyone", "created_at": now} for k in range(count)])
        activity_ids = db.session.scalars(select(Activity.id)).all()
        rows = []
        for _enrolment, user_id in people:
            for activity_id in rng.sample(activity_ids, max(1, count // 5)):
                came = rng.random() < 0.8
                rows.append({"activity_id": activity_id, "user_id": user_id,
                             "status": RegistrationStatus.REGISTERED, "created_at": now,
                             "attended": came, "comment": "",
                             "rating": rng.randint(1, 5) if came and rng.random() < 0.5
                             else None})
        db.session.execute(insert(Registration), rows)
        db.session.commit()
        region = programme.regions[0]
        whole, figures = cpu(lambda: dashboard.group_activities(Scope(programme)), 3)
        mine, _ = cpu(lambda: dashboard.group_activities(Scope(programme, region)), 3)
        full, _ = cpu(lambda: dashboard.compute(Scope(programme), today), 3)
        print(f"{len(people)} applicants, {count} activities, {len(rows)} registrations")
        print(f"group_activities: {whole:.3f} s CPU (programme), {mine:.3f} s ({region.code})")
        print(f"compute: {bare:.3f} s CPU without activities, {full:.3f} s with")
        assert figures.total.registered == len(rows)
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
