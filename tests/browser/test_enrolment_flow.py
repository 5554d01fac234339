"""A delegate registers, confirms her address, applies as mentee; a coordinator accepts her."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from mentoring.models import Role
from tests.helpers import emails, link_in


def test_delegate_applies_and_coordinator_accepts_her(live_server, page, make_programme,
                                                      coordinator, make_enrolment, shoot,
                                                      axe_check):
    programme = make_programme(name="NOW4WRC27 mentoring programme")
    make_enrolment(programme, role=Role.MENTOR, country="FR")
    coordinator(programme, email="coordinator@example.org")

    def visit(step: str) -> None:
        axe_check(page, step)
        shoot(page, step)

    # She finds the programme and creates an account.
    page.goto(live_server + "/")
    expect(page.get_by_role("heading", name="Mentoring programmes")).to_be_visible()
    visit("01-programmes")
    page.get_by_role("link", name="Create account").first.click()
    visit("02-register")
    page.get_by_label("Full name").fill("Fatima Alzahraa")
    page.get_by_label("Email address").fill("fatima@example.org")
    page.get_by_label(re.compile(r"^Password")).fill("orbit spectrum filing")  # "(required)"
    page.get_by_label("Repeat the password").fill("orbit spectrum filing")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("we have sent an email to fatima@example.org")).to_be_visible()
    visit("03-registered")

    # She confirms her address from the emailed link, and signs in.
    [message] = emails(kind="verify-email", to="fatima@example.org")
    page.goto(live_server + link_in(message))
    expect(page.get_by_text("your email address is confirmed")).to_be_visible()
    visit("04-confirmed")
    page.get_by_label("Email address").fill("fatima@example.org")
    page.get_by_label("Password").fill("orbit spectrum filing")
    page.get_by_role("button", name="Sign in").click()

    # She applies as mentee.
    page.goto(live_server + f"/programmes/{programme.slug}")
    visit("05-programme")
    page.get_by_role("link", name="Apply as mentee").click()
    expect(page.get_by_role("heading", name="Apply as mentee")).to_be_visible()
    visit("06-apply-form")
    page.get_by_label("Country").select_option(label="Egypt")
    page.get_by_label("Organisation or administration").fill("NTRA")
    page.get_by_label("Time zone").select_option("Africa/Cairo")
    page.get_by_label("Arabic").check()
    page.get_by_label("English").check()
    page.get_by_label("Most wanted topic").select_option(label=programme.topics[0].label)
    page.get_by_label("Second topic").select_option(label=programme.topics[1].label)
    page.get_by_label("Years of experience in the field").fill("2")
    page.get_by_label("I would like a woman mentor").check()
    page.get_by_label(re.compile("I agree that the coordinators")).check()
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_text("Your application to NOW4WRC27 mentoring programme is submitted."
                            )).to_be_visible()
    row = page.get_by_role("row", name=re.compile("NOW4WRC27"))
    expect(row).to_contain_text("submitted")
    visit("07-my-programmes-submitted")
    page.get_by_role("button", name="Sign out").click()

    # The coordinator accepts her.
    page.get_by_role("link", name="Sign in").first.click()
    visit("08-login")
    page.get_by_label("Email address").fill("coordinator@example.org")
    page.get_by_label("Password").fill("a long enough passphrase")
    page.get_by_role("button", name="Sign in").click()
    page.goto(live_server + f"/coordinate/{programme.slug}/applications?role=mentee")
    expect(page.get_by_role("link", name="Fatima Alzahraa")).to_be_visible()
    visit("09-applications")
    page.get_by_label("Select Fatima Alzahraa").check()
    page.get_by_label("Accept").check()
    page.get_by_label("Message to the applicants (optional)").fill("Welcome to the network!")
    page.get_by_role("button", name="Apply decision").click()
    expect(page.get_by_text("Decision saved for 1 application")).to_be_visible()
    visit("10-decided")
    [decision] = emails(kind="decision", to="fatima@example.org")
    assert "Welcome to the network!" in decision.body
    page.get_by_role("button", name="Sign out").click()

    # She signs in and sees she is accepted.
    page.goto(live_server + "/login")
    page.get_by_label("Email address").fill("fatima@example.org")
    page.get_by_label("Password").fill("orbit spectrum filing")
    page.get_by_role("button", name="Sign in").click()
    row = page.get_by_role("row", name=re.compile("NOW4WRC27"))
    expect(row).to_contain_text("accepted")
    expect(row).to_contain_text("Welcome to the network!")
    visit("11-my-programmes-accepted")
