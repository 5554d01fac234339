"""The six interface languages: which one a page is in, the switcher, programme content per
language, emails in the recipient's language, Babel formatting."""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path

import pytest
from babel.dates import get_timezone_location
from babel.support import Translations
from sqlalchemy import select

from mentoring.extensions import db
from mentoring.models import (
    AuditEvent,
    EnrolmentStatus,
    Pairing,
    PairingStatus,
    Programme,
    Role,
    Survey,
    User,
)
from mentoring.models._types import utcnow
from tests.helpers import emails

TRANSLATIONS = Path(__file__).resolve().parents[2] / "mentoring" / "translations"
ARABIC = re.compile(r"[\u0600-\u06FF]")
HAN = re.compile(r"[\u4e00-\u9fff]")


def tr(locale: str, message: str) -> str:
    """The compiled catalogue's translation (what the site must show in that language)."""
    translations = Translations.load(str(TRANSLATIONS), [locale])
    assert isinstance(translations, Translations), f"no compiled catalogue for {locale}"
    text = translations.gettext(message)
    assert text != message, f"{message!r} is not translated into {locale}"
    return text


def trn(locale: str, singular: str, plural: str, num: int) -> str:
    """The compiled catalogue's plural form for ``num``, with the number in it."""
    translations = Translations.load(str(TRANSLATIONS), [locale])
    text = translations.ngettext(singular, plural, num)
    assert text not in (singular, plural), f"{singular!r} is not translated into {locale}"
    return text % {"num": num}


def html_tag(page) -> str:
    return re.search(r"<html[^>]*>", page.text).group(0)


@pytest.fixture
def programme(make_programme):
    return make_programme(name="NOW4WRC27", slug="now4wrc27",
                          description="Mentoring for WRC-27 delegates.")


def test_a_page_asked_for_in_arabic_is_arabic_and_right_to_left(client, programme):
    page = client.get("/", headers={"Accept-Language": "ar"})
    assert 'lang="ar"' in html_tag(page) and 'dir="rtl"' in html_tag(page)
    # The words, not only the attribute: a missing catalogue would fall back to English.
    assert tr("ar", "Programmes") in page.text
    assert ARABIC.search(tr("ar", "Programmes"))
    assert ">Programmes<" not in page.text


@pytest.mark.parametrize("locale", ["zh", "fr", "ru", "es"])
def test_each_language_is_left_to_right_with_its_own_words(client, programme, locale):
    page = client.get("/", headers={"Accept-Language": locale})
    assert f'lang="{locale}"' in html_tag(page) and 'dir="ltr"' in html_tag(page)
    assert tr(locale, "Create account") in page.text


def test_the_browser_language_is_matched_by_its_primary_tag(client, programme):
    page = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert 'lang="zh"' in html_tag(page)
    assert HAN.search(page.text)
    page = client.get("/", headers={"Accept-Language": "de-CH, fr;q=0.8"})
    assert 'lang="fr"' in html_tag(page)


def test_without_a_browser_language_a_programme_page_uses_its_default(client, make_programme):
    make_programme(name="Réseau", slug="reseau", default_locale="fr")
    page = client.get("/programmes/reseau")
    assert 'lang="fr"' in html_tag(page)
    assert 'lang="en"' in html_tag(client.get("/"))  # the site's default elsewhere
    # The browser's language comes before the programme's.
    assert 'lang="es"' in html_tag(client.get("/programmes/reseau",
                                              headers={"Accept-Language": "es"}))


def test_the_switcher_keeps_the_page_and_the_choice(client, programme):
    page = client.get(f"/programmes/{programme.slug}?tab=1")
    assert 'name="next" value="/programmes/now4wrc27?tab=1"' in page.text
    assert 'value="ru"' in page.text and "Русский" in page.text
    answer = client.post("/language", data={"locale": "ru", "next": "/programmes/now4wrc27?tab=1"})
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/programmes/now4wrc27?tab=1")
    page = client.get("/programmes/now4wrc27", headers={"Accept-Language": "en"})
    assert 'lang="ru"' in html_tag(page)  # the choice beats the browser's language
    assert tr("ru", "Programmes") in page.text


def test_the_switcher_refuses_other_sites_and_unknown_languages(client, programme):
    answer = client.post("/language", data={"locale": "fr", "next": "https://evil.example/x"})
    assert answer.status_code == 302 and "evil.example" not in answer.headers["Location"]
    assert client.post("/language", data={"locale": "xx", "next": "/"}).status_code == 400
    assert client.get("/language").status_code == 405


