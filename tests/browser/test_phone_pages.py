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


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_the_changed_pages_fit_a_phone(live_server, browser, make_programme, make_enrolment,
                                       make_user, shoot, locale):
    programme = make_programme(name="NOW4WRC27", slug="now4wrc27")
    admin = make_user("admin@example.org", name="Layla Haddad", admin=True, locale=locale)
    mentee = make_enrolment(programme, status=EnrolmentStatus.ACCEPTED)
    mentor = make_enrolment(programme, role=Role.MENTOR, status=EnrolmentStatus.ACCEPTED)
    announced = utcnow() - timedelta(days=20)
    pairing = Pairing(programme_id=programme.id, mentee_id=mentee.id, mentor_id=mentor.id,
                      status=PairingStatus.ACTIVE, score=700, source="manual",
                      decided_at=announced, announced_at=announced)
    mentee.live_pairs = mentor.live_pairs = 1
    db.session.add(pairing)
    db.session.flush()
    db.session.add(Meeting(pairing_id=pairing.id, author_id=mentee.user_id,
                           held_on=(utcnow() - timedelta(days=5)).date(), duration_minutes=60,
                           format=MeetingFormat.VIDEO))
    db.session.commit()
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
        page.goto(live_server + "/login")
        page.locator("#email").fill(admin.email)
        page.locator("#password").fill(PASSWORD)
        page.locator("main form [type=submit]").first.click()
        page.wait_for_url(lambda url: "/login" not in url)
        wide = {}
        for path in pages:
            response = page.goto(live_server + path)
            assert response.status == 200, path
            assert page.locator("html").get_attribute("dir") == (
                "rtl" if locale == "ar" else "ltr"), path
            extra = page.evaluate("document.documentElement.scrollWidth"
                                  " - document.documentElement.clientWidth")
            if extra > 0:
                wide[path] = (extra, page.evaluate(
                    "[...document.querySelectorAll('main *')].filter(e => e.scrollWidth >"
                    " window.innerWidth && getComputedStyle(e).overflowX == 'visible')"
                    ".slice(-3).map(e => e.tagName + '.' + e.className + ' ' + e.scrollWidth"
                    " + ' ' + getComputedStyle(e).display)"))
                shoot(page, f"{locale}-wide-{path.strip('/').replace('/', '-')}")
        assert wide == {}, f"pages wider than the phone: {wide}"
    finally:
        context.close()
