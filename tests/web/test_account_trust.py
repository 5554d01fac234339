"""Accounts people can trust (issue #13): sessions that end, addresses proven before they get
rights, and no endless guessing of the current password."""

from __future__ import annotations

import io

from sqlalchemy import select

from mentoring.extensions import db
from mentoring.models import Coordinator, Enrolment, User
from tests.conftest import PASSWORD

NEW_PASSWORD = "brand new passphrase"  # noqa: S105 - test credential


def signed_in(app, user, password=PASSWORD, **extra):
    browser = app.test_client()
    response = browser.post("/login", data={"email": getattr(user, "email", user),
                                             "password": password, **extra})
    assert response.status_code == 302, response.text
    return browser


def can_see_own_pages(browser) -> bool:
    return browser.get("/me/programmes").status_code == 200


def cookie(browser, name: str) -> str:
    found = browser.get_cookie(name)
    assert found is not None, f"no {name} cookie"
    return found.value


def browser_with(app, name: str, value: str):
    """Another browser holding only a copy of one cookie (an attacker who stole it)."""
    other = app.test_client()
    other.set_cookie(name, value, domain="localhost")
    return other


def reload(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


# ---- a new address counts only once it is proven -------------------------------------------

def test_an_admin_cannot_make_an_unverified_address_a_coordinator(app, make_user,
                                                                    make_programme):
    make_programme(name="NOW4WRC27", slug="now4wrc27")
    make_user("unproven@example.org", verified=False)
    admin = make_user("chief@itu.example", admin=True)
    browser = signed_in(app, admin)
    page = browser.post("/admin/programmes/now4wrc27/coordinators",
                        data={"email": "unproven@example.org", "region": "0"})
    assert page.status_code == 200
    assert "has not confirmed this email address yet" in page.text
    assert db.session.scalars(select(Coordinator)).all() == []


def test_import_refuses_the_row_of_an_existing_account_whose_address_is_unproven(
        app, make_user, make_programme, coordinator):
    programme = make_programme(name="NOW4WRC27", slug="now4wrc27")
    make_user("nour@example.org", name="Nour El-Sayed", verified=False)
    browser = signed_in(app, coordinator(programme))
    content = ("E-mail,Full name,Applies as,Country,Languages,Topics\n"
               "wei@example.org,Wei Chen,mentor,CN,zh,Negotiation\n"
               "nour@example.org,Nour El-Sayed,mentee,EG,ar,Negotiation\n")
    page = browser.post(f"/coordinate/{programme.slug}/import",
                        data={"file": (io.BytesIO(content.encode()), "applications.csv")})
    assert page.status_code == 200
    assert "has not confirmed this email address yet" in page.text
    assert "<td>3</td><td>E-mail</td>" in page.text
    assert db.session.scalars(select(Enrolment)).all() == []


