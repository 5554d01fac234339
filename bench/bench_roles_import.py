"""Benchmark: importing roles at ITU meetings from a CSV file (issue #17) at the import's
largest file (IMPORT_MAX_ROWS, 20,000 rows).

Prints CPU seconds (``time.process_time``, this process only, least of 3: the database
server's own work is not counted on PostgreSQL; on SQLite it is, since it runs in-process) for
reading and checking the file (the preview), sealing its plan (and the plan's size, which the
confirmation posts back under the 2 MB upload limit), recording it (rolled back between
runs), and reading it again once recorded (every row skipped).

    python bench/bench_roles_import.py [ROWS]    (default 20,000; 12 meetings, 10,000
                                                  participants)

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
from sqlalchemy import select  # noqa: E402

from mentoring.extensions import db  # noqa: E402
from mentoring.models import ItuMeeting, MeetingRoleKind, Programme, User  # noqa: E402
from mentoring.services import role_imports  # noqa: E402
from mentoring.services.csvfiles import write_csv  # noqa: E402
from mentoring.services.scope import Scope  # noqa: E402


def main() -> None:
    wanted = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    bench_pairs.MENTORS, bench_pairs.MENTEES = 3_000, 7_000
    url = os.environ.get("BENCH_DATABASE_URL") or (
        "sqlite:///" + tempfile.mkdtemp() + "/roles_import.sqlite")
    app = _app(url)
    rng = random.Random(17)
    with app.app_context(), app.test_request_context():
        db.create_all()
        programme = db.session.get(Programme, bench_pairs.populate())
        meetings = [ItuMeeting(programme_id=programme.id, name=f"Meeting {k}",
                               starts_on=date(2023, 1, 1) + timedelta(days=90 * k))
                    for k in range(12)]
        db.session.add_all(meetings)
        db.session.commit()
        emails = db.session.scalars(select(User.email).where(~User.is_admin)).all()
        kinds = list(MeetingRoleKind)
        rows: dict[tuple, list[str]] = {}
        while len(rows) < wanted:
            email, meeting, kind = (rng.choice(emails), rng.choice(meetings).name,
                                    rng.choice(kinds).value)
            rows[(email, meeting, kind)] = [email.upper(), f" {meeting.lower()} ", kind]
        raw = write_csv(["E-mail", "Meeting", "Role"], rows.values())
        actor = db.session.scalar(select(User).where(User.is_admin))
        scope = Scope(programme)
        print(f"{len(emails):,} participants, {len(meetings)} meetings, a file of "
              f"{len(rows):,} rows, {len(raw) / 1e6:.2f} MB ({db.engine.dialect.name})")
        seconds, found = cpu(lambda: role_imports.read_roles_file(scope, raw), 3)
        print(f"  read and check (preview)  {seconds:.3f} s CPU ({len(found.new):,} new)")
        seconds, sealed = cpu(lambda: role_imports.seal(scope, found), 3)
        print(f"  seal the plan             {seconds:.3f} s CPU ({len(sealed) / 1e3:.0f} kB)")

        def record():
            done = role_imports.record_roles(actor, scope, sealed)
            db.session.rollback()
            return done

        seconds, done = cpu(record, 3)
        print(f"  record (confirm)          {seconds:.3f} s CPU ({done.recorded:,} roles for "
              f"{done.participants:,} participants)")
        role_imports.record_roles(actor, scope, sealed)
        db.session.commit()
        seconds, again = cpu(lambda: role_imports.read_roles_file(scope, raw), 3)
        print(f"  read again, all recorded  {seconds:.3f} s CPU ({len(again.new)} new, "
              f"{again.already:,} skipped)")


if __name__ == "__main__":
    main()
