"""A mentor logs a session, the mentee confirms it from the emailed link, and the coordinator
sees the pair at work."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from mentoring.extensions import db
from mentoring.models import EnrolmentStatus, Pairing, PairingStatus, ProgrammeStatus, Role
from mentoring.models._types import utcnow
from tests.conftest import PASSWORD
from tests.helpers import emails, link_in


def test_mentor_logs_a_session_and_mentee_confirms_it_from_the_email(
        live_server, page, make_programme, make_user, make_enrolment, coordinator, shoot,
        axe_check):
    programme = make_programme(status=ProgrammeStatus.RUNNING, name="Women in Cyber 2027")
    mentor = make_user("claire@example.org", name="Claire Dubois")
    mentee = make_user("ngozi@example.org", name="Ngozi Okafor")
    mentor_enrolment = make_enrolment(programme, mentor, role=Role.MENTOR, country="FR",
                                      status=EnrolmentStatus.ACCEPTED)
    mentee_enrolment = make_enrolment(programme, mentee, country="NG",
                                      status=EnrolmentStatus.ACCEPTED)
    pairing = Pairing(programme_id=programme.id, mentee_id=mentee_enrolment.id,
                      mentor_id=mentor_enrolment.id, status=PairingStatus.ACTIVE, score=800,
                      announced_at=utcnow() - timedelta(days=20))
    mentor_enrolment.live_pairs = mentee_enrolment.live_pairs = 1
    db.session.add(pairing)
    db.session.commit()
    coordinator(programme, email="coordinator@example.org")

    def visit(step: str) -> None:
        axe_check(page, step)
        shoot(page, step)

    page.goto(live_server + "/login")
    page.get_by_label("Email address").fill("claire@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your mentee: Ngozi Okafor")).to_be_visible()
    visit("01-my-programmes")
    page.get_by_role("link", name="Sessions and notes").click()
    expect(page.get_by_text("No session logged yet.")).to_be_visible()
    visit("02-pair-page")
    page.get_by_role("link", name="Log a session").click()
    visit("03-log-form")
    held_on = (utcnow().date() - timedelta(days=2)).isoformat()
    page.get_by_label("Date of the session").fill(held_on)
    page.get_by_label("Duration in minutes").fill("45")
    page.get_by_label("Video call").check()
    page.get_by_label(programme.topics[0].label).check()
    page.get_by_label("Notes (only the two of you see them)").fill("Went through the agenda.")
    page.get_by_role("button", name="Save the session").click()
    expect(page.get_by_text("Session saved. Ngozi Okafor is asked to confirm it.")).to_be_visible()
    expect(page.get_by_role("cell", name="waiting for confirmation")).to_be_visible()
    visit("04-logged")
    page.get_by_role("button", name="Sign out").click()

    # The mentee opens the link in her email, without signing in.
    [message] = emails(kind="meeting-logged", to="ngozi@example.org")
    page.goto(live_server + link_in(message))
    expect(page.get_by_text(re.compile("Claire Dubois logged a session with you"))).to_be_visible()
    visit("05-confirm-link")
    page.get_by_role("button", name="Yes, it happened").click()
    expect(page.get_by_role("heading", name="Session confirmed")).to_be_visible()
    visit("06-confirmed")

    # The coordinator sees the pair at work, with one confirmed session.
    page.goto(live_server + "/login")
    page.get_by_label("Email address").fill("coordinator@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(live_server + f"/coordinate/{programme.slug}/activity")
    row = page.get_by_role("row", name=re.compile("Ngozi Okafor"))
    expect(row).to_contain_text("active")
    expect(row.locator("td").nth(3)).to_have_text("1")
    expect(row.locator("td").nth(5)).to_have_text("1")
    expect(page.get_by_text("Went through the agenda.")).to_have_count(0)  # notes stay private
    visit("07-coordinator-activity")
