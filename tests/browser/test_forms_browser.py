"""Forms as a person with a keyboard or a screen reader meets them: after a failed submit
the error summary is read first and leads to each field; choices read in order."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import PASSWORD


def test_an_empty_sign_up_puts_focus_on_the_error_summary_whose_links_reach_the_fields(
        live_server, page):
    page.goto(live_server + "/register")
    page.locator("main form [type=submit]").click()
    page.wait_for_selector(".error-summary")
    # app.js (deferred) moves the focus once the page has loaded: wait for it, not for time
    # (with expect's polling: wait_for_function polls a string by eval, which the CSP refuses
    # when the first look is too early).
    expect(page.locator(".error-summary")).to_be_focused(timeout=5000)
    page.locator(".error-summary a[href='#email']").click()
    assert page.evaluate("document.activeElement.id") == "email"


def test_select_all_ticks_every_application_on_the_page(
        live_server, page, make_programme, make_enrolment, coordinator):
    programme = make_programme(slug="now4wrc27")
    for _ in range(3):
        make_enrolment(programme)
    user = coordinator(programme)
    page.goto(live_server + "/login")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form [type=submit]").first.click()
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(live_server + "/coordinate/now4wrc27/applications")
    boxes = page.locator("input[name=ids]")
    assert boxes.count() == 3
    page.locator("#select-all").check()
    assert all(boxes.nth(i).is_checked() for i in range(3))
    boxes.nth(1).uncheck()
    assert page.evaluate("document.getElementById('select-all').indeterminate")
    page.locator("#select-all").click()  # from "some", a click ticks them all again
    assert all(boxes.nth(i).is_checked() for i in range(3))
    page.locator("#select-all").uncheck()
    assert not any(boxes.nth(i).is_checked() for i in range(3))


def test_choices_read_along_rows_and_one_a_line_on_a_phone(
        live_server, page, make_programme, make_user):
    programme = make_programme(slug="now4wrc27")
    user = make_user()
    page.goto(live_server + "/login")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form [type=submit]").first.click()
    page.wait_for_url(lambda url: "/login" not in url)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server + f"/programmes/{programme.slug}/apply/mentor")
        boxes = [page.locator("#expertise-group li").nth(i).bounding_box() for i in range(3)]
        if width > 800:  # the second choice beside the first, the third below them
            assert abs(boxes[1]["y"] - boxes[0]["y"]) < 2 and boxes[1]["x"] > boxes[0]["x"]
        else:  # one a line, in order
            assert boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"]
            assert abs(boxes[1]["x"] - boxes[0]["x"]) < 2
