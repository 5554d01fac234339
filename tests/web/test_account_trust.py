"""Accounts people can trust (issue #13): sessions that end, addresses proven before they get
rights, and no endless guessing of the current password."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from mentoring.extensions import db
from mentoring.models import Coordinator, Enrolment, User
from tests.conftest import PASSWORD
from tests.helpers import emails, job_page, link_in

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


# ---- sessions end when they should ---------------------------------------------------------

def test_a_session_cookie_copied_before_sign_out_no_longer_works_after_it(app, make_user):
    amina = make_user("amina@example.org")
    browser = signed_in(app, amina)
    stolen = cookie(browser, "session")
    assert can_see_own_pages(browser_with(app, "session", stolen))

    browser.post("/logout")

    assert not can_see_own_pages(browser)
    assert not can_see_own_pages(browser_with(app, "session", stolen))


def test_a_remember_me_cookie_stops_working_after_a_password_change(app, make_user):
    amina = make_user("amina@example.org")
    laptop = signed_in(app, amina, remember="y")
    stolen = cookie(laptop, "remember_token")
    assert can_see_own_pages(browser_with(app, "remember_token", stolen))

    changed = laptop.post("/account/password", data={
        "current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert changed.status_code == 302

    assert not can_see_own_pages(browser_with(app, "remember_token", stolen))
    # The browser that changed it stays signed in.
    assert can_see_own_pages(laptop)


def test_sign_out_everywhere_ends_every_other_session_and_remember_cookie(app, make_user):
    amina = make_user("amina@example.org")
    phone = signed_in(app, amina, remember="y")
    remembered = cookie(phone, "remember_token")
    laptop = signed_in(app, amina)
    assert can_see_own_pages(phone) and can_see_own_pages(laptop)

    page = laptop.get("/account")
    assert "Sign out everywhere" in page.text
    response = laptop.post("/account/sign-out-everywhere")
    assert response.status_code == 302
    assert "signed out everywhere else" in laptop.get(response.location).text

    assert not can_see_own_pages(phone)
    assert not can_see_own_pages(browser_with(app, "remember_token", remembered))
    assert can_see_own_pages(laptop)


def test_sign_out_everywhere_is_a_post_only_button(app, make_user):
    browser = signed_in(app, make_user())
    assert browser.get("/account/sign-out-everywhere").status_code == 405


def test_the_remember_cookie_differs_between_two_sign_ins_of_the_same_person(app, make_user):
    amina = make_user("amina@example.org")
    browser = signed_in(app, amina, remember="y")
    first = cookie(browser, "remember_token")
    browser.post("/logout")
    browser.post("/login", data={"email": amina.email, "password": PASSWORD, "remember": "y"})
    second = cookie(browser, "remember_token")
    assert first != second
    assert not can_see_own_pages(browser_with(app, "remember_token", first))
    assert can_see_own_pages(browser_with(app, "remember_token", second))


def test_a_password_reset_ends_the_sessions_opened_before_it(app, client, make_user):
    amina = make_user("amina@example.org")
    old_browser = signed_in(app, amina, remember="y")
    remembered = cookie(old_browser, "remember_token")
    client.post("/password/forgot", data={"email": amina.email})
    link = link_in(emails(kind="reset-password", to=amina.email)[0])
    assert client.post(link, data={"password": NEW_PASSWORD,
                                   "confirm": NEW_PASSWORD}).status_code == 302
    assert not can_see_own_pages(old_browser)
    assert not can_see_own_pages(browser_with(app, "remember_token", remembered))
    assert can_see_own_pages(client)


# ---- a new address counts only once it is proven -------------------------------------------

def account_form(user, **changes):
    data = {"name": user.name, "email": user.email, "locale": "", "timezone": "",
            "current_password": PASSWORD}
    data.update(changes)
    return data


def test_changing_email_keeps_the_old_address_until_the_link_to_the_new_one_is_opened(
        app, make_user):
    amina = make_user("old@example.org", name="Amina Diallo")
    browser = signed_in(app, amina)
    response = browser.post("/account", data=account_form(amina, email="new@example.org"))
    assert response.status_code == 302
    page = browser.get(response.location)
    assert "new@example.org" in page.text

    saved = reload(amina)
    assert (saved.email, saved.pending_email, saved.is_verified) == (
        "old@example.org", "new@example.org", True)
    # Meanwhile she signs in with the old address, not the new one.
    signed_in(app, "old@example.org")
    assert app.test_client().post("/login", data={
        "email": "new@example.org", "password": PASSWORD}).status_code == 200
    assert not emails(kind="email-changed")

    [confirmation] = emails(kind="confirm-new-email")
    assert confirmation.recipient == "new@example.org"
    # Opening the link from any browser proves the new address.
    opened = app.test_client().get(link_in(confirmation))
    assert opened.status_code == 302

    saved = reload(amina)
    assert (saved.email, saved.pending_email, saved.is_verified) == (
        "new@example.org", None, True)
    signed_in(app, "new@example.org")
    assert app.test_client().post("/login", data={
        "email": "old@example.org", "password": PASSWORD}).status_code == 200
    [notice] = emails(kind="email-changed")
    assert notice.recipient == "old@example.org"
    assert "new@example.org" in notice.body
    # The link works once.
    assert app.test_client().get(link_in(confirmation)).status_code == 302
    assert reload(amina).email == "new@example.org"


def test_changing_email_asks_for_the_current_password(app, make_user):
    amina = make_user("old@example.org")
    browser = signed_in(app, amina)
    missing = browser.post("/account", data=account_form(amina, email="new@example.org",
                                                         current_password=""))
    assert missing.status_code == 200
    assert "Enter your current password to change your email address." in missing.text
    wrong = browser.post("/account", data=account_form(amina, email="new@example.org",
                                                       current_password="not it at all"))
    assert "Your current password is not right." in wrong.text
    assert reload(amina).pending_email is None
    assert not emails(kind="confirm-new-email")
    # Other settings need no password.
    renamed = browser.post("/account", data=account_form(amina, name="Amina D.",
                                                         current_password=""))
    assert renamed.status_code == 302
    assert reload(amina).name == "Amina D."


def test_a_confirmation_link_for_an_address_taken_meanwhile_is_refused(app, make_user):
    amina = make_user("old@example.org")
    browser = signed_in(app, amina)
    browser.post("/account", data=account_form(amina, email="new@example.org"))
    make_user("new@example.org")  # someone registered it first
    [confirmation] = emails(kind="confirm-new-email")
    page = app.test_client().get(link_in(confirmation), follow_redirects=True)
    assert "already exists" in page.text
    assert reload(amina).email == "old@example.org"


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


def test_a_pending_address_cannot_be_made_a_coordinator(app, make_user, make_programme):
    programme = make_programme(name="NOW4WRC27", slug="now4wrc27")
    amina = make_user("old@example.org")
    signed_in(app, amina).post("/account", data=account_form(amina, email="new@example.org"))
    browser = signed_in(app, make_user("chief@itu.example", admin=True))
    page = browser.post(f"/admin/programmes/{programme.slug}/coordinators",
                        data={"email": "new@example.org", "region": "0"})
    assert "No account uses this email address." in page.text
    assert db.session.scalars(select(Coordinator)).all() == []


def test_import_refuses_the_row_of_an_existing_account_whose_address_is_unproven(
        app, make_user, make_programme, coordinator):
    programme = make_programme(name="NOW4WRC27", slug="now4wrc27")
    make_user("nour@example.org", name="Nour El-Sayed", verified=False)
    browser = signed_in(app, coordinator(programme))
    content = ("E-mail,Full name,Applies as,Country,Languages,Topics\n"
               "wei@example.org,Wei Chen,mentor,CN,zh,Negotiation\n"
               "nour@example.org,Nour El-Sayed,mentee,EG,ar,Negotiation\n")
    page = job_page(browser, browser.post(
        f"/coordinate/{programme.slug}/import",
        data={"file": (io.BytesIO(content.encode()), "applications.csv")}))
    assert page.status_code == 200
    assert "has not confirmed this email address yet" in page.text
    assert "<td>3</td><td>E-mail</td>" in page.text
    assert db.session.scalars(select(Enrolment)).all() == []


# ---- no endless guessing of the current password -------------------------------------------

def test_a_wrong_current_password_too_often_locks_the_account(app, make_user):
    amina = make_user("amina@example.org")
    browser = signed_in(app, amina)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        wrong = browser.post("/account/password", data={
            "current_password": "a guess at it", "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD})
        assert "Your current password is not right." in wrong.text
    right = browser.post("/account/password", data={
        "current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert right.status_code == 200 and "locked" in right.text
    # The password did not change; the owner still signs in from her own browser (a thief
    # holding a session must not lock her out).
    assert reload(amina).check_password(PASSWORD)
    assert app.test_client().post("/login", data={
        "email": amina.email, "password": PASSWORD}).status_code == 302


def test_a_wrong_current_password_on_the_account_page_counts_towards_the_lock(app,
                                                                              make_user):
    amina = make_user("amina@example.org")
    browser = signed_in(app, amina)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        browser.post("/account", data=account_form(amina, email="new@example.org",
                                                   current_password="a guess at it"))
    paused = browser.post("/account", data=account_form(amina, email="new@example.org",
                                                        current_password=PASSWORD))
    assert "locked" in paused.text
    assert reload(amina).pending_email is None


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True,
                                         "PASSWORD_CHECK_RATE_LIMIT": "3 per hour",
                                         "LOGIN_MAX_FAILURES": 100}])
def test_the_change_password_page_is_rate_limited_per_person(app, make_user):
    amina = make_user("amina@example.org")
    browser = signed_in(app, amina)
    statuses = [browser.post("/account/password", data={
        "current_password": "a guess at it", "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    # Another person from the same address is not held back by her.
    other = signed_in(app, make_user("wei@example.org"))
    assert other.post("/account/password", data={
        "current_password": "a guess at it", "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD}).status_code == 200
