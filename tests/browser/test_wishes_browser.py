"""A mentee ranks the mentors she would like, in Arabic on a phone (390 x 844): no script
needed, nothing sticks out sideways, and axe finds nothing serious."""

from __future__ import annotations

from sqlalchemy import select

from mentoring.extensions import db
from mentoring.models import EnrolmentStatus, MentorWish, Role
from tests.browser.test_phone_pages import PHONE, _sign_in, _too_wide

LONG_NAME = "Oluwatobilobaoluwadamilareayomideoluwaseun Adeyemi-Okonkwo"


def test_a_mentee_ranks_her_wishes_in_arabic_on_a_phone(live_server, browser, make_programme,
                                                         make_enrolment, make_user, shoot,
                                                         axe_check):
    programme = make_programme(name="NOW4WRC27", slug="now4wrc27")
    mentee = make_enrolment(programme, make_user(name="ليلى حداد", locale="ar"),
                            status=EnrolmentStatus.ACCEPTED)
    mentors = [make_enrolment(programme, make_user(name=name), role=Role.MENTOR,
                              status=EnrolmentStatus.ACCEPTED, listed=True, country=country,
                              languages=["ar", "en"], bio=bio)
               for name, country, bio in (
                   ("سارة منصور", "EG", "خبيرة في إجراءات الطيف الراديوي منذ عشرين عاماً."),
                   (LONG_NAME, "NG", "Chaired " + "WRC-23 agenda item 1.2 " * 6),
                   ("Claire Martin", "FR", ""))]
    context = browser.new_context(viewport=PHONE, locale="ar")
    page = context.new_page()
    try:
        _sign_in(page, live_server, mentee.user)
        page.goto(live_server + "/me/programmes")
        page.locator(f'a[href="/applications/{mentee.id}/wishes"]').click()
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert page.locator("main .cards > li").count() == 3
        assert _too_wide(page) is None
        axe_check(page, "wishes, none chosen (ar)")

        # Sara, then the long name; then the long name first.
        for mentor in mentors[:2]:
            page.locator(f'button[name="add"][value="{mentor.id}"]').click()
            page.wait_for_load_state()
        # Giving the long name rank 1 moves Sara to rank 2 (app.js swaps them).
        page.locator(f"#rank-{mentors[1].id}").select_option("1")
        assert page.locator(f"#rank-{mentors[0].id}").input_value() == "2"
        page.locator("main form [name=submit]").click()
        page.wait_for_load_state()
        assert page.locator(".flash").first.is_visible()
        db.session.expire_all()
        assert list(db.session.scalars(select(MentorWish.mentor_id).where(
            MentorWish.mentee_id == mentee.id).order_by(MentorWish.rank))) == [
                mentors[1].id, mentors[0].id]
        assert page.locator(f"#rank-{mentors[1].id}").input_value() == "1"
        assert (wide := _too_wide(page)) is None, wide
        axe_check(page, "wishes, two chosen (ar)")
        shoot(page, "ranked")
    finally:
        context.close()
