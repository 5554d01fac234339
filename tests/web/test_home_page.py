"""The public pages as a delegate first sees them: what each programme is, where it stands in
words she uses, the regions by name; the site's icon."""

from __future__ import annotations

import html
import re

from mentoring.models import ProgrammeStatus

LONG = ("The Network of Women pairs new women delegates with experienced delegates, women and "
        "men, to raise the share of women in ITU-R conferences past 30%. Pairs are formed on "
        "the conference's agenda items, languages and regions. Orientation comes first.")


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_each_programme_card_says_in_a_line_what_it_is(client, make_programme):
    make_programme(name="NOW4WRC27", description=LONG)
    make_programme(name="Women in Cyber", status=ProgrammeStatus.RUNNING,
                   description="Monthly mentoring sessions with senior women in cybersecurity.")
    page = text(client.get("/"))
    assert "The Network of Women pairs new women delegates" in page
    assert "Orientation comes first." not in page  # short: the programme's page has the rest
    assert "Monthly mentoring sessions with senior women in cybersecurity." in page


def test_programmes_say_where_they_stand_in_a_delegates_words(client, make_programme):
    make_programme(name="Forming pairs", slug="forming", status=ProgrammeStatus.MATCHING)
    make_programme(name="At work", slug="at-work", status=ProgrammeStatus.RUNNING)
    page = text(client.get("/"))
    assert "Applications closed — pairs being formed" in page
    assert "Under way" in page
    assert not re.search(r">\s*(matching|running)\s*<", page)
    assert "Applications closed — pairs being formed" in text(client.get("/programmes/forming"))
    assert "Under way" in text(client.get("/programmes/at-work"))


def test_the_programme_page_names_its_regions_in_full(client, make_programme):
    make_programme(slug="now4wrc27")
    page = text(client.get("/programmes/now4wrc27"))
    assert "Asia-Pacific Telecommunity (APT)" in page
    assert "Regional Commonwealth in the field of Communications (RCC)" in page


def test_every_page_has_a_favicon(client):
    page = client.get("/").get_data(as_text=True)
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page)
    assert icon
    response = client.get(icon.group(1))
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert b"<svg" in response.data
