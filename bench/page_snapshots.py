"""Snapshots of the coordinator's lists, to check that a change keeps their HTML byte for byte.

    python bench/page_snapshots.py seed /tmp/demo.sqlite      # once: the demo, two matching runs
    python bench/page_snapshots.py save /tmp/demo.sqlite before
    ... change the code ...
    python bench/page_snapshots.py save /tmp/demo.sqlite after && diff -r before after

Each list (pairs, applications) is saved with several filters, sorts and pages, as an admin,
a programme coordinator, a regional co-chair and another programme's coordinator, in English,
Arabic and Chinese. CSRF tokens (different at every request) are blanked.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select  # noqa: E402

from mentoring import create_app  # noqa: E402
from mentoring.extensions import db  # noqa: E402

PASSWORD = "snapshot passphrase"  # noqa: S105
PEOPLE = ["admin@demo.example", "coordinator@demo.example", "cochair.asmg@demo.example",
          "cyber.coordinator@demo.example"]
SLUGS = ["now4wrc23", "women-in-cyber"]
PAGES = ["pairs", "pairs?status=approved", "pairs?sort=name&page=2", "pairs?status=active",
         "pairs?below=600&sort=-score", "applications", "applications?role=mentor&status=accepted",
         "applications?q=a&page=2", "applications?per_page=10&page=3",
         "applications?region=2&topic=3"]


def _app(database: str):
    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "SECRET_KEY": "s",
                       "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False,
                       "LOG_LEVEL": "WARNING", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                       "MENTORING_ENV": "development"})


def seed(database: str) -> None:
    """The demo, with NOW4WRC23 matched twice: proposals, one approved, one locked, one by
    hand, with explanations and alternatives."""
    from mentoring import demo
    from mentoring.models import Pairing, Programme, User
    from mentoring.services import matching, pairings
    from mentoring.services.scope import Scope

    Path(database).unlink(missing_ok=True)
    with _app(database).app_context():
        db.create_all()
        demo.seed()
        for user in db.session.scalars(select(User)):
            user.set_password(PASSWORD)
        wrc = db.session.scalar(select(Programme).where(Programme.slug == "now4wrc23"))
        admin = db.session.scalar(select(User).where(User.is_admin))
        matching.run(admin, Scope(wrc))
        db.session.flush()
        pairs = db.session.scalars(select(Pairing).where(Pairing.programme_id == wrc.id)
                                   .order_by(Pairing.id)).all()
        pairings.approve(admin, Scope(wrc), pairs[0].id)
        pairs[1].locked = True
        pairs[2].source = "manual"
        matching.run(admin, Scope(wrc))
        db.session.commit()


def save(database: str, folder: str) -> None:
    Path(folder).mkdir(parents=True, exist_ok=True)
    app = _app(database)
    for email in PEOPLE:
        for locale in ("en", "ar", "zh"):
            client = app.test_client()
            assert client.post("/login", data={"email": email, "password": PASSWORD}
                               ).status_code == 302, email
            client.post("/language", data={"locale": locale})
            for slug in SLUGS:
                for page in PAGES:
                    path = f"/coordinate/{slug}/{page}"
                    response = client.get(path)
                    body = re.sub(rb'(name="csrf_token"[^>]*value=")[^"]*"', rb'\1X"',
                                  response.data)
                    body = re.sub(rb'(value=")[^"]*("[^>]*name="csrf_token")', rb"\1X\2", body)
                    name = re.sub(r"[^a-z0-9]+", "_", f"{email}_{locale}_{path}")
                    Path(folder, f"{name}.html").write_bytes(
                        f"{response.status_code}\n".encode() + body)


if __name__ == "__main__":
    command, database, *rest = sys.argv[1:]
    seed(database) if command == "seed" else save(database, rest[0])