def test_the_switcher_needs_the_csrf_token(app, programme):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        answer = app.test_client().post("/language", data={"locale": "fr", "next": "/"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert answer.status_code == 400


def test_a_signed_in_person_keeps_the_language_in_her_account(client, auth, make_user,
                                                               programme):
    amina = make_user(name="Amina")
    auth.login(amina)
    client.post("/language", data={"locale": "ar", "next": "/me/programmes"})
    db.session.expire_all()
    assert db.session.get(User, amina.id).locale == "ar"
    auth.logout()
    # Signed in again from a browser that asks for English: her setting wins.
    fresh = client.application.test_client()
    type(auth)(fresh).login(amina)
    page = fresh.get("/me/programmes", headers={"Accept-Language": "en"})
    assert 'dir="rtl"' in html_tag(page)


def test_signing_up_in_a_language_keeps_it_for_emails(client, programme):
    client.post("/language", data={"locale": "es", "next": "/register"})
    client.post("/register", data={"name": "Lucía García", "email": "lucia@example.org",
                                   "password": "a long enough passphrase",
                                   "confirm": "a long enough passphrase"})
    user = db.session.scalar(select(User).where(User.email == "lucia@example.org"))
    assert user is not None and user.locale == "es"
    [mail] = emails("verify-email", to="lucia@example.org")
    assert mail.subject == tr("es", "Confirm your email address")


def test_decision_emails_are_in_each_recipients_language(client, auth, programme,
                                                         make_enrolment, make_user,
                                                         coordinator):
    french = make_enrolment(programme, make_user(email="claire@example.org", locale="fr"))
    russian = make_enrolment(programme, make_user(email="olga@example.org", locale="ru"))
    plain = make_enrolment(programme, make_user(email="ann@example.org"))
    auth.login(coordinator(programme))
    client.post(f"/coordinate/{programme.slug}/applications/decide",
                data={"ids": [french.id, russian.id, plain.id], "decision": "accepted"},
                headers={"Accept-Language": "ar"})
    [to_claire] = emails("decision", to="claire@example.org")
    [to_olga] = emails("decision", to="olga@example.org")
    [to_ann] = emails("decision", to="ann@example.org")
    wording = "You are accepted in %(programme)s"
    assert to_claire.subject == tr("fr", wording) % {"programme": "NOW4WRC27"}
    assert to_olga.subject == tr("ru", wording) % {"programme": "NOW4WRC27"}
    # No language of her own: the programme's default (English), not the coordinator's Arabic.
    assert to_ann.subject == wording % {"programme": "NOW4WRC27"}


def test_dates_and_numbers_follow_the_locale(client, make_programme):
    make_programme(name="Dated", slug="dated", applications_close=date(2027, 3, 5))
    english = client.get("/programmes/dated", headers={"Accept-Language": "en"}).text
    french = client.get("/programmes/dated", headers={"Accept-Language": "fr"}).text
    assert "Mar 5, 2027" in english
    assert "5 mars 2027" in french


# ---- programme content per language ---------------------------------------------------------

def test_a_coordinator_writes_the_programme_in_french(client, auth, programme, coordinator):
    auth.login(coordinator(programme))
    page = client.get(f"/coordinate/{programme.slug}/translations?lang=fr")
    assert page.status_code == 200 and "Mentoring for WRC-27 delegates." in page.text
    topic = programme.topics[0]
    region = programme.regions[0]
    answer = client.post(f"/coordinate/{programme.slug}/translations?lang=fr", data={
        "name": "NOW4WRC27 en français", "description": "Mentorat pour les délégués.",
        f"topic-{topic.id}": "Procédures réglementaires des satellites",
        f"region-{region.id}": "Région en français",
        "survey-mid-0": "Le mentorat vous est-il utile ?"})
    assert answer.status_code == 302
    french = client.get(f"/programmes/{programme.slug}", headers={"Accept-Language": "fr"})
    assert "NOW4WRC27 en français" in french.text
    assert "Mentorat pour les délégués." in french.text
    assert "Procédures réglementaires des satellites" in french.text
    # Fields left empty fall back to the default language.
    assert programme.topics[1].label in french.text
    english = client.get(f"/programmes/{programme.slug}", headers={"Accept-Language": "en"})
    assert "NOW4WRC27 en français" not in english.text and "NOW4WRC27" in english.text
    # Spanish has no version: the default language.
    spanish = client.get(f"/programmes/{programme.slug}", headers={"Accept-Language": "es"})
    assert "Mentoring for WRC-27 delegates." in spanish.text
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "programme.translations")) is not None


def test_too_long_a_translation_saves_nothing_and_keeps_what_was_typed(client, auth, programme,
                                                                       coordinator):
    auth.login(coordinator(programme))
    topic = programme.topics[0]
    page = client.post(f"/coordinate/{programme.slug}/translations?lang=es", data={
        "name": "Nombre", f"topic-{topic.id}": "x" * 200, "description": "y" * 5001})
    assert page.status_code == 200
    assert 'value="Nombre"' in page.text
    # Every field that is too long says so, not only the first.
    assert page.text.count('aria-invalid="true"') == 2
    assert "At most 160 characters." in page.text and "At most 5000 characters." in page.text
    db.session.expire_all()
    assert db.session.get(Programme, programme.id).translations == {}


