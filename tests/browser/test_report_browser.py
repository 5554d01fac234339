"""The programme report in a real browser: the print button opens the print dialog, printing
leaves out the site's navigation and the report's controls and starts each part on a new
page, and the Arabic report reads right to left."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_dashboard_browser import _sign_in
from tests.web.test_circles import make_circle
from tests.web.test_dashboard import NOW, build_dataset


def pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("mentoring.dashboard.routes.utcnow", lambda: NOW)


def test_the_report_prints_part_by_part_without_navigation(
        live_server, page, make_programme, make_user, make_enrolment, coordinator, axe_check,
        shoot):
    data = build_dataset(make_programme, make_user, make_enrolment)
    make_circle(data.programme, "Spectrum", [data.people["A"]],
                [data.people[key] for key in ("m1", "m3", "m4")])
    coordinator(data.programme, email="coordinator@example.org")
    url = f"{live_server}/coordinate/{data.programme.slug}/report"
    # The print dialog would block the test: count the calls instead.
    page.add_init_script("window.printed = 0; window.print = () => { window.printed += 1; };")
    _sign_in(page, live_server, "coordinator@example.org")
    page.goto(url)
    expect(page.get_by_role("heading", level=1, name="NOW4WRC27")).to_be_visible()
    button = page.get_by_role("button", name="Print or save as PDF")
    button.click()
    assert page.evaluate("window.printed") == 1
    axe_check(page, "report")
    shoot(page, "01-report")

    page.emulate_media(media="print")
    for hidden in (".site-header", ".site-footer", ".report-head .actions"):
        expect(page.locator(hidden)).to_be_hidden()
    parts = page.locator(".report-part")
    assert parts.count() == 6
    assert set(parts.evaluate_all(
        "parts => parts.map(p => getComputedStyle(p).breakBefore)")) == {"page"}
    # Saved as PDF, the parts' page breaks add pages to the same content.
    broken = pages(page.pdf(format="A4"))
    parts.evaluate_all("parts => parts.forEach(p => { p.style.breakBefore = 'auto'; })")
    assert broken > pages(page.pdf(format="A4")) >= 2

    page.emulate_media(media="screen")
    page.reload()
    page.get_by_label("Language of the report").select_option("ar")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"lang=ar"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    # The circles' part, right to left too: "Mentoring circles".
    expect(page.get_by_role("heading", level=2, name="حلقات الإرشاد")).to_be_visible()
    axe_check(page, "report-ar")
    shoot(page, "02-report-ar")
