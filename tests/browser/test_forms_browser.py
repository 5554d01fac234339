"""Forms as a person with a keyboard or a screen reader meets them: after a failed submit
the error summary is read first and leads to each field; choices read in order."""

from __future__ import annotations


def test_an_empty_sign_up_puts_focus_on_the_error_summary_whose_links_reach_the_fields(
        live_server, page):
    page.goto(live_server + "/register")
    page.locator("main form [type=submit]").click()
    page.wait_for_selector(".error-summary")
    assert page.evaluate("document.activeElement.className") == "error-summary"
    page.locator(".error-summary a[href='#email']").click()
    assert page.evaluate("document.activeElement.id") == "email"
