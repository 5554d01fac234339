"""Every page this renovation touched, on a phone (390 x 844) in English and in Arabic (right
to left): it answers and nothing sticks out sideways."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mentoring.extensions import db
from mentoring.models import EnrolmentStatus, Meeting, MeetingFormat, Pairing, PairingStatus, Role
from mentoring.models._types import utcnow
from tests.conftest import PASSWORD

PHONE = {"width": 390, "height": 844}


def _active_pair(programme, mentee, mentor, author, **session) -> tuple[Pairing, Meeting]:
    """An announced pair of ``mentee`` and ``mentor`` with one session ``author`` logged."""
    announced = utcnow() - timedelta(days=20)
    pairing = Pairing(programme_id=programme.id, mentee_id=mentee.id, mentor_id=mentor.id,
                      status=PairingStatus.ACTIVE, score=700, source="manual",
                      decided_at=announced, announced_at=announced)
    mentee.live_pairs = mentor.live_pairs = 1
    db.session.add(pairing)
    db.session.flush()
    meeting = Meeting(pairing_id=pairing.id, author_id=author.user_id,
                      held_on=(utcnow() - timedelta(days=5)).date(), duration_minutes=60,
                      format=MeetingFormat.VIDEO, **session)
    db.session.add(meeting)
    db.session.commit()
    return pairing, meeting


def _sign_in(page, live_server, user) -> None:
    page.goto(live_server + "/login")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form [type=submit]").first.click()
    page.wait_for_url(lambda url: "/login" not in url)


def _open(page, live_server, path: str, locale: str) -> None:
    response = page.goto(live_server + path)
    assert response.status == 200, path
    assert page.locator("html").get_attribute("dir") == (
        "rtl" if locale == "ar" else "ltr"), path


def _too_wide(page):
    """None when the page fits the screen, else how far it sticks out and the last elements
    that push it."""
    extra = page.evaluate("document.documentElement.scrollWidth"
                          " - document.documentElement.clientWidth")
    if extra <= 0:
        return None
    return (extra, page.evaluate(
        "[...document.querySelectorAll('main *')].filter(e => e.scrollWidth >"
        " window.innerWidth && getComputedStyle(e).overflowX == 'visible')"
        ".slice(-3).map(e => e.tagName + '.' + e.className + ' ' + e.scrollWidth"
        " + ' ' + getComputedStyle(e).display)"))


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_the_changed_pages_fit_a_phone(live_server, browser, make_programme, make_enrolment,
                                       make_user, shoot, locale):
    programme = make_programme(name="NOW4WRC27", slug="now4wrc27")
    admin = make_user("admin@example.org", name="Layla Haddad", admin=True, locale=locale)
    mentee = make_enrolment(programme, status=EnrolmentStatus.ACCEPTED)
    mentor = make_enrolment(programme, role=Role.MENTOR, status=EnrolmentStatus.ACCEPTED)
    pairing, _meeting = _active_pair(programme, mentee, mentor, mentee)
    c = "/coordinate/now4wrc27"
    pages = [
        "/privacy", "/account", "/account/password", "/account/erase",
        "/programmes/now4wrc27/apply/mentee",
        f"{c}/applications", f"{c}/import", f"{c}/matching", f"{c}/pairs", f"{c}/pairs/manual",
        f"{c}/activity", f"{c}/pairs/{pairing.id}/sessions", f"{c}/surveys",
        f"{c}/translations?lang=fr", f"{c}/dashboard", f"{c}/audit",
        "/admin/emails", "/admin/users", "/admin/programmes/now4wrc27/edit",
    ]
    context = browser.new_context(locale=locale, viewport=PHONE)
    page = context.new_page()
    try:
        _sign_in(page, live_server, admin)
        wide = {}
        for path in pages:
            _open(page, live_server, path, locale)
            if too_wide := _too_wide(page):
                wide[path] = too_wide
                shoot(page, f"{locale}-wide-{path.strip('/').replace('/', '-')}")
        assert wide == {}, f"pages wider than the phone: {wide}"
    finally:
        context.close()


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_the_public_pair_and_review_pages_fit_a_phone_and_pass_axe(
        live_server, browser, make_programme, make_enrolment, make_user, coordinator, shoot,
        axe_check, locale):
    """The pages of the usability findings (issue #15): the home and programme pages, the
    sign-up form with its error summary, the emailed links (confirm, dispute, unsubscribe),
    a pair's own page, and an application's review page."""
    from urllib.parse import urlsplit

    from mentoring.services import meetings as meetings_service
    from mentoring.services.email_choices import unsubscribe_url

    programme = make_programme(name="NOW4WRC27", slug="now4wrc27", description=(
        "The Network of Women pairs new women delegates with experienced delegates."))
    mentee = make_enrolment(programme, make_user(locale=locale),
                            status=EnrolmentStatus.ACCEPTED)
    mentor = make_enrolment(programme, make_user(locale=locale), role=Role.MENTOR,
                            status=EnrolmentStatus.ACCEPTED)
    waiting = make_enrolment(programme, make_user(name="Nadia Hassan"))
    pairing, meeting = _active_pair(programme, mentee, mentor, mentor,
                                    notes="We did the drafting exercise.",
                                    next_steps="Send the draft to the chair.")
    confirm = "/sessions/confirm/" + meetings_service.confirm_token(meeting, mentee.user)
    unsubscribe = urlsplit(unsubscribe_url(mentee.user, "reminder-silent")).path
    lead = coordinator(programme, locale=locale)

    context = browser.new_context(locale=locale, viewport=PHONE)
    page = context.new_page()
    wide = {}

    def visit(path: str, *, submit_empty: bool = False) -> None:
        _open(page, live_server, path, locale)
        if submit_empty:
            page.locator("main form [type=submit]").first.click()
            page.wait_for_selector(".error-summary")
        if too_wide := _too_wide(page):
            wide[path] = too_wide
            shoot(page, f"{locale}-wide-{path.strip('/').replace('/', '-')[:40]}")
        axe_check(page, f"{path} ({locale})")

    try:
        for path in ("/", "/programmes/now4wrc27", confirm, confirm + "/dispute", unsubscribe):
            visit(path)
        visit("/register", submit_empty=True)
        _sign_in(page, live_server, mentee.user)
        visit(f"/pairs/{pairing.id}")
        page.context.clear_cookies()
        _sign_in(page, live_server, lead)
        c = "/coordinate/now4wrc27"
        for path in (f"{c}/applications", f"{c}/applications/{waiting.id}", f"{c}/pairs"):
            visit(path)
        assert wide == {}, f"pages wider than the phone: {wide}"
    finally:
        context.close()
