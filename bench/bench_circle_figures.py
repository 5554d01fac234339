"""Benchmark: the dashboard's mentoring circles figures (issue #17).

Prints CPU seconds (``time.process_time``, this process only, least of 3) and SQL statements
of ``dashboard.circle_figures`` for the whole programme and for one region, and of the whole
``dashboard.compute`` with and without circles, over 2,000 accepted applicants (bench_pairs)
put in circles of one mentor and up to 8 mentees (of one region, but every fifth circle mixed),
each circle with MEETINGS sessions. The figures are four aggregate queries and the circles
page's count of the mentees in none, so the rows read do not grow with the circles.

    python bench/bench_circle_figures.py [MEETINGS]    (default 20)

On SQLite in a temporary file, or on BENCH_DATABASE_URL when set.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bench_pairs  # noqa: E402
from bench_runtime import _app  # noqa: E402
from bench_wishes import cpu  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from mentoring.extensions import db  # noqa: E402
from mentoring.models import (  # noqa: E402
    Circle,
    CircleMeeting,
    CircleMember,
    CircleStatus,
    Enrolment,
    Programme,
    Role,
)
from mentoring.models._types import utcnow  # noqa: E402
from mentoring.services import dashboard  # noqa: E402
from mentoring.services.scope import Scope  # noqa: E402


def main() -> None:
    meetings = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    url = os.environ.get("BENCH_DATABASE_URL") or (
        "sqlite:///" + tempfile.mkdtemp() + "/circles.sqlite")
    app = _app(url)
    with app.app_context():
        db.create_all()
        programme = db.session.get(Programme, bench_pairs.populate())
        today = date.today()
        bare, _ = cpu(lambda: dashboard.compute(Scope(programme), today), 3)
        rng = random.Random(17)
        people = db.session.execute(select(Enrolment.id, Enrolment.user_id, Enrolment.role,
                                           Enrolment.region_id)).all()
        by_region = defaultdict(lambda: {Role.MENTOR: [], Role.MENTEE: []})
        for person in people:
            by_region[person.region_id][person.role].append(person)
        groups = []  # (mentor, mentees)
        for region in by_region.values():
            mentees = region[Role.MENTEE]
            for mentor in region[Role.MENTOR]:
                if not mentees:
                    break
                groups.append((mentor, [mentees.pop() for _ in range(min(8, len(mentees)))]))
        half = len(groups) // 2
        for k in range(0, half, 5):  # every fifth circle swaps a mentee far away: mixed
            one, other = groups[k][1], groups[k + half][1]
            if one and other:
                one[0], other[0] = other[0], one[0]
        now = utcnow()
        db.session.execute(insert(Circle), [
            {"programme_id": programme.id, "name": f"Circle {k}", "capacity": 8,
             "status": CircleStatus.FORMED, "language": "en", "created_at": now}
            for k in range(len(groups))])
        circle_ids = db.session.scalars(select(Circle.id).order_by(Circle.id)).all()
        db.session.execute(insert(CircleMember), [
            {"circle_id": circle_id, "programme_id": programme.id, "enrolment_id": p.id,
             "user_id": p.user_id, "role": p.role, "parts": []}
            for circle_id, (mentor, mentees) in zip(circle_ids, groups, strict=True)
            for p in (mentor, *mentees)])
        db.session.execute(insert(CircleMeeting), [
            {"circle_id": circle_id, "held_on": today - timedelta(days=rng.randrange(200)),
             "duration_minutes": rng.choice((45, 60, 90)), "notes": "", "created_at": now}
            for circle_id in circle_ids for _ in range(meetings)])
        db.session.commit()
        region = next(r for r in programme.regions if r.id in by_region)
        whole, figures = cpu(lambda: dashboard.circle_figures(Scope(programme)), 3)
        mine, hers = cpu(lambda: dashboard.circle_figures(Scope(programme, region)), 3)
        full, _ = cpu(lambda: dashboard.compute(Scope(programme), today), 3)
        asked = bench_pairs.statements(lambda: dashboard.circle_figures(Scope(programme)))
        print(f"{len(people)} applicants, {figures.formed} circles "
              f"({figures.members('mentee')} mentees, {figures.members('mentor')} mentors), "
              f"{figures.meetings} sessions")
        print(f"circle_figures: {whole:.3f} s CPU (programme), {mine:.3f} s ({region.code}: "
              f"{hers.formed} circles), {asked} statements")
        print(f"compute: {bare:.3f} s CPU without circles, {full:.3f} s with")
        assert figures.meetings == len(circle_ids) * meetings
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
