"""The applications list's rows are cached as HTML under the programme's data revision: after
each kind of write that changes what a row shows (through the ORM, a bulk UPDATE or raw SQL),
the rows a coordinator sees equal rows rendered afresh, on both databases, with the
in-process cache and with Redis; a co-chair's rows stay her region's; a view of unchanged data
reads no row."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text, update

from mentoring.extensions import cache, db
from mentoring.models import EnrolmentLanguage, EnrolmentStatus, EnrolmentTopic, Region, Role, Topic
from mentoring.services import revision_cache
from tests.conftest import PASSWORD
from tests.helpers import sql_statements
from tests.web.test_dashboard_cache import app_config  # noqa: F401 - both caches

#: The list's rows: the <tbody> of the table inside the decision form.
ROWS = re.compile(r'<form method="post" action="[^"]*/applications/decide".*?<tbody>(.*?)</tbody>',
                  re.DOTALL)


@pytest.fixture
def listed(app, make_programme, make_user, make_enrolment, coordinator, auth):
    """A programme with applications in Africa (ATU) and Europe (CEPT), its coordinator
    signed in."""
    cache.clear()
    programme = make_programme()
    people = {}
    for name, role, country in (("ke", Role.MENTEE, "KE"), ("ng", Role.MENTOR, "NG"),
                                ("fr", Role.MENTEE, "FR"), ("de", Role.MENTOR, "DE")):
        people[name] = make_enrolment(programme, make_user(name=f"Person {name.upper()}"),
                                      role=role, country=country)
    db.session.commit()
    auth.login(coordinator(programme))
    return programme, people


def _rows(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    found = ROWS.search(response.text)
    return found.group(1) if found else ""


def _fresh_rows(client, url: str, monkeypatch) -> str:
    """The rows rendered with the cache bypassed (as before there was one)."""
    with monkeypatch.context() as uncached:
        uncached.setattr(revision_cache, "revision", lambda _programme_id: None)
        return _rows(client, url)


def _renamed(programme, people):
    people["ke"].user.name = "Wanjiru Kamau"


def _new_address(programme, people):
    people["ng"].user.email = "new-address@example.org"


def _renamed_by_raw_sql(programme, people):
    db.session.execute(text("""UPDATE "user" SET name = 'Raw Name' WHERE id = :id"""),
                       {"id": people["fr"].user_id})


def _topic_relabelled(programme, people):
    programme.topics[0].label = "Spectrum management"


def _topic_translated(programme, people):
    programme.topics[0].translations = {"ar": "إدارة الطيف"}


def _topics_changed(programme, people):
    db.session.add(EnrolmentTopic(enrolment_id=people["ke"].id,
                                  topic_id=programme.topics[1].id, rank=2))


def _language_added(programme, people):
    db.session.add(EnrolmentLanguage(enrolment_id=people["de"].id, code="fr"))


def _accepted(programme, people):
    people["ke"].status = EnrolmentStatus.ACCEPTED


def _accepted_in_bulk(programme, people):
    db.session.execute(update(type(people["ke"])).values(status=EnrolmentStatus.WAITLISTED))


def _region_renamed(programme, people):
    db.session.execute(update(Region).where(Region.id == people["ke"].region_id)
                       .values(code="AFR"))


def _topic_deleted(programme, people):
    db.session.delete(db.session.get(Topic, programme.topics[0].id))


WRITES = [_renamed, _new_address, _renamed_by_raw_sql, _topic_relabelled, _topic_translated,
          _topics_changed, _language_added, _accepted, _accepted_in_bulk, _region_renamed,
          _topic_deleted]
#: The writes that change what the rows show (a translation shows on other pages).
SHOWN = set(WRITES) - {_topic_translated}


@pytest.mark.parametrize("write", WRITES, ids=lambda write: write.__name__.strip("_"))
def test_the_rows_after_a_write_equal_rows_rendered_afresh(listed, client, write,
                                                           monkeypatch):
    programme, people = listed
    urls = [f"/coordinate/{programme.slug}/applications{query}"
            for query in ("", "?role=mentee", "?q=person", "?per_page=2&page=2")]
    before = [_rows(client, url) for url in urls]
    assert [_rows(client, url) for url in urls] == before  # now from the cache
    write(programme, people)
    db.session.commit()
    after = [_rows(client, url) for url in urls]
    assert after == [_fresh_rows(client, url, monkeypatch) for url in urls]
    if write in SHOWN:
        assert after[0] != before[0]


def test_unchanged_rows_come_from_the_cache_without_reading_a_row(listed, client):
    programme, people = listed
    url = f"/coordinate/{programme.slug}/applications?topic={programme.topics[0].id}"
    db.session.expire_all()
    with sql_statements() as computed:
        first = _rows(client, url)
    db.session.expire_all()
    with sql_statements() as cached:
        again = _rows(client, url)
    assert again == first and "Person KE" in first
    reads_rows = [s for s in computed if "enrolment_language" in s or "LIMIT" in s.upper()
                  or "count(" in s]
    assert len(reads_rows) >= 3  # the page's keys, its rows, their languages and topics
    assert not [s for s in cached if "enrolment_language" in s or "LIMIT" in s.upper()
                or "count(" in s]
    assert len(cached) <= len(computed) - 3


def test_a_co_chairs_rows_stay_her_regions(listed, app, coordinator, monkeypatch):
    programme, people = listed
    co_chair = app.test_client()
    co_chair.post("/login", data={"email": coordinator(programme, "ATU").email,
                                  "password": PASSWORD})
    url = f"/coordinate/{programme.slug}/applications"
    hers = _rows(co_chair, url)
    assert "Person KE" in hers and "Person FR" not in hers
    whole = app.test_client()
    whole.post("/login", data={"email": coordinator(programme).email,
                               "password": PASSWORD})
    assert "Person FR" in _rows(whole, url)
    _renamed(programme, people)
    db.session.commit()
    assert _rows(co_chair, url) == _fresh_rows(co_chair, url, monkeypatch)
    assert "Wanjiru Kamau" in _rows(co_chair, url)
    assert "Person FR" not in _rows(co_chair, url)


def test_arabic_and_english_rows_differ(listed, app, coordinator):
    programme, people = listed
    url = f"/coordinate/{programme.slug}/applications"
    rows = {}
    for locale in ("en", "ar"):
        person = app.test_client()
        person.post("/login", data={"email": coordinator(programme, locale=locale).email,
                                    "password": PASSWORD})
        rows[locale] = _rows(person, url)
    assert "<td>mentee</td>" in rows["en"] and "<td>مسترشد</td>" in rows["ar"]
    assert "Kenya" in rows["en"] and "كينيا" in rows["ar"]
