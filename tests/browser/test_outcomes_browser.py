"""The outcomes page in Arabic on a phone (390 x 844): right to left, nothing scrolls the page
sideways (a wide table scrolls inside itself), axe finds nothing serious; the coordinator's
figures and the co-chair's, from the hand-computed set of tests/web/test_outcomes_page.py."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_phone_pages import _sign_in, _too_wide
from tests.web.test_outcomes_page import hand_set, programme  # noqa: F401 - fixtures

PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("region", [None, "ATU"])
def test_the_outcomes_page_in_arabic_fits_a_phone(live_server, browser, hand_set,  # noqa: F811
                                                  coordinator, shoot, axe_check, region):
    user = coordinator(hand_set, region, locale="ar")
    context = browser.new_context(locale="ar", viewport=PHONE)
    page = context.new_page()
    _sign_in(page, live_server, user)
    response = page.goto(f"{live_server}/coordinate/{hand_set.slug}/dashboard/outcomes")
    assert response.status == 200
    assert page.locator("html").get_attribute("dir") == "rtl"
    tables = page.locator("main table")
    expect(tables).to_have_count(2)
    # WRC-23's delegates: 12 participants (6 in ATU); the share shows for the whole programme.
    wrc = page.locator("section[aria-labelledby=h-women-shares] tbody tr").filter(
        has_text="WRC-23").first  # delegates come before speakers
    expect(wrc.locator("td").nth(1)).to_have_text("12" if region is None else "6")
    assert _too_wide(page) is None
    axe_check(page, f"outcomes ar {region or 'programme'}")
    shoot(page, f"outcomes-ar-{region or 'programme'}")
    context.close()
