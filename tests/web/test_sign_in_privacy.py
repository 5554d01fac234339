"""Sign-in and registration tell no one which addresses have an account, and a stranger
cannot lock the owner out (issue #13, finding 6)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

import mentoring.models.user
from mentoring.extensions import db
from mentoring.models import AuditEvent, User
from mentoring.services import accounts
from tests.conftest import PASSWORD
from tests.helpers import emails, link_in

ATTACKER = {"REMOTE_ADDR": "203.0.113.9"}
OWNER = {"REMOTE_ADDR": "198.51.100.7"}


def sign_in(client, email, password="not the password at all", where=ATTACKER):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base=where)


def flashes(client) -> list[str]:
    with client.session_transaction() as session:
        return [message for _category, message in session.pop("_flashes", [])]


def seen(response, email) -> tuple:
    """What a person sees of an answer, with the address they typed taken out."""
    text = re.sub(r'value="[\w.-]{40,}"', 'value="TOKEN"', response.text)  # CSRF tokens
    return response.status_code, response.location, text.replace(email, "EMAIL")


@pytest.fixture
def hash_checks(monkeypatch):
    """Counts every password-hash check, wherever sign-in makes it."""
    calls = []

    def wrap(original):
        def counting(pwhash, password):
            calls.append(pwhash)
            return original(pwhash, password)
        return counting

    monkeypatch.setattr(mentoring.models.user, "check_password_hash",
                        wrap(mentoring.models.user.check_password_hash))
    if hasattr(accounts, "check_password_hash"):
        monkeypatch.setattr(accounts, "check_password_hash", wrap(accounts.check_password_hash))
    return calls


def test_a_wrong_password_and_an_unknown_address_look_the_same_and_cost_the_same(
        app, make_user, hash_checks):
    make_user("delegate@example.org")
    known_client, unknown_client = app.test_client(), app.test_client()

    known = sign_in(known_client, "delegate@example.org")
    known_checks = len(hash_checks)
    unknown = sign_in(unknown_client, "nobody@example.org")

    assert seen(known, "delegate@example.org") == seen(unknown, "nobody@example.org")
    assert "The email address or password is not right." in unknown.text
    # Both ran one password hash: the unknown address costs as much time as the real one.
    assert known_checks == 1
    assert len(hash_checks) == 2


def test_an_imported_account_without_a_password_also_runs_the_hash(app, make_user,
                                                                   hash_checks):
    user = make_user("imported@example.org")
    user.password_hash = ""
    db.session.commit()
    sign_in(app.test_client(), "imported@example.org")
    assert len(hash_checks) == 1


def test_after_five_failures_an_unknown_address_is_paused_like_a_real_one(app, make_user):
    make_user("delegate@example.org")
    known_client, unknown_client = app.test_client(), app.test_client()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        sign_in(known_client, "delegate@example.org")
        sign_in(unknown_client, "nobody@example.org")

    known = sign_in(known_client, "delegate@example.org", PASSWORD)
    unknown = sign_in(unknown_client, "nobody@example.org", PASSWORD)

    assert seen(known, "delegate@example.org") == seen(unknown, "nobody@example.org")
    assert "Too many failed attempts" in unknown.text


def test_a_stranger_failing_from_elsewhere_does_not_lock_the_owner_out(app, make_user):
    admin = make_user("chief@example.org", admin=True)
    stranger, owner = app.test_client(), app.test_client()
    for _ in range(app.config["LOGIN_MAX_FAILURES"] + 3):
        sign_in(stranger, admin.email)
    assert "Too many failed attempts" in sign_in(stranger, admin.email, PASSWORD).text

    # The owner, from her own computer, signs in as usual.
    response = sign_in(owner, admin.email, PASSWORD, where=OWNER)
    assert response.status_code == 302
    assert owner.get("/me/programmes", environ_base=OWNER).status_code == 200
    assert emails(kind="account-locked") == []


def test_many_failures_from_many_places_lock_the_account_and_tell_its_owner(app, make_user):
    app.config["LOGIN_ACCOUNT_MAX_FAILURES"] = 8
    user = make_user("delegate@example.org")
    client = app.test_client()
    for number in range(8):  # two failures each from four addresses
        sign_in(client, user.email, where={"REMOTE_ADDR": f"203.0.113.{number // 2}"})
        sign_in(client, "nobody@example.org", where={"REMOTE_ADDR": f"203.0.113.{number // 2}"})

    known = sign_in(client, user.email, PASSWORD, where=OWNER)
    unknown = sign_in(client, "nobody@example.org", PASSWORD, where=OWNER)
    assert seen(known, user.email) == seen(unknown, "nobody@example.org")
    assert "Too many failed attempts" in known.text

    [notice] = emails(kind="account-locked")
    assert notice.recipient == user.email
    assert "/password/forgot" in notice.body and notice.body.startswith("Hello Person")
    assert len(emails()) == 1  # nothing is sent for an address without an account

    # A new password, chosen from the emailed link, opens the account again.
    client.post("/password/forgot", data={"email": user.email}, environ_base=OWNER)
    path = link_in(emails(kind="reset-password")[0])
    client.post(path, data={"password": "new orbit passphrase",
                            "confirm": "new orbit passphrase"}, environ_base=OWNER)
    client.post("/logout", environ_base=OWNER)
    assert sign_in(client, user.email, "new orbit passphrase", where=OWNER).status_code == 302


# ---- registration ------------------------------------------------------------------------

def register(client, email, name="Amina Diallo", password="orbit spectrum filing"):
    return client.post("/register", data={"name": name, "email": email, "password": password,
                                           "confirm": password})


def everything() -> dict:
    db.session.expire_all()
    return {
        "users": [(u.id, u.email, u.name, u.password_hash, u.locale, u.email_verified_at)
                  for u in db.session.scalars(select(User).order_by(User.id))],
        "audit": db.session.scalar(select(func.count()).select_from(AuditEvent)),
    }


def test_registering_a_taken_address_looks_like_a_new_registration_and_tells_the_owner(
        app, make_user):
    owner = make_user("amina@example.org", name="Amina Diallo")
    before = everything()

    taken_client = app.test_client()
    taken = register(taken_client, "AMINA@example.ORG", name="Someone Else")
    taken_page = taken_client.get(taken.location or "/register")
    assert everything() == before  # no account, no change to hers
    [notice] = emails()
    assert (notice.recipient, notice.kind) == (owner.email, "account-exists")
    assert notice.body.startswith("Hello Amina Diallo")
    assert "/login\n" in notice.body and "/password/forgot\n" in notice.body

    new_client = app.test_client()
    new = register(new_client, "bea@example.org", name="Someone Else")
    new_page = new_client.get(new.location or "/register")
    assert emails(kind="verify-email", to="bea@example.org")

    assert seen(taken, "amina@example.org") == seen(new, "bea@example.org")
    assert seen(taken_page, "amina@example.org") == seen(new_page, "bea@example.org")
    assert "Check your inbox" in new_page.text
    # Neither is signed in by registering: the new account signs in after confirming.
    assert taken_client.get("/me/programmes").status_code == 302
    assert new_client.get("/me/programmes").status_code == 302


def test_registering_a_taken_address_with_a_weak_password_is_refused_like_any_other(
        app, make_user):
    make_user("amina@example.org")
    taken = register(app.test_client(), "amina@example.org", password="short")
    new = register(app.test_client(), "bea@example.org", password="short")
    assert seen(taken, "amina@example.org") == seen(new, "bea@example.org")
    assert taken.status_code == 200 and emails() == []


def test_finding_an_account_by_its_address_reads_the_unique_index(app, make_user):
    """Addresses are stored in their one normal form, so a look-up compares them as stored and
    PostgreSQL reads the unique index: with ten thousand people, a sign-in or each row of an
    import no longer reads the whole table (lower(email) could not use the index)."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("a PostgreSQL query plan: the test runs on PostgreSQL")
    amina = make_user(email="amina@example.org")
    statements = []
    from sqlalchemy import event

    def keep(conn, cursor, statement, parameters, context, executemany):
        if "FROM \"user\"" in statement and "email" in statement.split("WHERE", 1)[-1]:
            statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        assert accounts.user_by_email("  AMINA@example.org ") == amina
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    [(statement, parameters)] = statements
    connection = db.session.connection()
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    plan = "\n".join(row[0] for row in connection.exec_driver_sql(
        "EXPLAIN " + statement, parameters))
    assert "uq_user_email" in plan, plan
