"""A coordinator forms the pairs of the demo programme, and a mentee then sees her mentor."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from mentoring.demo import DEMO_PASSWORD, seed
from mentoring.extensions import db
from mentoring.models import Pairing, PairingStatus, Programme
from tests.helpers import emails


def sign_in(page, live_server, email):
    page.goto(live_server + "/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_coordinator_runs_matching_rejects_reruns_approves_and_announces(live_server, page,
                                                                         shoot, axe_check):
    seed()
    db.session.commit()
    page.on("dialog", lambda dialog: dialog.accept())  # "Reject this pair?" confirmations

    def visit(step: str) -> None:
        axe_check(page, step)
        shoot(page, step)

    sign_in(page, live_server, "coordinator@demo.example")
    page.goto(live_server + "/coordinate/now4wrc23/matching")
    expect(page.get_by_role("heading", name="Matching", exact=True)).to_be_visible()
    visit("01-matching-settings")
    page.get_by_role("button", name="Run matching").click()
    # The run is a job: its page gives the summary and the way to the proposals.
    expect(page.get_by_text(re.compile(r"Matching done in \d+ ms"))).to_be_visible()
    axe_check(page, "01b-matching-job")
    page.get_by_role("link", name="See the proposals").click()
    visit("02-proposals")

    # She reads why the first (lowest-scoring) pair was proposed, and its alternatives.
    first = page.locator("li.pair").first
    expect(first.locator(".explanation")).to_contain_text(re.compile("wanted topic"))
    first.get_by_text(re.compile("Next best mentors")).click()
    expect(first.locator(".alternatives li").first).to_be_visible()
    visit("03-explanation-open")
    rejected_title = first.locator("h3").inner_text()

    # She rejects it and re-runs: that pair is not proposed again.
    first.get_by_role("textbox").fill("They work in the same delegation")
    first.get_by_role("button", name=re.compile("^Reject")).click()
    expect(page.get_by_text("Pair rejected")).to_be_visible()
    page.goto(live_server + "/coordinate/now4wrc23/matching")
    page.get_by_role("button", name="Run matching").click()
    expect(page.get_by_text(re.compile(r"Matching done in \d+ ms"))).to_be_visible()
    page.get_by_role("link", name="See the proposals").click()
    expect(page.get_by_text(re.compile(r"\d+ new, \d+ kept, \d+ changed"))).to_be_visible()
    expect(page.locator("li.pair h3", has_text=rejected_title)).to_have_count(0)
    visit("04-after-rerun")

    # She approves the best pair and announces it.
    page.get_by_label("Sort by").select_option("-score")
    page.get_by_role("button", name="Filter").click()
    best = page.locator("li.pair").first
    mentee_name = best.locator("h3").inner_text().split("→")[0].strip()
    best.get_by_role("button", name=re.compile("^Approve")).click()
    expect(page.get_by_text("Pair approved. Nobody is told until you announce.")).to_be_visible()
    assert emails(kind="introduction") == []  # nobody is told before the announcement
    page.get_by_role("link", name=re.compile(r"Announce approved pairs \(1\)")).click()
    visit("05-announce")
    page.get_by_role("button", name="Announce 1 pair and email them").click()
    expect(page.get_by_text("1 pair announced")).to_be_visible()
    visit("06-announced")

    pairing = db.session.scalar(
        select(Pairing).join(Programme, Pairing.programme_id == Programme.id)
        .where(Programme.slug == "now4wrc23", Pairing.status == PairingStatus.ACTIVE))
    assert pairing.mentee.user.name == mentee_name
    assert len(emails(kind="introduction")) == 2
    page.get_by_role("button", name="Sign out").click()

    # The mentee signs in and sees her mentor.
    sign_in(page, live_server, pairing.mentee.user.email)
    expect(page.get_by_role("heading", name=f"Your mentor: {pairing.mentor.user.name}")
           ).to_be_visible()
    visit("07-mentee-sees-her-mentor")
