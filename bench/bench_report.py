"""Benchmark: the programme report (issue #17) beside the pages whose figures it shows.

The dashboard's programme (bench_dashboard.populate: 10,000 participants, 50,000 sessions by
default) with a sent mid-programme survey answered by every third participant. Prints, for the
dashboard, the outcomes page and the report (English and Arabic), the least CPU seconds of 5
warm views (``time.process_time``, this process only: on SQLite the database's work is in
it) and the SQL statements of the last one.

    python bench/bench_report.py [PARTICIPANTS SESSIONS]

On SQLite in a temporary file, or on BENCH_DATABASE_URL when set.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_dashboard import PASSWORD, populate  # noqa: E402
from bench_runtime import _app  # noqa: E402
from sqlalchemy import event, insert, select  # noqa: E402

from mentoring.extensions import db  # noqa: E402
from mentoring.models import Enrolment, Programme, Survey, SurveyResponse  # noqa: E402
from mentoring.models._types import utcnow  # noqa: E402
from mentoring.services import surveys  # noqa: E402


def main() -> None:
    participants, sessions = (int(a) for a in sys.argv[1:3]) if len(sys.argv) > 2 else (
        10_000, 50_000)
    url = os.environ.get("BENCH_DATABASE_URL") or (
        "sqlite:///" + tempfile.mkdtemp() + "/report.sqlite")
    app = _app(url)
    with app.app_context():
        db.create_all()
        populate(participants, sessions)
        programme = db.session.scalar(select(Programme).where(Programme.slug == "bench"))
        survey = Survey(programme_id=programme.id, kind="mid", anonymous=False,
                        questions=surveys.default_questions("en"),
                        sent_at=utcnow() - timedelta(days=3))
        db.session.add(survey)
        db.session.flush()
        kinds = [q["kind"] for q in survey.questions]
        users = db.session.scalars(select(Enrolment.user_id).distinct()).all()[::3]
        db.session.execute(insert(SurveyResponse), [
            {"survey_id": survey.id, "user_id": user_id, "created_at": utcnow(),
             "answers": [1 + (user_id + k) % 5 if kind == "rating" else "A comment"
                         for k, kind in enumerate(kinds)]} for user_id in users])
        db.session.commit()
        client = app.test_client()
        client.post("/login", data={"email": "admin@bench.example", "password": PASSWORD})
        counter = [0]

        def count(*_args, **_kwargs):
            counter[0] += 1

        event.listen(db.engine, "before_cursor_execute", count)
        print(f"{participants:,} participants, {sessions:,} sessions, {len(users):,} survey "
              f"answers ({db.engine.dialect.name})")
        for path in ("dashboard", "dashboard/outcomes", "report", "report?lang=ar"):
            best = float("inf")
            for _ in range(5):
                counter[0] = 0
                started = time.process_time()
                response = client.get(f"/coordinate/bench/{path}")
                best = min(best, time.process_time() - started)
                assert response.status_code == 200, response.status_code
            print(f"  {path:20} {best:.3f} s CPU, {counter[0]} statements")


if __name__ == "__main__":
    main()
