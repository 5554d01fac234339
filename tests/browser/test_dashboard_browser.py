"""The programme coordinator and a regional co-chair open the dashboard in a real browser:
headings, a figure, a chart's data table, an axe check and screenshots."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.web.test_dashboard import NOW, build_dataset


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    # The live server runs in a thread of this process: the dashboard sees the same "today".
    monkeypatch.setattr("mentoring.dashboard.routes.utcnow", lambda: NOW)


def _sign_in(page, live_server, email):
    """Signs in whatever the page's language."""
    page.goto(live_server + "/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form [type=submit]").first.click()
    page.wait_for_url(lambda url: "/login" not in url)


def _glance_row(page, label):
    return page.locator("section[aria-labelledby=h-headline] tr").filter(
        has=page.get_by_role("rowheader", name=label, exact=True))


def test_coordinator_and_regional_co_chair_open_the_dashboard(
        live_server, page, make_programme, make_user, make_enrolment, coordinator, shoot,
        axe_check):
    data = build_dataset(make_programme, make_user, make_enrolment)
    coordinator(data.programme, email="coordinator@example.org", name="Amina Coordinator")
    coordinator(data.programme, region_code="ATU", email="cochair@example.org",
                name="Grace Co-chair")
    url = f"{live_server}/coordinate/{data.programme.slug}/dashboard"

    def visit(step):
        axe_check(page, step)
        shoot(page, step)

    _sign_in(page, live_server, "coordinator@example.org")
    page.goto(url)
    expect(page.get_by_role("heading", level=1, name="Dashboard")).to_be_visible()
    for heading in ("At a glance", "From application to completion", "Women's share",
                    "Participants by region", "Top 15 countries", "Languages",
                    "Matching quality", "Sessions per month"):
        expect(page.get_by_role("heading", level=2, name=heading, exact=True)).to_be_visible()
    expect(_glance_row(page, "Accepted mentees").locator("td")).to_have_text(["10"])
    expect(_glance_row(page, "Sessions confirmed").locator("td")).to_have_text(["75%"])
    expect(page.get_by_role("img", name=re.compile("^Accepted participants by region"))
           ).to_be_visible()
    visit("01-coordinator-dashboard")

    # The region chart's data, one click away.
    figure = page.locator("figure").filter(
        has=page.get_by_role("img", name=re.compile("^Accepted participants by region")))
    table = figure.get_by_role("table")
    expect(table).to_be_hidden()
    figure.get_by_text("Show the data as a table").click()
    expect(table).to_be_visible()
    expect(table.get_by_role("row")).to_have_text([re.compile(r"ASMG\s*3"),
                                                   re.compile(r"ATU\s*9"),
                                                   re.compile(r"CEPT\s*3")])
    visit("02-coordinator-region-table")
    page.get_by_role("button", name="Sign out").click()

    _sign_in(page, live_server, "cochair@example.org")
    page.goto(url)
    expect(page.get_by_role("heading", level=1, name="Dashboard")).to_be_visible()
    headline = page.locator("section[aria-labelledby=h-headline] thead th")
    expect(headline).to_have_text(["Figure", "Region ATU", "Whole programme"])
    expect(_glance_row(page, "Accepted mentees").locator("td")).to_have_text(["7", "10"])
    expect(_glance_row(page, "Women among mentees").locator("td")).to_have_text(
        ["not shown", "not shown"])  # 5 of 6, 7 of 8: the one who is not a woman would show
    figure = page.locator("figure").filter(
        has=page.get_by_role("img", name=re.compile("^Accepted participants by country")))
    figure.get_by_text("Show the data as a table").click()
    expect(figure.get_by_role("row")).to_have_text([re.compile(r"Kenya\s*6")])
    expect(page.get_by_text("1 other country is not shown, to keep small numbers private.")
           ).to_be_visible()
    visit("03-co-chair-dashboard")


@pytest.mark.parametrize("direction", ["ltr", "rtl"])
def test_chart_labels_and_values_stay_inside_the_chart_in_both_directions(app, page, direction):
    """Right to left, the labels sit on the right and the values left of the bars, all inside
    the drawing, whatever direction the page's text runs in."""
    rows = [("Kenya", 10), ("Egypt", None), ("France", 4)]
    with app.test_request_context():
        charts = app.jinja_env.get_template("_macros/charts.html").module
        svg = str(charts.hbar("c", "Title", "Desc", rows, rtl=direction == "rtl"))
    page.set_content(f'<html dir="{direction}"><body style="width:700px">{svg}</body></html>')
    boxes = page.evaluate("""() => Object.fromEntries(
        [...document.querySelectorAll('svg text, svg rect')].map((e, i) => {
            const b = e.getBBox();
            return [e.textContent || 'bar' + i, [b.x, b.x + b.width, b.y, b.y + b.height]];
        }))""")
    bars = [span for name, span in boxes.items() if name.startswith("bar")]
    assert len(bars) == 2
    for name in ("Kenya", "Egypt", "France", "10", "4", "fewer than 5"):
        left, right, top, bottom = boxes[name]
        assert 0 <= left and right <= 640, (name, boxes[name])
        for bar_left, bar_right, bar_top, bar_bottom in bars:  # no text drawn over a bar
            beside = right <= bar_left + 0.5 or left >= bar_right - 0.5
            assert beside or bottom <= bar_top or top >= bar_bottom, (name, boxes[name])
    labels = [boxes[name] for name in ("Kenya", "Egypt", "France")]
    if direction == "rtl":
        assert all(box[0] > 640 / 2 for box in labels)
    else:
        assert all(box[1] < 640 / 2 for box in labels)


@pytest.mark.parametrize("width", [1280, 390])
def test_axis_labels_of_the_column_charts_do_not_touch_in_arabic(
        live_server, browser, make_programme, make_user, make_enrolment, coordinator, shoot,
        width):
    """The score bands ("900–1000" beside "800–899") and the months, on a desktop and on a
    phone, right to left: each label's box ends before the next one's begins."""
    data = build_dataset(make_programme, make_user, make_enrolment)
    coordinator(data.programme, email="amal@example.org", name="Amal Haddad", locale="ar")
    context = browser.new_context(locale="ar", viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        _sign_in(page, live_server, "amal@example.org")
        page.goto(f"{live_server}/coordinate/{data.programme.slug}/dashboard")
        assert page.locator("html").get_attribute("dir") == "rtl"
        for chart in ("scores", "months"):
            boxes = page.evaluate("""(chart) => [...document.querySelectorAll(
                `svg[aria-labelledby^="${chart}-title"] text.chart-label`)].map(e => {
                    const b = e.getBoundingClientRect();
                    return [e.textContent, b.left, b.right];
                })""", chart)
            assert len(boxes) == {"scores": 10, "months": 2}[chart]
            boxes.sort(key=lambda box: box[1])
            for (text, _, right), (following, left, _) in zip(boxes, boxes[1:], strict=False):
                # Apart by a visible gap (3 px), not merely not overlapping.
                assert left - right >= 3, (chart, text, right, following, left)
        shoot(page, f"ar-{width}-dashboard")
    finally:
        context.close()
