"""Importing roles at ITU meetings on the smallest phone (320 x 640), in Arabic and English:
the file is chosen, its preview fits the screen (the table scrolls inside itself) and passes
axe, and the confirmation (a real form with its CSRF token) records the roles and lands on the
outcomes page with the message."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from mentoring.extensions import db
from mentoring.models import MeetingRole
from tests.browser.test_phone_pages import _sign_in, _too_wide
from tests.web.test_outcomes_import import GOOD_FILE, world  # noqa: F401 - fixture

PHONE = {"width": 320, "height": 640}


@pytest.mark.parametrize("locale", ["ar", "en"])
def test_a_coordinator_imports_roles_on_a_phone(live_server, browser, world,  # noqa: F811
                                                coordinator, axe_check, shoot, locale):
    programme, _people = world
    user = coordinator(programme, locale=locale)
    context = browser.new_context(locale=locale, viewport=PHONE)
    page = context.new_page()
    _sign_in(page, live_server, user)
    page.goto(f"{live_server}/coordinate/{programme.slug}/itu-meetings/import")
    assert _too_wide(page) is None
    page.locator("input[type=file]").set_input_files(files=[{
        "name": "roles.csv", "mimeType": "text/csv", "buffer": GOOD_FILE.encode()}])
    page.locator("main form [type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("dir") == ("rtl" if locale == "ar" else "ltr")
    assert page.locator("main table tbody tr").count() == 4
    assert _too_wide(page) is None
    axe_check(page, f"roles import preview {locale}")
    shoot(page, f"roles-import-preview-{locale}")
    assert db.session.scalar(select(func.count()).select_from(MeetingRole)) == 0
    page.locator("main form[action$='/confirm'] [type=submit]").click()
    page.wait_for_url(lambda url: url.endswith("/dashboard/outcomes"))
    assert page.locator(".flash").count() == 1
    assert _too_wide(page) is None
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(MeetingRole)) == 4
    context.close()
