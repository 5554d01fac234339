"""An admin fixes a topic's name and removes a used topic on a phone, in English and in Arabic
(right to left): nothing sticks out sideways, axe is clean, and the removal asks first."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mentoring.extensions import db
from mentoring.models import Enrolment, Programme, ProgrammeStatus
from tests.conftest import PASSWORD

PHONE = {"width": 390, "height": 844}


def overflow(page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_admin_renames_and_removes_topics_on_a_phone(live_server, browser, make_programme,
                                                     make_user, make_enrolment, shoot,
                                                     axe_check, locale):
    programme = make_programme(slug="now4wrc27", status=ProgrammeStatus.OPEN)
    satellites, negotiation = programme.topics[0], programme.topics[1]
    applicant = make_enrolment(programme, topic_ids=[satellites.id, negotiation.id])
    make_user("admin@example.org", admin=True, locale=locale)
    context = browser.new_context(locale=locale, viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(live_server + "/login")
        page.locator("#email").fill("admin@example.org")
        page.locator("#password").fill(PASSWORD)
        page.locator("main form [type=submit]").first.click()
        page.wait_for_url(lambda url: "/login" not in url)

        page.goto(live_server + "/admin/programmes/now4wrc27/edit")
        assert page.locator("html").get_attribute("dir") == ("rtl" if locale == "ar" else "ltr")
        assert overflow(page) <= 0
        axe_check(page, f"{locale} edit form")
        shoot(page, f"{locale}-01-edit")

        page.locator("#topic_rows-1-label").fill("Negotiation skills")
        page.locator("#topic_rows-0-remove").check()
        page.locator("#submit").click()
        confirm = page.locator(f'input[name=confirm_removal][value="topic-{satellites.id}"]')
        confirm.wait_for()
        # What was typed is still there, and nothing was saved yet.
        assert page.locator("#topic_rows-1-label").input_value() == "Negotiation skills"
        assert overflow(page) <= 0
        axe_check(page, f"{locale} confirmation")
        shoot(page, f"{locale}-02-confirm")

        confirm.check()
        page.locator("#submit").click()
        page.wait_for_url(lambda url: url.endswith("/admin/programmes/now4wrc27"))
        db.session.expire_all()
        saved = db.session.scalar(select(Programme).where(Programme.slug == "now4wrc27"))
        assert saved.topics[0].id == negotiation.id
        assert saved.topics[0].label == "Negotiation skills"
        assert db.session.get(Enrolment, applicant.id).topic_labels == ["Negotiation skills"]
    finally:
        context.close()
