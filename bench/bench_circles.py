"""How long the engine takes to propose circles (CPU time of this process, least of 3).

    python bench/bench_circles.py

Cohorts from `matching_cohorts` (realistic languages and skewed topics): mentees grouped
around a set of mentors with a circle capacity, each solve with the languages fixed after the
first. The web request runs it in-line; this says up to what size that is reasonable. Then the
whole "Propose circles" service (load the profiles, solve, write the proposals) on SQLite over
`bench_pairs`' programme of 1,400 mentees and 600 mentors, 175 circles of 8.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench_pairs  # noqa: E402
from matching_cohorts import cohort  # noqa: E402
from sqlalchemy import select  # noqa: E402

from mentoring import create_app  # noqa: E402
from mentoring.extensions import db  # noqa: E402
from mentoring.matching.circles import form_circles  # noqa: E402
from mentoring.models import Programme, Role, User  # noqa: E402
from mentoring.permissions import Scope  # noqa: E402
from mentoring.services import circles  # noqa: E402

#: (mentees, mentors leading circles, capacity)
CASES = [(60, 10, 6), (300, 40, 8), (1000, 125, 8), (2000, 250, 8)]


def main() -> None:
    for n_mentees, n_mentors, capacity in CASES:
        mentors, mentees = cohort(n_mentees, n_mentors, seed=7)
        times = []
        for _ in range(3):
            started = time.process_time()
            result = form_circles(mentors, mentees, capacity=capacity)
            times.append(time.process_time() - started)
        placed = sum(len(c.members) for c in result.circles)
        mixed = sum(1 for c in result.circles for m in c.members
                    if c.language not in next(e for e in mentees
                                              if e.id == m.pair.mentee_id).languages)
        print(f"{n_mentees:>5} mentees x {n_mentors:>3} circles of {capacity}: "
              f"{min(times):.3f} s CPU, {result.solves} solves, {len(result.circles)} circles, "
              f"{placed} placed, {len(result.unmatched)} in none, {mixed} not speaking the "
              f"circle's language")


def service() -> None:
    url = "sqlite:///" + tempfile.mkdtemp() + "/circles.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "SERVER_NAME": "localhost"})
    with app.app_context(), app.test_request_context():
        db.create_all()
        programme_id = bench_pairs.populate()
        admin = db.session.scalar(select(User).where(User.is_admin))
        times = []
        for _ in range(3):
            scope = Scope(db.session.get(Programme, programme_id))
            mentors = [e.id for e in circles.candidates(scope, Role.MENTOR)][:175]
            started = time.process_time()
            proposal = circles.propose(admin, scope, mentors, 8)
            db.session.commit()
            times.append(time.process_time() - started)
            db.session.expire_all()
        print(f"propose service, 1,400 mentees, 175 circles of 8 (SQLite): {min(times):.3f} s "
              f"CPU (least of 3: {', '.join(f'{t:.2f}' for t in times)}); {proposal}")


if __name__ == "__main__":
    main()
    service()
