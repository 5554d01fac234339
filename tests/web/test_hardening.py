"""What an attacker probing the site tries, and what he finds: hosts the site does not serve,
numbers too large, pages kept in a shared cache, look-alike addresses, a proxy in front and a
rate-limit store that is down."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from mentoring import create_app
from mentoring.extensions import db
from mentoring.models import User
from tests.conftest import PASSWORD
from tests.helpers import emails

HUGE = "99999999999999999999"  # more than any integer column holds (2**64 is 20 digits)
OVER_INT4 = str(2**31)  # fits a 64-bit integer, not PostgreSQL's integer


def user_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(User))


# ---- 1. hosts the site does not serve ------------------------------------------------------

def test_a_request_for_another_host_is_refused(client):
    response = client.get("/", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "evil.example" not in response.text


def test_password_reset_asked_through_another_host_is_refused(client, make_user):
    make_user("amina@example.org")
    response = client.post("/password/forgot", data={"email": "amina@example.org"},
                           headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert not emails()


def test_the_served_hosts_are_accepted(client):
    assert client.get("/", headers={"Host": "localhost"}).status_code == 200
    assert client.get("/", headers={"Host": "localhost:5000"}).status_code == 200
    assert client.get("/", headers={"Host": "127.0.0.1:5000"}).status_code == 200


def test_trusted_hosts_default_to_localhost_and_the_host_of_base_url(monkeypatch, database_url):
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x",
                      "BASE_URL": "https://mentoring.itu.int/"})
    assert set(app.config["TRUSTED_HOSTS"]) == {"127.0.0.1", "localhost", "mentoring.itu.int"}


def test_trusted_hosts_come_from_the_environment_as_a_list(monkeypatch, database_url):
    monkeypatch.setenv("TRUSTED_HOSTS", "mentoring.itu.int, .itu.int")
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x"})
    assert app.config["TRUSTED_HOSTS"] == ["mentoring.itu.int", ".itu.int"]


# ---- 7. numbers too large ------------------------------------------------------------------

@pytest.mark.parametrize("number", [HUGE, OVER_INT4])
def test_a_pair_number_too_large_is_not_found(client, auth, make_user, number):
    auth.login(make_user())
    assert client.get(f"/pairs/{number}").status_code == 404
    assert client.get(f"/sessions/{number}/edit").status_code == 404


@pytest.mark.parametrize("number", [HUGE, OVER_INT4])
def test_an_application_number_too_large_is_not_found(client, auth, make_programme,
                                                       coordinator, number):
    programme = make_programme()
    auth.login(coordinator(programme))
    response = client.get(f"/coordinate/{programme.slug}/applications/{number}")
    assert response.status_code == 404


def test_the_largest_id_a_database_column_holds_is_simply_not_found(client, auth, make_user):
    auth.login(make_user())
    assert client.get(f"/pairs/{2**31 - 1}").status_code == 404


@pytest.mark.parametrize("number", [HUGE, OVER_INT4, "1" + "0" * 40])
def test_a_page_number_too_large_goes_to_the_last_page(client, auth, make_programme,
                                                        make_enrolment, coordinator, number):
    programme = make_programme()
    for _ in range(3):
        make_enrolment(programme)
    auth.login(coordinator(programme))
    response = client.get(f"/coordinate/{programme.slug}/applications?per_page=2&page={number}")
    assert response.status_code == 302
    assert "page=2" in response.location and number not in response.location


@pytest.mark.parametrize("number", [HUGE, "²", "-3"])
def test_a_filter_number_that_is_not_an_id_is_ignored(client, auth, make_programme,
                                                      coordinator, number):
    programme = make_programme()
    auth.login(coordinator(programme))
    response = client.get(f"/coordinate/{programme.slug}/applications?region={number}"
                          f"&topic={number}&per_page={number}")
    assert response.status_code == 200
    response = client.get(f"/coordinate/{programme.slug}/pairs?region={number}&topic={number}")
    assert response.status_code == 200


# ---- 10. no copies in caches; CSV headers; look-alike addresses ----------------------------

def test_pages_of_a_signed_in_person_are_not_stored_by_caches(client, auth, make_user):
    auth.login(make_user())
    for path in ["/me/programmes", "/account", "/"]:
        response = client.get(path)
        assert response.status_code == 200
        assert "no-store" in response.headers.get("Cache-Control", ""), path


def test_exports_are_not_stored_by_caches_and_say_their_charset_once(client, auth,
                                                                    make_programme, coordinator):
    programme = make_programme()
    auth.login(coordinator(programme))
    response = client.get(f"/coordinate/{programme.slug}/applications.csv")
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_static_files_keep_their_caching(client, auth, make_user):
    auth.login(make_user())
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    response.close()


def test_a_full_width_look_alike_address_is_stored_as_the_plain_one(client):
    client.post("/register", data={
        "name": "Amina", "email": "ａｍｉｎａ@ｅｘａｍｐｌｅ.org",
        "password": "orbit spectrum filing", "confirm": "orbit spectrum filing"})
    assert db.session.scalar(select(User.email)) == "amina@example.org"


def test_a_look_alike_of_an_existing_address_cannot_register(client, make_user):
    make_user("admin@example.org")
    response = client.post("/register", data={
        "name": "Mallory", "email": "ＡＤＭＩＮ@example.org", "password": "orbit spectrum filing",
        "confirm": "orbit spectrum filing"})
    # The address is taken: as for any taken address, nothing is created and its owner is told.
    assert response.status_code == 302
    assert user_count() == 1
    (notice,) = emails("account-exists")
    assert notice.recipient == "admin@example.org"


def test_a_look_alike_of_another_address_cannot_be_taken_in_account_settings(
        client, auth, make_user):
    make_user("admin@example.org")
    mallory = make_user("mallory@example.org")
    auth.login(mallory)
    response = client.post("/account", data={
        "name": "Mallory", "email": "ａdmin@example.org", "locale": "", "timezone": "",
        "current_password": PASSWORD})
    assert "An account with this email address already exists." in response.text
    db.session.expire_all()
    assert db.session.get(User, mallory.id).email == "mallory@example.org"


def test_signing_in_with_the_full_width_form_of_the_address_works(client, auth, make_user):
    make_user("amina@example.org")
    assert auth.login("ａｍｉｎａ@example.org").status_code == 302


# ---- 11. behind the TLS proxy; the rate-limit store down -----------------------------------

class TestBehindTheProxy:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "2 per minute",
                "LOGIN_MAX_FAILURES": 100, "PROXY_COUNT": 1}

    def sign_in(self, client, address):
        return client.post("/login", data={"email": "x@example.org", "password": "wrong one"},
                           headers={"X-Forwarded-For": address}).status_code

    def test_two_people_behind_the_proxy_do_not_share_the_sign_in_limit(self, client):
        assert [self.sign_in(client, "203.0.113.7") for _ in range(3)] == [200, 200, 429]
        assert self.sign_in(client, "198.51.100.9") == 200

    def test_an_address_made_up_in_front_of_the_proxy_does_not_reset_the_limit(self, client):
        # The proxy appends the address it saw; only the last one is trusted.
        codes = [self.sign_in(client, f"10.0.0.{n}, 203.0.113.7") for n in range(3)]
        assert codes == [200, 200, 429]


def test_without_proxy_count_the_forwarded_address_is_ignored(database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x",
                      "TESTING": True, "SERVER_NAME": "localhost", "WTF_CSRF_ENABLED": False,
                      "LOGIN_RATE_LIMIT": "2 per minute", "LOGIN_MAX_FAILURES": 100})
    client = app.test_client()
    codes = [client.post("/login", data={"email": "x@example.org", "password": "wrong one"},
                         headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code
             for n in range(3)]
    assert codes == [200, 200, 429]


class TestRateLimitStoreDown:
    @pytest.fixture
    def app_config(self):
        pytest.importorskip("redis")
        return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1"}

    def test_sign_in_still_answers_when_the_rate_limit_store_is_down(self, client, make_user):
        user = make_user()
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302
