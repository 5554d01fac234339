"""Benchmark: mentors' consent at 2,000 accepted applicants (SQLite, in-process CPU time).

What it measures: approving every proposal above 0 with mentors asked (the consent rows and
one email per mentor, about 1,400), one mentor's decline (the pair rejected and forbidden,
that mentee alone matched again with every other pair locked), and the pairs and announce
pages. CPU time of this process (``time.process_time``), so a busy machine does not change
the figures much; medians of several runs where a run can repeat.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_pairs import MENTEES, MENTORS, PASSWORD, cpu, populate  # noqa: E402
from sqlalchemy import select  # noqa: E402

from mentoring import create_app  # noqa: E402
from mentoring.extensions import db  # noqa: E402
from mentoring.models import (  # noqa: E402
    MentorConsent,
    OutboxEmail,
    Pairing,
    PairingStatus,
    Programme,
    User,
)
from mentoring.models._types import utcnow  # noqa: E402
from mentoring.permissions import Scope  # noqa: E402
from mentoring.services import consent, matching, pairings  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = "sqlite:///" + os.path.join(folder, "bench.sqlite")
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                          "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                          "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                          "SERVER_NAME": "localhost", "BASE_URL": "https://bench.example"})
        with app.app_context():
            db.create_all()
            programme_id = populate()
            admin = db.session.scalar(select(User).where(User.is_admin))
            programme = db.session.get(Programme, programme_id)
            programme.mentor_consent = True
            programme.consent_deadline = utcnow().date() + timedelta(days=7)
            matching.run(admin, Scope(programme))
            db.session.commit()
            approve_s, (approved, _skipped) = cpu(
                lambda: pairings.approve_above(admin, Scope(programme), 0))
            db.session.commit()
            asked = db.session.query(MentorConsent).count()
            emailed = db.session.query(OutboxEmail).filter_by(kind="consent-request").count()
            declines = []
            pairs = db.session.scalars(select(Pairing).where(
                Pairing.status == PairingStatus.APPROVED).order_by(Pairing.id).limit(5)).all()
            outcomes = []
            for pairing in pairs:
                asked_pair = consent.asked_by_link(
                    consent.link_token(pairing.id, pairing.mentor_id))
                seconds, outcome = cpu(lambda a=asked_pair: consent.answer(a, False, "Away"))
                db.session.commit()
                declines.append(seconds)
                outcomes.append(outcome.proposal is not None)
            client = app.test_client()
            client.post("/login", data={"email": admin.email, "password": PASSWORD})
            page_times = {}
            for path in ("/coordinate/bench/pairs", "/coordinate/bench/pairs/announce",
                         "/coordinate/bench/consent"):
                times = []
                for _ in range(5):
                    seconds, response = cpu(lambda p=path: client.get(p))
                    assert response.status_code == 200, (path, response.status_code)
                    times.append(seconds)
                page_times[path] = statistics.median(times)
    print(f"\nMentors' consent, {MENTEES} mentees + {MENTORS} mentors accepted, SQLite, "
          "CPU time of this process")
    print(f"approve above 0 with mentors asked: {approved} pairs, {asked} consents, "
          f"{emailed} emails: {approve_s * 1000:.0f} ms")
    print(f"one decline (reject, forbid, local re-solve), median of {len(declines)}: "
          f"{statistics.median(declines) * 1000:.0f} ms "
          f"(new proposal found for {sum(outcomes)} of {len(outcomes)})")
    for path, seconds in page_times.items():
        print(f"GET {path}: {seconds * 1000:.0f} ms (median of 5)")


if __name__ == "__main__":
    main()
