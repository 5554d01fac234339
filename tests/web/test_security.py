"""Security that every page carries: CSRF, headers, cookies, rate limits, error pages."""

import pytest
from sqlalchemy import func, select

from mentoring.extensions import db
from mentoring.models import User
from tests.conftest import PASSWORD


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def test_post_without_csrf_token_is_refused_and_changes_nothing(client):
    response = client.post("/register", data={
        "name": "Amina", "email": "amina@example.org", "password": "orbit spectrum filing",
        "confirm": "orbit spectrum filing"})
    assert response.status_code == 400
    assert "The form has expired" in response.text
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_sign_out_needs_the_token_too(client, make_user):
    user = make_user()
    page = client.get("/login")
    token = page.text.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert client.get("/me/programmes").status_code == 200
    assert client.post("/logout").status_code == 400
    assert client.get("/me/programmes").status_code == 200


def test_security_headers_on_pages(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_script(client):
    for path in ["/", "/login", "/register"]:
        text = client.get(path).text
        assert "<script>" not in text and " onclick=" not in text and "javascript:" not in text


def test_session_cookie_is_http_only_and_same_site(client):
    client.get("/login")  # the CSRF token starts a session
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert cookie.http_only and cookie.same_site == "Lax"


def test_cookies_are_secure_outside_development(database_url):
    from mentoring import create_app

    production = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x"})
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert production.config["REMEMBER_COOKIE_SECURE"] is True
    development = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x",
                              "MENTORING_ENV": "development"})
    assert development.config["SESSION_COOKIE_SECURE"] is False


def test_secret_key_is_generated_into_the_instance_folder_once(tmp_path, monkeypatch):
    from mentoring.config import load_secret_key

    first = load_secret_key(str(tmp_path))
    assert len(first) == 64
    assert load_secret_key(str(tmp_path)) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_unknown_page_gets_the_404_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404 and "There is nothing at this address." in response.text


def test_postgres_style_database_url_is_normalised():
    from mentoring.config import database_url

    assert database_url("postgres://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert database_url("sqlite:///x.db") == "sqlite:///x.db"


class TestRateLimit:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute",
                "LOGIN_MAX_FAILURES": 100}

    def test_sign_in_attempts_are_rate_limited(self, client, make_user):
        user = make_user()
        codes = [client.post("/login", data={"email": user.email, "password": "wrong one"}
                             ).status_code for _ in range(4)]
        assert codes[:3] == [200, 200, 200]
        assert codes[3] == 429
