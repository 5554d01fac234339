"""Passwords are judged by a strength estimator, with the reason in the person's language
(issue #13, finding 12)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from mentoring.extensions import db
from mentoring.models import User
from tests.conftest import PASSWORD
from tests.web.test_languages import tr

TOO_EASY = "This password is too easy to guess: add more words or characters."


def register(client, password, name="Amina Diallo", email="amina@example.org"):
    return client.post("/register", data={"name": name, "email": email, "password": password,
                                           "confirm": password})


def accounts() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


@pytest.mark.parametrize(("password", "reason"), [
    ("Password123!", "This password is too common or too simple to guess."),
    ("qwertyuiop12", "This password is too common or too simple to guess."),
    ("Amina Diallo 2026", "Do not use your name or email address in your password."),
    ("aminadiallo2026", "Do not use your name or email address in your password."),
    ("AminaDiallo-2026", "Do not use your name or email address in your password."),
    ("98765432109876", "Avoid sequences, repeated characters and keyboard patterns"),
    ("zzzzzzzzzzzzzz", "Avoid sequences, repeated characters and keyboard patterns"),
    ("12/05/1987abcd", "Avoid dates and years"),
])
def test_weak_passwords_are_refused_with_the_reason(client, password, reason):
    response = register(client, password)
    assert response.status_code == 200
    assert reason in response.text
    assert accounts() == 0


@pytest.mark.parametrize("password", ["Password123!", "qwertyuiop12", "letmein2020!"])
def test_guessable_passwords_are_called_too_easy_to_guess(client, password):
    assert TOO_EASY in register(client, password).text


@pytest.mark.parametrize("password", [PASSWORD, "orbit spectrum filing",
                                      "correct horse battery staple", "Nile river delegate pass"])
def test_a_passphrase_is_accepted(client, password):
    assert register(client, password).status_code == 302
    assert accounts() == 1


def test_a_very_long_passphrase_is_accepted(client):
    assert register(client, "seven rivers " * 20).status_code == 302


def test_the_reason_is_in_french_on_the_french_page(client):
    client.post("/language", data={"locale": "fr", "next": "/register"})
    response = register(client, "Password123!")
    assert 'lang="fr"' in response.text
    common = "This password is too common or too simple to guess."
    assert tr("fr", common) in response.text and common not in response.text
    assert accounts() == 0


def test_create_admin_refuses_a_guessable_password(runner, app):
    result = runner.invoke(args=["create-admin", "--email", "chief@example.org", "--name",
                                 "Chief", "--password", "Password123!"])
    assert result.exit_code != 0
    assert TOO_EASY in result.output
    assert accounts() == 0