def test_the_default_language_is_not_offered_and_unknown_languages_are_404(client, auth,
                                                                           programme,
                                                                           coordinator):
    auth.login(coordinator(programme))
    assert client.get(f"/coordinate/{programme.slug}/translations?lang=en").status_code == 404
    assert client.get(f"/coordinate/{programme.slug}/translations?lang=xx").status_code == 404


def test_only_the_programmes_own_coordinators_write_its_translations(client, auth, programme,
                                                                     make_programme,
                                                                     coordinator):
    other = make_programme(name="Other", slug="other")
    auth.login(coordinator(other))
    assert client.get(f"/coordinate/{programme.slug}/translations?lang=fr").status_code in (
        403, 404)
    assert client.post(f"/coordinate/{programme.slug}/translations?lang=fr",
                       data={"name": "Piraté"}).status_code in (403, 404)
    auth.logout()
    auth.login(coordinator(programme, region_code="ATU"))
    page = client.get(f"/coordinate/{programme.slug}/translations?lang=fr")
    assert page.status_code == 200 and "readonly" in page.text
    assert "Save the French version" not in page.text
    assert client.post(f"/coordinate/{programme.slug}/translations?lang=fr",
                       data={"name": "Piraté"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Programme, programme.id).translations == {}


def test_default_survey_questions_come_in_every_language(client, auth, programme, coordinator):
    from mentoring.services import surveys

    auth.login(coordinator(programme))
    page = client.get(f"/coordinate/{programme.slug}/surveys")
    assert "How useful is the mentoring for you so far?" in html.unescape(page.text)
    question = surveys.survey_for(programme, "mid").questions[0]
    assert question["text"] == "How useful is the mentoring for you so far?"
    assert question["translations"]["zh"] == tr(
        "zh", "How useful is the mentoring for you so far?")
    # Editing the questions keeps the translations of those left unchanged.
    client.post(f"/coordinate/{programme.slug}/surveys", data={
        "kind": "mid", "action": "save", "anonymous": "y",
        "questions": "rating: How useful is the mentoring for you so far?\ntext: Anything else?"})
    db.session.expire_all()
    survey = db.session.scalar(select(Survey).where(Survey.programme_id == programme.id,
                                                    Survey.kind == "mid"))
    assert survey.questions[0]["translations"]["zh"] == question["translations"]["zh"]
    assert "translations" not in survey.questions[1]


def test_a_mentee_answers_the_survey_in_her_language(client, auth, programme, make_enrolment,
                                                    make_user):
    from mentoring.services import surveys

    mentee = make_enrolment(programme, make_user(locale="fr"), status=EnrolmentStatus.ACCEPTED)
    mentor = make_enrolment(programme, role=Role.MENTOR, status=EnrolmentStatus.ACCEPTED)
    now = utcnow()
    db.session.add(Pairing(programme_id=programme.id, mentee=mentee, mentor=mentor,
                           status=PairingStatus.ACTIVE, source="manual", score=700,
                           decided_at=now, announced_at=now))
    mentee.live_pairs = mentor.live_pairs = 1
    survey = surveys.stored(surveys.survey_for(programme, "mid"))
    survey.sent_at = now
    db.session.commit()
    auth.login(mentee.user)
    page = client.get(f"/surveys/{survey.id}", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert tr("fr", "How useful is the mentoring for you so far?") in html.unescape(page.text)
    # Her mentor's time zone is named in French too.
    mine = html.unescape(client.get("/me/programmes").text)
    assert "Africa/Nairobi — " + get_timezone_location("Africa/Nairobi", locale="fr") in mine


def test_as_my_browser_asks_goes_back_to_the_browsers_language(client, auth, make_user,
                                                                programme):
    amina = make_user(name="Amina", locale="ar")
    auth.login(amina)
    client.post("/language", data={"locale": "ru", "next": "/account"})
    client.post("/account", data={"name": "Amina", "email": amina.email, "locale": "",
                                  "timezone": ""})
    db.session.expire_all()
    assert db.session.get(User, amina.id).locale == ""
    page = client.get("/account", headers={"Accept-Language": "es"})
    assert 'lang="es"' in html_tag(page)


def test_imported_people_are_invited_in_the_programmes_language(client, auth, make_programme,
                                                                coordinator):
    import io

    reseau = make_programme(name="Réseau", slug="reseau", default_locale="fr")
    auth.login(coordinator(reseau))
    content = ("E-mail,Full name,Applies as,Country,Languages,Topics\n"
               "awa@example.org,Awa Ndiaye,mentee,SN,French,Negotiation\n")
    client.post("/coordinate/reseau/import",
                data={"file": (io.BytesIO(content.encode()), "people.csv")},
                headers={"Accept-Language": "en"})
    [invitation] = emails("invitation", to="awa@example.org")
    assert invitation.subject == tr("fr", "Your application to %(programme)s") % {
        "programme": "Réseau"}
