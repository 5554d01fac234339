"""A coordinator follows a CSV import on its job's page, in English and in Arabic (right to
left), on a desktop and on a phone: the progress bar fills while the page refreshes itself,
then the result or the problems show; axe is clean and nothing sticks out sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from mentoring.extensions import db
from mentoring.models import Job, JobKind, JobStatus
from mentoring.models._types import utcnow
from tests.conftest import PASSWORD
from tests.web.test_languages import tr

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
HEADINGS = "E-mail,Full name,Applies as,Country,Languages,Topics"


def overflow(page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")


def upload(page, content: str) -> None:
    page.locator("#file").set_input_files(files=[{
        "name": "applications.csv", "mimeType": "text/csv", "buffer": content.encode()}])
    page.locator("#submit").click()
    page.wait_for_url(lambda url: "/jobs/" in url)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("locale", ["en", "ar"])
def test_coordinator_follows_an_import_from_progress_to_result(
        live_server, browser, make_programme, coordinator, shoot, axe_check, locale, viewport):
    programme = make_programme(name="NOW4WRC27", slug="now4wrc27")
    layla = coordinator(programme, email="layla@example.org", name="Layla Haddad",
                        locale=locale)
    running = Job(kind=JobKind.IMPORT_APPLICATIONS, programme=programme, user=layla,
                  status=JobStatus.RUNNING, done=1200, total=3000, started_at=utcnow())
    db.session.add(running)
    db.session.commit()
    size = "phone" if viewport is PHONE else "desktop"
    context = browser.new_context(locale=locale, viewport=viewport)
    page = context.new_page()
    try:
        page.goto(live_server + "/login")
        page.locator("#email").fill("layla@example.org")
        page.locator("#password").fill(PASSWORD)
        page.locator("main form [type=submit]").first.click()
        page.wait_for_url(lambda url: "/login" not in url)

        # A big import on its way: the bar and its words say how far it got.
        page.goto(f"{live_server}/coordinate/now4wrc27/jobs/{running.id}")
        assert page.locator("html").get_attribute("dir") == ("rtl" if locale == "ar" else "ltr")
        progress = page.locator("#job progress")
        expect(progress).to_have_attribute("value", "1200")
        expect(progress).to_have_attribute("max", "3000")
        assert overflow(page) <= 0
        axe_check(page, f"{locale} {size} running")
        shoot(page, f"{locale}-{size}-01-running")

        # The job ends; the page shows it without being reloaded.
        running.status, running.done = JobStatus.DONE, 3000
        running.result, running.finished_at = {"imported": 3000}, utcnow()
        db.session.commit()
        expect(page.locator("#job .flash-success")).to_be_visible(timeout=10_000)
        expect(page.locator("#job progress")).to_have_count(0)
        assert page.locator("#job").get_attribute("aria-busy") == "false"
        axe_check(page, f"{locale} {size} done")
        shoot(page, f"{locale}-{size}-02-done")

        # A file with a mistake: every problem with its line and column, in her language.
        page.goto(live_server + "/coordinate/now4wrc27/import")
        upload(page, HEADINGS + "\n"
               "amina@example.org,Amina Diallo,mentee,Kenya,English,Negotiation\n"
               "nour@example.org,نور السيد,mentee,Atlantis,Arabic,Negotiation\n")
        row = page.locator(".error-summary tbody tr")
        expect(row).to_have_count(1)
        cells = row.first.locator("td").all_inner_texts()
        message = 'Unknown country "%(value)s".'
        if locale != "en":
            message = tr(locale, message)
        assert cells == ["3", "Country", message % {"value": "Atlantis"}]
        assert overflow(page) <= 0
        axe_check(page, f"{locale} {size} problems")
        shoot(page, f"{locale}-{size}-03-problems")

        # The corrected file: imported at once (no worker without REDIS_URL).
        page.goto(live_server + "/coordinate/now4wrc27/import")
        upload(page, HEADINGS + "\n"
               "amina@example.org,Amina Diallo,mentee,Kenya,English,Negotiation\n"
               "nour@example.org,نور السيد,mentee,Egypt,Arabic,Negotiation\n")
        expect(page.locator("#job .flash-success")).to_be_visible()
        axe_check(page, f"{locale} {size} imported")
        shoot(page, f"{locale}-{size}-04-imported")
        page.locator("#job a").click()
        expect(page.get_by_text("نور السيد")).to_be_visible()
    finally:
        context.close()
