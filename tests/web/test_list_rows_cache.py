"""The applications and pairs lists' rows are cached as HTML under the programme's data
revision: after each kind of write that changes what a row shows (through the ORM, a bulk
UPDATE or raw SQL), the rows a coordinator sees equal rows rendered afresh, on both databases,
with the in-process cache and with Redis; a co-chair's rows stay her region's; a view of
unchanged data reads no row; rows made of other words (a deploy) are keyed apart."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select, text, update

from mentoring.extensions import cache, db
from mentoring.models import (
    ConsentState,
    EnrolmentLanguage,
    EnrolmentStatus,
    EnrolmentTopic,
    MentorConsent,
    PairingStatus,
    Region,
    Role,
    Topic,
)
from mentoring.services import revision_cache
from tests.conftest import PASSWORD
from tests.helpers import sql_statements
from tests.web import test_pair_actions as pair_actions
from tests.web.test_dashboard_cache import app_config  # noqa: F401 - both caches
from tests.web.test_pair_actions import topic_id

#: The pairs page's fixtures: Amina and Nadia proposed with Claire and Bruno by a run.
matching_programme, person, two_pairs = (pair_actions.matching_programme, pair_actions.person,
                                         pair_actions.two_pairs)

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


def _viewed_twice(rows_of, client, url: str) -> tuple[list[str], list[str], str]:
    """The statements of a first view (which renders the rows) and of a second one, and
    the rows (which must be the same)."""
    seen = []
    for _view in range(2):
        db.session.expire_all()
        with sql_statements() as statements:
            rows = rows_of(client, url)
        seen.append((statements, rows))
    assert seen[0][1] == seen[1][1]
    return seen[0][0], seen[1][0], rows


def test_unchanged_rows_come_from_the_cache_without_reading_a_row(listed, client):
    programme, people = listed
    url = f"/coordinate/{programme.slug}/applications?topic={programme.topics[0].id}"
    computed, cached, first = _viewed_twice(_rows, client, url)
    assert "Person KE" in first
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


# ---- the pairs list ------------------------------------------------------------------------

#: The pairs list's rows.
PAIR_ROWS = re.compile(r'<ul class="pairs">.*?</ul>', re.DOTALL)
TOKENS = re.compile(r'name="csrf_token" value="([^"]+)"')


def _pair_rows(client, url: str) -> str:
    """The rows, their CSRF tokens left out (signed with the time, they differ by the
    second; the token test looks at them)."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    found = PAIR_ROWS.search(response.text)
    return TOKENS.sub('name="csrf_token" value="(token)"', found.group(0)) if found else ""


def _fresh_pair_rows(client, url: str, monkeypatch) -> str:
    with monkeypatch.context() as uncached:
        uncached.setattr(revision_cache, "revision", lambda _programme_id: None)
        return _pair_rows(client, url)


def _pair_approved(people):
    people["first"].status = PairingStatus.APPROVED


def _mentor_renamed(people):
    people["claire"].user.name = "Claire Dubois"


def _locked_by_raw_sql(people):
    db.session.execute(text("UPDATE pairing SET locked = TRUE WHERE id = :id"),
                       {"id": people["second"].id})


def _mentor_asked(people):
    people["programme"].mentor_consent = True
    db.session.add(MentorConsent(pairing_id=people["first"].id,
                                 programme_id=people["programme"].id, state=ConsentState.ASKED))


def _mentor_answered_by_raw_sql(people):
    db.session.execute(text("UPDATE mentor_consent SET state = 'accepted'"))


def _run_compared_with_a_previous_one(people):
    db.session.execute(text("""UPDATE matching_run SET diff = '{"kept": 1}'"""))


def _pairs_region_renamed(people):
    db.session.execute(update(Region).where(Region.id == people["amina"].region_id)
                       .values(code="AFR"))


def _pairs_topic_relabelled(people):
    db.session.get(Topic, topic_id(people["programme"], "Negotiation")).label = "Negotiating"


PAIR_WRITES = [_pair_approved, _mentor_renamed, _locked_by_raw_sql, _mentor_asked,
               _mentor_answered_by_raw_sql, _run_compared_with_a_previous_one,
               _pairs_region_renamed, _pairs_topic_relabelled]


def test_the_pair_rows_after_each_write_equal_rows_rendered_afresh(two_pairs, client,
                                                                   monkeypatch):
    programme = two_pairs["programme"]
    urls = [f"/coordinate/{programme.slug}/pairs{query}"
            for query in ("", "?sort=-score", "?sort=name&status=proposed")]
    for write in PAIR_WRITES:
        before = [_pair_rows(client, url) for url in urls]
        assert [_pair_rows(client, url) for url in urls] == before  # now from the cache
        write(two_pairs)
        db.session.commit()
        after = [_pair_rows(client, url) for url in urls]
        assert after == [_fresh_pair_rows(client, url, monkeypatch) for url in urls], write
        assert after[0] != before[0], write.__name__


