"""Group activities on a phone (390 x 844), in English and in Arabic (right to left): a
participant registers for a full activity and waits with her place in line shown; when the
person registered gives up her place, she is promoted and told by email."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext

from mentoring.extensions import db
from mentoring.models import Activity, ActivityKind, EnrolmentStatus, ProgrammeStatus
from mentoring.models._types import utcnow
from mentoring.services import activities
from tests.browser.test_phone_pages import PHONE, _sign_in, _too_wide
from tests.helpers import emails, link_in

TITLE = "Incident response tabletop exercise"


def _said(locale: str, words: str, **values) -> str:
    """What the page says in the person's language (the English until it is translated)."""
    with force_locale(locale):
        return gettext(words, **values)


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_on_a_phone_she_waits_for_a_full_activity_and_is_promoted_when_a_place_frees(
        live_server, browser, make_programme, make_enrolment, make_user, shoot, locale):
    programme = make_programme(status=ProgrammeStatus.RUNNING)
    first = make_enrolment(programme, make_user(locale=locale), status=EnrolmentStatus.ACCEPTED)
    second = make_enrolment(programme, make_user(name="Layla Haddad", locale=locale),
                            status=EnrolmentStatus.ACCEPTED)
    training = Activity(programme_id=programme.id, kind=ActivityKind.TRAINING, title=TITLE,
                        starts_at=utcnow() + timedelta(days=9), timezone="Africa/Nairobi",
                        duration_minutes=120, capacity=1,
                        location="https://meet.example.org/women-in-cyber/" + "x" * 90)
    db.session.add(training)
    db.session.flush()
    activities.register(first.user, training.id)
    db.session.commit()
    rtl = "rtl" if locale == "ar" else "ltr"

    context = browser.new_context(viewport=PHONE, locale=locale)
    page = context.new_page()
    theirs = browser.new_context(viewport=PHONE, locale=locale)
    other = theirs.new_page()
    try:
        _sign_in(page, live_server, second.user)
        page.goto(live_server + "/me/programmes")
        assert page.locator("html").get_attribute("dir") == rtl
        card = page.locator(".card", has_text=TITLE)
        assert _said(locale, "Full: register to join the waiting list.") in card.inner_text()
        card.get_by_role("link", name=TITLE).click()
        page.get_by_role("button", name=_said(locale, "Register")).click()
        page.wait_for_load_state()
        place = page.locator("#your-place ~ *").all_inner_texts()
        assert _said(locale, "You are on the waiting list.") in " ".join(place)
        assert _said(locale, "You are number %(position)d in line.", position=1) in " ".join(
            place)
        assert page.locator("html").get_attribute("dir") == rtl
        assert (wide := _too_wide(page)) is None, wide
        shoot(page, f"waiting-{locale}")
        assert emails(kind="activity") == []

        # The person registered gives up her place (after saying yes to the question).
        _sign_in(other, live_server, first.user)
        other.goto(f"{live_server}/activities/{training.id}")
        other.once("dialog", lambda dialog: dialog.accept())
        other.get_by_role("button", name=_said(locale, "Give up my place")).click()
        other.wait_for_load_state()
        assert other.get_by_role("button", name=_said(locale, "Register")).is_visible()

        page.reload()
        place = " ".join(page.locator("#your-place ~ *").all_inner_texts())
        assert _said(locale, "You are registered.") in place
        assert _said(locale, "You are on the waiting list.") not in place
        assert page.get_by_role("button", name=_said(locale, "Give up my place")).is_visible()
        assert (wide := _too_wide(page)) is None, wide
        shoot(page, f"promoted-{locale}")
        (email,) = emails(kind="activity")
        assert email.recipient == second.user.email
        assert email.subject == _said(locale, "A place is yours: %(title)s", title=TITLE)
        assert link_in(email) == f"/activities/{training.id}"
    finally:
        context.close()
        theirs.close()
