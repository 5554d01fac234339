"""Accounts: register, confirm the address, sign in and out, lock-out, passwords."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mentoring.extensions import db
from mentoring.models import SignInFailure, User
from mentoring.models._types import utcnow
from tests.conftest import PASSWORD
from tests.helpers import emails, link_in


def register(client, email="amina@example.org", password="orbit spectrum filing",
             name="Amina Diallo", confirm=None, **extra):
    return client.post("/register", data={
        "name": name, "email": email, "password": password,
        "confirm": password if confirm is None else confirm, **extra,
    })


def user_count():
    return db.session.scalar(select(func.count()).select_from(User))


def test_delegate_registers_and_confirms_her_address_from_the_email(client):
    response = register(client)
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "amina@example.org"))
    assert user is not None and not user.is_verified
    assert user.password_hash and "orbit" not in user.password_hash
    [message] = emails(kind="verify-email", to="amina@example.org")
    assert "Amina Diallo" in message.body

    page = client.get(link_in(message), follow_redirects=True)
    assert "your email address is confirmed" in page.text
    db.session.expire_all()
    assert db.session.get(User, user.id).is_verified


def test_email_is_stored_lower_case_and_duplicates_are_not_created_whatever_the_case(client):
    register(client, email="Amina@Example.org")
    assert db.session.scalar(select(User.email)) == "amina@example.org"
    again = register(client, email="AMINA@example.ORG", name="Someone Else")
    assert again.status_code == 302
    assert user_count() == 1
    assert emails(kind="account-exists", to="amina@example.org")


@pytest.mark.parametrize(("password", "message"), [
    ("short1", "Use at least 10 characters."),
    ("1234567890", "too common or too simple"),
    ("aaaaaaaaaaaa", "Avoid sequences, repeated characters"),
    ("amina-secret-2026", "Do not use your name or email address"),
    ("98765432109876", "This password is too easy to guess"),
])
def test_weak_passwords_are_refused_with_the_reason(client, password, message):
    response = register(client, password=password)
    assert response.status_code == 200
    assert message in response.text
    assert user_count() == 0


def test_mismatched_confirmation_is_refused(client):
    response = register(client, confirm="something different entirely")
    assert "The passwords differ." in response.text
    assert user_count() == 0


def test_tampered_confirmation_link_is_refused(client, make_user):
    register(client)
    path = link_in(emails(kind="verify-email")[0])
    page = client.get(path[:-3] + "xyz", follow_redirects=True)
    assert "This confirmation link is not valid." in page.text
    assert not db.session.scalar(select(User)).is_verified


def test_sign_in_and_out(client, auth, make_user):
    user = make_user("delegate@example.org")
    response = auth.login(user)
    assert response.status_code == 302
    assert client.get("/me/programmes").status_code == 200
    auth.logout()
    assert client.get("/me/programmes").status_code == 302


def test_wrong_password_gives_one_message_for_unknown_accounts_too(client, auth, make_user):
    make_user("delegate@example.org")
    wrong = auth.login("delegate@example.org", "not the password at all")
    unknown = auth.login("nobody@example.org", "not the password at all")
    assert "The email address or password is not right." in wrong.text
    assert "The email address or password is not right." in unknown.text


def test_account_locks_after_repeated_failures_even_with_the_right_password(app, client, auth,
                                                                              make_user):
    user = make_user("delegate@example.org")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        auth.login(user, "not the password at all")
    locked = auth.login(user, PASSWORD)
    assert locked.status_code == 200
    assert "this account is locked" in locked.text
    assert client.get("/me/programmes").status_code == 302

    # After the lock expires the right password works again.
    for row in db.session.scalars(select(SignInFailure)):
        row.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert auth.login(user, PASSWORD).status_code == 302


def test_remember_me_sets_a_long_lived_http_only_cookie(client, auth, make_user):
    user = make_user()
    response = auth.login(user, remember="y")
    cookies = response.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("remember_token=")]
    assert remember and "HttpOnly" in remember[0] and "SameSite=Lax" in remember[0]


def test_without_remember_me_there_is_no_remember_cookie(client, auth, make_user):
    response = auth.login(make_user())
    assert not [c for c in response.headers.getlist("Set-Cookie")
                if c.startswith("remember_token=")]


@pytest.mark.parametrize("target", [
    "https://evil.example/phish", "//evil.example/phish", "/\\evil.example", "javascript:alert(1)",
])
def test_unsafe_next_is_ignored_after_sign_in(client, auth, make_user, target):
    user = make_user()
    response = auth.login(user, next=target)
    assert response.status_code == 302
    assert response.location == "/me/programmes"


def test_safe_next_is_followed(client, auth, make_user):
    response = auth.login(make_user(), next="/account")
    assert response.location == "/account"


def test_password_reset_link_works_once(client, make_user, auth):
    user = make_user("delegate@example.org")
    page = client.post("/password/forgot", data={"email": "delegate@example.org"},
                       follow_redirects=True)
    assert "If an account uses this address" in page.text
    path = link_in(emails(kind="reset-password", to=user.email)[0])

    assert client.get(path).status_code == 200
    done = client.post(path, data={"password": "new orbit passphrase",
                                   "confirm": "new orbit passphrase"})
    assert done.status_code == 302
    client.post("/logout")
    assert auth.login(user, "new orbit passphrase").status_code == 302
    client.post("/logout")
    assert auth.login(user, PASSWORD).status_code == 200  # the old one no longer works

    reused = client.post(path, data={"password": "third orbit passphrase",
                                     "confirm": "third orbit passphrase"},
                         follow_redirects=True)
    assert "This link has already been used." in reused.text
    assert auth.login(user, "third orbit passphrase").status_code == 200


def test_password_reset_link_expires_after_an_hour(app, client, make_user):
    make_user("delegate@example.org")
    client.post("/password/forgot", data={"email": "delegate@example.org"})
    path = link_in(emails(kind="reset-password")[0])
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    page = client.get(path, follow_redirects=True)
    assert "This link has expired." in page.text


def test_reset_for_an_unknown_address_says_the_same_and_sends_nothing(client):
    page = client.post("/password/forgot", data={"email": "nobody@example.org"},
                       follow_redirects=True)
    assert "If an account uses this address" in page.text
    assert emails() == []


def test_change_password_needs_the_current_one(client, auth, make_user):
    user = make_user()
    auth.login(user)
    wrong = client.post("/account/password", data={
        "current_password": "not it at all", "password": "brand new passphrase",
        "confirm": "brand new passphrase"})
    assert "Your current password is not right." in wrong.text
    right = client.post("/account/password", data={
        "current_password": PASSWORD, "password": "brand new passphrase",
        "confirm": "brand new passphrase"})
    assert right.status_code == 302
    client.post("/logout")
    assert auth.login(user, "brand new passphrase").status_code == 302


def test_edit_account_and_changing_email_asks_for_confirmation_again(client, auth, make_user):
    user = make_user("old@example.org")
    auth.login(user)
    response = client.post("/account", data={
        "name": "Amina D.", "email": "new@example.org", "locale": "", "timezone": "Africa/Dakar",
        "current_password": PASSWORD})
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(User, user.id)
    # The new address waits for its link (tests/web/test_account_trust.py follows it).
    assert (saved.name, saved.email, saved.pending_email, saved.timezone) == (
        "Amina D.", "old@example.org", "new@example.org", "Africa/Dakar")
    assert emails(kind="confirm-new-email", to="new@example.org")


def test_cannot_take_another_accounts_email(client, auth, make_user):
    make_user("taken@example.org")
    user = make_user("mine@example.org")
    auth.login(user)
    response = client.post("/account", data={
        "name": "Me", "email": "taken@example.org", "locale": "", "timezone": "",
        "current_password": PASSWORD})
    assert "An account with this email address already exists." in response.text


def test_create_admin_command(runner, app):
    result = runner.invoke(args=["create-admin", "--email", "Chief@Example.org", "--name",
                                 "Chief", "--password", "a very long admin passphrase"])
    assert result.exit_code == 0, result.output
    admin = db.session.scalar(select(User).where(User.email == "chief@example.org"))
    assert admin.is_admin and admin.is_verified


def test_create_admin_refuses_a_weak_password(runner, app):
    result = runner.invoke(args=["create-admin", "--email", "chief@example.org", "--name",
                                 "Chief", "--password", "short"])
    assert result.exit_code != 0
    assert "Use at least 10 characters." in result.output
    assert user_count() == 0


# ---- the sign-up form as a person meets it ------------------------------------------------------


def test_sign_up_asks_for_the_name_and_email_before_the_password(client):
    page = client.get("/register").text
    fields = re.findall(r'<input[^>]* id="(name|email|password|confirm)"', page)
    assert fields == ["name", "email", "password", "confirm"]


def test_an_empty_sign_up_lists_each_error_as_a_link_to_its_field(client):
    page = client.post("/register", data={}).text
    summary = re.search(r'<div class="error-summary"[^>]*>(.*?)</div>', page, re.S)
    assert summary, "no error summary"
    assert 'role="alert"' in summary.group(0) and 'tabindex="-1"' in summary.group(0)
    links = re.findall(r'<a href="#([\w-]+)">([^<]+)</a>', summary.group(1))
    assert [target for target, _ in links] == ["name", "email", "password", "confirm"]
    for target, words in links:
        assert f'id="{target}"' in page  # each link leads to its field
        assert words.strip()
    assert "Full name" in links[0][1]  # the link says which field and what is wrong


def test_a_form_without_its_own_summary_gets_one_too(client):
    page = client.post("/password/forgot", data={"email": ""}).text
    assert 'class="error-summary"' in page
    assert '<a href="#email">' in page