def test_the_pair_rows_follow_the_consent_deadline_without_a_write(two_pairs, client,
                                                                     monkeypatch):
    """A consent deadline passes with no write: the rows say so at once."""
    _pair_approved(two_pairs)
    _mentor_asked(two_pairs)
    two_pairs["programme"].consent_deadline = date(2026, 6, 30)
    db.session.commit()
    url = f"/coordinate/{two_pairs['programme'].slug}/pairs"
    monkeypatch.setattr("mentoring.services.consent.today", lambda: date(2026, 6, 30))
    assert "Mentor asked; no answer yet." in _pair_rows(client, url)
    monkeypatch.setattr("mentoring.services.consent.today", lambda: date(2026, 7, 1))
    assert "No answer by the deadline." in _pair_rows(client, url)


def test_each_person_and_request_gets_its_own_token_and_address_in_cached_rows(
        two_pairs, app, client, coordinator):
    programme = two_pairs["programme"]
    url = f"/coordinate/{programme.slug}/pairs"
    other = app.test_client()
    other.post("/login", data={"email": coordinator(programme).email, "password": PASSWORD})
    seen = {}
    for name, viewer, query in (("first", client, "?sort=score"), ("other", other, "")):
        page = viewer.get(url + query).text  # the other's view is a hit (same rows)
        tokens = set(TOKENS.findall(PAIR_ROWS.search(page).group(0)))
        assert tokens == {TOKENS.search(page).group(1)}  # the page's own, outside the rows
        assert f'name="back" value="/coordinate/{programme.slug}/pairs{query or "?"}"' in page
        seen[name] = tokens
    assert seen["first"] != seen["other"]
    assert "<csrf-token>" not in page and "<back-address>" not in page


def test_unchanged_pair_rows_come_from_the_cache_without_reading_a_pair(two_pairs, client):
    url = f"/coordinate/{two_pairs['programme'].slug}/pairs"
    computed, cached, first = _viewed_twice(_pair_rows, client, url)
    assert "Amina Diallo" in first
    assert len(cached) <= len(computed) - 3  # the page's keys, its pairs, the names
    assert not [s for s in cached if "LIMIT" in s.upper() and "pairing" in s]


def test_a_co_chairs_pair_rows_stay_her_regions_in_her_language(two_pairs, app, client,
                                                                 coordinator, monkeypatch):
    programme = two_pairs["programme"]
    url = f"/coordinate/{programme.slug}/pairs"
    co_chair = app.test_client()
    co_chair.post("/login", data={"email": coordinator(programme, "CEPT", locale="ar").email,
                                  "password": PASSWORD})
    everyone = _pair_rows(client, url)
    assert "Amina Diallo" in everyone and "Nadia Hassan" in everyone
    assert _pair_rows(co_chair, url) == ""  # no mentee of hers is paired
    _pairs_region_renamed(two_pairs)
    db.session.execute(update(type(two_pairs["amina"])).where(
        type(two_pairs["amina"]).id == two_pairs["amina"].id).values(
        region_id=db.session.scalar(select(Region.id).where(
            Region.programme_id == programme.id, Region.code == "CEPT"))))
    db.session.commit()
    hers = _pair_rows(co_chair, url)
    assert hers == _fresh_pair_rows(co_chair, url, monkeypatch)
    assert "Amina Diallo" in hers and "Nadia Hassan" not in hers
    assert "اعتماد" in hers and "Approve" in _pair_rows(client, url)


def test_rows_in_other_words_after_a_deploy_are_keyed_apart(tmp_path, monkeypatch):
    """Cached rows outlive a deploy (Redis): the words they are made of (each catalogue, the
    macros, the shared filters and phrases) are part of their key, so a deploy that changes a
    translation does not serve last week's rows until the programme's next write."""
    names = {path.name for path in revision_cache.html_files()}
    assert {"lists.html", "templating.py", "explanations.py"} <= names
    catalogues = {path.parts[-3] for path in revision_cache.html_files() if path.suffix == ".po"}
    assert catalogues == {"ar", "es", "fr", "ru", "zh"}
    before = revision_cache.html_code()
    changed = tmp_path / "messages.po"
    changed.write_text('msgid "Approve"\nmsgstr "Approuver maintenant"\n')
    files = revision_cache.html_files()
    monkeypatch.setattr(revision_cache, "html_files", lambda: [
        changed if path.parts[-3] == "fr" and path.suffix == ".po" else path
        for path in files])
    assert revision_cache.html_code() != before
