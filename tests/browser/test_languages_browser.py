"""The main pages in Arabic and Chinese in a real browser: translated words drawn with real
glyphs (a font that covers the script, not empty boxes), no sideways overflow, the Arabic
layout mirrored, axe clean, and a screenshot of each page."""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import cache

import pytest
from babel.support import Translations
from sqlalchemy import select

from mentoring.extensions import db
from mentoring.models import Pairing, PairingStatus
from tests.conftest import PASSWORD, need
from tests.web.test_dashboard import NOW, build_dataset
from tests.web.test_languages import TRANSLATIONS

#: (step, path or path template, who is signed in, message that is the page's h1)
PAGES = [
    ("01-programmes", "/", None, "Mentoring programmes"),
    ("02-programme", "/programmes/{slug}", None, None),
    ("03-sign-in", "/login", None, "Sign in"),
    ("04-create-account", "/register", None, "Create account"),
    ("05-my-programmes", "/me/programmes", "m1", "My programmes"),
    ("06-pair", "/pairs/{pair}", "m1", None),
    ("07-dashboard", "/coordinate/{slug}/dashboard", "coordinator", "Dashboard"),
    ("08-applications", "/coordinate/{slug}/applications", "coordinator", "Applications"),
    ("09-pairs", "/coordinate/{slug}/pairs", "coordinator", "Pairs"),
    ("10-pairs-at-work", "/coordinate/{slug}/activity", "coordinator", "Pairs at work"),
    ("11-translations", "/coordinate/{slug}/translations", "coordinator", "Translations"),
]


SCRIPT = {"ar": re.compile(r"[\u0600-\u06FF]"), "zh": re.compile(r"[\u4e00-\u9fff]")}


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("mentoring.dashboard.routes.utcnow", lambda: NOW)


@cache
def families_covering(language: str) -> frozenset[str]:
    """Font families installed here that fontconfig says cover the language."""
    if not shutil.which("fc-list"):
        need("the glyph check needs fontconfig's fc-list")
    listed = subprocess.run(["fc-list", f":lang={language}", "family"], capture_output=True,
                            text=True, check=True).stdout
    return frozenset(name.strip() for line in listed.splitlines() for name in line.split(","))


def fonts_drawing(page, selector: str) -> list[str]:
    """The font families Chromium really used to draw the text of the first match."""
    session = page.context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument")["root"]["nodeId"]
    node = session.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    session.detach()
    return [font["familyName"] for font in fonts if font["glyphCount"]]


@pytest.fixture
def dataset(make_programme, make_user, make_enrolment, coordinator):
    data = build_dataset(make_programme, make_user, make_enrolment)
    coordinator(data.programme, email="coordinator@example.org", name="Amina Coordinator")
    data.pair = db.session.scalar(select(Pairing.id).where(
        Pairing.mentee_id == data.people["m1"].id, Pairing.status == PairingStatus.ACTIVE))
    return data


@pytest.mark.parametrize(("locale", "script"), [("ar", "ar"), ("zh", "zh-cn")])
def test_main_pages_in_arabic_and_chinese(live_server, browser, dataset, shoot, axe_check,
                                          locale, script):
    words = Translations.load(str(TRANSLATIONS), [locale])
    covering = families_covering(script)
    assert covering, f"no installed font covers {script}: install one (see .ci/run)"
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    signed_in = None
    try:
        for step, template, who, heading in PAGES:
            if who != signed_in:
                context.clear_cookies()
                if who:
                    page.goto(live_server + "/login")
                    page.locator("#email").fill(f"{who}@example.org")
                    page.locator("#password").fill(PASSWORD)
                    page.locator("main form [type=submit]").first.click()
                    page.wait_for_url(lambda url: "/login" not in url)
                signed_in = who
            path = template.format(slug=dataset.programme.slug, pair=dataset.pair)
            response = page.goto(live_server + path)
            assert response.status == 200, f"{path}: {response.status}"
            label = f"{locale} {step}"
            html = page.locator("html")
            assert html.get_attribute("lang") == locale, label
            assert html.get_attribute("dir") == ("rtl" if locale == "ar" else "ltr"), label
            h1 = page.locator("main h1").first
            if heading:
                # The translated words, in the script (not English left in by a missing catalogue).
                assert h1.inner_text().strip() == words.gettext(heading), label
                assert SCRIPT[locale].search(h1.inner_text()), f"{label}: {h1.inner_text()!r}"
            # The heading's glyphs come from fonts that cover the script (no empty boxes).
            used = fonts_drawing(page, "main h1")
            assert used and set(used) <= covering, f"{label}: drawn with {used}"
            # Nothing sticks out sideways.
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{label}: {overflow}px wider than the window"
            if locale == "ar":
                # Mirrored: the site's name sits on the right, the main text starts there too.
                brand = page.locator(".brand").bounding_box()
                assert brand["x"] > 1280 / 2, f"{label}: brand at x={brand['x']}"
                box = h1.bounding_box()
                assert box["x"] + box["width"] > 1280 / 2, label
            axe_check(page, label)
            shoot(page, f"{locale}-{step}")
    finally:
        context.close()


def test_the_switcher_turns_the_page_arabic_and_back(live_server, page, dataset, shoot):
    words = Translations.load(str(TRANSLATIONS), ["ar"])
    page.goto(f"{live_server}/programmes/{dataset.programme.slug}")
    assert page.locator("html").get_attribute("dir") == "ltr"
    page.locator(".languages summary").click()  # one menu for the six languages
    page.get_by_role("button", name="العربية").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/programmes/{dataset.programme.slug}")  # the same page
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.get_by_role("link", name=words.gettext("Programmes"), exact=True).first.is_visible()
    shoot(page, "ar-switched")
    page.locator(".languages summary").click()
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert page.get_by_role("link", name="Programmes", exact=True).first.is_visible()
