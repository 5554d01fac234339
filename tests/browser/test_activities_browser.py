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


#: A word of the interface wraps whole; only a token longer than this (a name without a space,
#: an address) may break inside itself.
WORD_MAX = 30
#: A title without a space, as long as the names that once widened the applications table.
LONG_TOKEN = "Oluwatobilobaoluwadamilareayomideoluwaseunfunmilayo" * 2 + "Adeyemi-Okonkwo"


def _words_broken(page, selector: str) -> list[str]:
    """The words (between spaces and hyphens) of the elements ``selector`` finds that begin
    on one line and end on another."""
    return page.evaluate("""([selector, longest]) => {
      const broken = [];
      for (const root of document.querySelectorAll(selector)) {
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          for (const word of node.data.matchAll(/[^\\s\\u002d\\u2010]+/g)) {
            if (word[0].length > longest) continue;
            const range = document.createRange();
            range.setStart(node, word.index);
            range.setEnd(node, word.index + word[0].length);
            const tops = new Set([...range.getClientRects()].filter(r => r.width > 0)
                                 .map(r => Math.round(r.top)));
            if (tops.size > 1) broken.push(word[0]);
          }
        }
      }
      return broken;
    }""", [selector, WORD_MAX])


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_on_a_phone_the_activities_lists_break_words_only_between_them(
        live_server, browser, make_programme, make_enrolment, make_user, coordinator, shoot,
        locale):
    """The words of the interface ("Registered", "Training", the days and zones) and of the
    titles keep whole; a title of one 117-letter word wraps inside its column."""
    programme = make_programme(status=ProgrammeStatus.RUNNING)
    mentee = make_enrolment(programme, make_user(locale=locale), status=EnrolmentStatus.ACCEPTED)
    for days, kind, title, places in (
            (9, ActivityKind.TALK, "Women leading national CERTs", None),
            (16, ActivityKind.TRAINING, "Negotiation skills for technical experts", 12),
            (23, ActivityKind.CIRCLE, "Mentoring circle: threat intelligence", 6),
            (30, ActivityKind.NETWORKING, LONG_TOKEN, 40),
            (-12, ActivityKind.TRAINING, TITLE, 20)):
        db.session.add(Activity(programme_id=programme.id, kind=kind, title=title,
                                starts_at=utcnow() + timedelta(days=days),
                                timezone="Europe/Zurich", duration_minutes=60, capacity=places))
    db.session.commit()
    context = browser.new_context(viewport=PHONE, locale=locale)
    page = context.new_page()
    try:
        _sign_in(page, live_server, coordinator(programme, locale=locale))
        page.goto(f"{live_server}/coordinate/{programme.slug}/activities")
        assert page.locator("html").get_attribute("dir") == ("rtl" if locale == "ar" else "ltr")
        assert page.locator("main .table tbody tr").count() == 5
        assert not (broken := _words_broken(page, "main .table")), broken
        header = page.locator("main .table th").filter(has_text=_said(locale, "Registered"))
        assert header.first.evaluate("e => e.scrollWidth <= e.clientWidth")
        long = page.get_by_role("link", name=LONG_TOKEN).bounding_box()
        assert long["height"] > 40 and 0 <= long["x"] and long["x"] + long["width"] <= 390
        assert (wide := _too_wide(page)) is None, wide
        shoot(page, f"coordinator-{locale}")

        context.clear_cookies()
        _sign_in(page, live_server, mentee.user)
        page.goto(live_server + "/me/programmes")
        assert page.locator("main .card").count() == 4
        assert not (broken := _words_broken(page, "main .card")), broken
        assert (wide := _too_wide(page)) is None, wide
    finally:
        context.close()
