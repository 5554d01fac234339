"""A delegate reads the privacy notice, downloads her data and erases her account."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import PASSWORD


def test_delegate_reads_the_notice_downloads_her_data_and_erases_her_account(
        live_server, page, make_user, shoot, axe_check):
    make_user("layla@example.org", name="Layla Haddad")

    def visit(step: str) -> None:
        axe_check(page, step)
        shoot(page, step)

    page.goto(live_server + "/login")
    page.get_by_label("Email address").fill("layla@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(live_server + "/account")
    expect(page.get_by_role("heading", name="Your personal data")).to_be_visible()
    visit("01-account")

    page.get_by_role("contentinfo").get_by_role("link", name="Privacy notice").click()
    expect(page.get_by_role("heading", name="Who sees it")).to_be_visible()
    visit("02-notice")

    page.goto(live_server + "/account")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your data").click()
    assert download.value.suggested_filename.startswith("mentoring-personal-data-")

    page.get_by_role("link", name="Erase your account").click()
    expect(page.get_by_role("heading", name="Erase your account?")).to_be_visible()
    visit("03-erase")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Erase my account").click()
    expect(page.get_by_text("Your account and your personal data are erased.")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    visit("04-erased")
