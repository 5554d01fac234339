"""Every page of every role on a phone (issue #15): the demo's programmes (one forming its pairs,
one with pairs at work, one open for applications), visited by a visitor, an applicant, a mentor,
a mentee, a coordinator, a regional co-chair and the site admin at 390 x 844 in English and
Arabic, and the densest pages at 360 x 740 and 320 x 640 in the other four languages.
Nothing may scroll the page sideways and axe may find nothing serious.

The app is served once for the module on its own SQLite database (the layout does not depend
on the database); each role signs in once per screen size and keeps its browser page.
"""

from __future__ import annotations

import os
import threading
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from mentoring import create_app
from mentoring.demo import DEMO_PASSWORD, seed
from mentoring.extensions import db
from mentoring.models import (
    Activity,
    Circle,
    CircleMeeting,
    Confirmation,
    CrossRegion,
    Enrolment,
    EnrolmentStatus,
    Gender,
    ItuMeeting,
    JobKind,
    JobStatus,
    Meeting,
    MeetingRole,
    Pairing,
    PairingStatus,
    Programme,
    QuotaUnit,
    Registration,
    RegistrationStatus,
    Role,
    User,
)
from mentoring.models._types import utcnow
from tests.conftest import _config

PHONE = {"width": 390, "height": 844}
#: The widest screen the layout is made for.
WIDE = {"width": 1440, "height": 900}
#: The other four languages, each on one of the smallest phones: long French, Russian and
#: Spanish words, and Chinese without spaces.
SMALL_SCREENS = [("fr", {"width": 360, "height": 740}), ("zh", {"width": 360, "height": 740}),
                 ("ru", {"width": 320, "height": 640}), ("es", {"width": 320, "height": 640})]
#: A name without a space, as long as the one that pushed the applications table to 1,788 px.
LONG_NAME = "Oluwatobilobaoluwadamilareayomideoluwaseunfunmilayo" * 2 + "Adeyemi-Okonkwo"

C23 = "/coordinate/now4wrc23"
CYBER = "/coordinate/women-in-cyber"
PAGES = {
    "visitor": [
        "/", "/programmes/now4wrc23", "/programmes/now4wrc27", "/login", "/register",
        "/password/forgot", "/privacy", "{confirm}", "{confirm}/dispute", "{unsubscribe}",
        "/password/reset/{reset}", "/invitation/{invitation}", "/password/reset/not-a-token",
        "/no-such-page", "{consent}",
    ],
    "applicant": [
        "/me/programmes", "/applications/{own}/edit", "/applications/{own}/withdraw",
        "/programmes/now4wrc27/apply/mentor", "/account", "/account/password",
        "/account/erase", f"{C23}/dashboard", "/applications/{wishes}/wishes",
    ],
    "mentor": [
        "/me/programmes", "/pairs/{pair}", "/pairs/{pair}/sessions/new",
        "/sessions/{mentor_meeting}/edit", "/sessions/{mentor_meeting}/delete",
        "/pairs/{pair}/end", "/surveys/{survey}", "/applications/{mentor_enrolment}/listing",
    ],
    "mentee": [
        "/me/programmes", "/pairs/{pair}", "/sessions/{mentor_meeting}/feedback",
        "/sessions/{mentor_meeting}/dispute", "/surveys/{survey}", "/activities/{activity}",
        "/applications/{mentee_enrolment}/wishes", "/activities/{past_activity}",
        "/programmes/women-in-cyber/my-itu-roles", "/circles/{circle}",
        "/circles/{circle}/sessions/new", "/circles/sessions/{circle_meeting}/delete",
    ],
    "coordinator": [
        "/coordinate/", f"{C23}/applications", f"{C23}/applications/{{application}}",
        f"{C23}/import", f"{C23}/matching", f"{C23}/pairs", f"{C23}/pairs/manual",
        f"{C23}/pairs/load", f"{C23}/pairs/{{proposal}}/swap", f"{C23}/pairs/announce",
        f"{C23}/pairs/blocking", f"{C23}/quotas", f"{C23}/quotas/new",
        f"{C23}/quotas/{{quota}}/edit", f"{C23}/quotas/{{quota}}/delete",
        f"{C23}/jobs/{{job}}", f"{C23}/jobs/{{approve_job}}", f"{C23}/jobs/{{decide_job}}",
        f"{C23}/dashboard", f"{C23}/report", f"{C23}/report?lang=ar", f"{C23}/audit",
        f"{C23}/translations?lang=ar",
        f"{CYBER}/pairs", f"{CYBER}/activity", f"{CYBER}/pairs/{{pair}}/sessions",
        f"{CYBER}/surveys", f"{CYBER}/dashboard", f"{CYBER}/activities",
        f"{CYBER}/activities/new", f"{CYBER}/activities/{{activity}}",
        f"{CYBER}/activities/{{activity}}/edit", f"{CYBER}/activities/{{activity}}/cancel",
        f"{CYBER}/activities/{{past_activity}}",
        f"{CYBER}/activities/{{past_activity}}/attendance/import", f"{CYBER}/translations",
        f"{C23}/waiting", f"{CYBER}/waiting", f"{C23}/consent",
        f"{C23}/itu-meetings", f"{C23}/itu-meetings/{{itu_meeting}}/edit",
        f"{C23}/itu-meetings/{{itu_meeting}}/remove",
        f"{C23}/applications/{{itu_participant}}/itu-roles", f"{C23}/dashboard/outcomes",
        f"{C23}/itu-meetings/import",
        f"{C23}/circles", f"{C23}/circles/propose", f"{CYBER}/circles", f"{CYBER}/circles/new",
        f"{CYBER}/circles/{{circle}}", f"{CYBER}/circles/{{circle}}/edit",
        f"{CYBER}/circles/{{circle}}/dissolve",
    ],
    "co-chair": [
        "/coordinate/", f"{C23}/applications", f"{C23}/applications/{{asmg_application}}",
        f"{C23}/pairs", f"{C23}/activity", f"{C23}/dashboard", f"{C23}/report", f"{C23}/audit",
        f"{C23}/activities", f"{C23}/pairs/blocking", f"{C23}/quotas", f"{C23}/waiting",
        f"{C23}/consent",
        f"{C23}/itu-meetings", f"{C23}/dashboard/outcomes", f"{C23}/itu-meetings/import",
        f"{C23}/circles", f"{C23}/circles/new",
    ],
    "admin": [
        "/admin/", "/admin/dashboard", "/admin/users", "/admin/emails", "/admin/programmes/new",
        "/admin/programmes/now4wrc23", "/admin/programmes/now4wrc23/edit",
        "/admin/programmes/now4wrc23/coordinators", "/admin/programmes/now4wrc23/copy",
        "/admin/users/{someone}/erase",
    ],
}
#: The error pages among them (the others answer 200).
STATUS = {"/no-such-page": 404, f"{C23}/dashboard": 403}

#: The densest pages, also on the smallest phones in the languages with the longest words.
DENSE = [
    ("visitor", "/"), ("visitor", "/register"), ("applicant", "/applications/{own}/edit"),
    ("applicant", "/applications/{wishes}/wishes"),
    ("mentee", "/pairs/{pair}"), ("coordinator", f"{C23}/applications"),
    ("coordinator", f"{C23}/pairs"), ("coordinator", f"{C23}/dashboard"),
    ("coordinator", f"{CYBER}/activity"), ("coordinator", f"{C23}/audit"),
    ("coordinator", f"{CYBER}/activities/{{activity}}"), ("mentee", "/activities/{activity}"),
    ("admin", "/admin/programmes/now4wrc23/edit"), ("coordinator", f"{C23}/dashboard/outcomes"),
    ("coordinator", f"{C23}/report"),
]


def _demo_world() -> tuple[dict[str, str], dict[str, object]]:
    """The demo data plus a matching run with proposals, a job, a sent survey and an applicant
    with a very long name; returns the roles' emails and the ids the pages need."""
    from mentoring.services import circles, consent, jobs, pairings, quotas, surveys, tokens
    from mentoring.services import meetings as meetings_service
    from mentoring.services.email_choices import unsubscribe_url
    from mentoring.services.programmes import assign_coordinator
    from mentoring.services.scope import Scope

    logins = dict(seed())
    admin = db.session.scalar(select(User).where(User.email == logins["admin"]))
    wrc = db.session.scalar(select(Programme).where(Programme.slug == "now4wrc23"))
    cyber = db.session.scalar(select(Programme).where(Programme.slug == "women-in-cyber"))
    assign_coordinator(admin, cyber, logins["coordinator"], None)
    invited = User(email="new.cochair@demo.example", name="Grace Mensah")
    db.session.add(invited)
    # Quotas, so the pairs page shows their outcomes and price.
    quota = quotas.save(admin, Scope(wrc), quotas.QuotaValues(
        name="Women mentors", mentor_gender=Gender.WOMAN, value=40, unit=QuotaUnit.PERCENT))
    quotas.save(admin, Scope(wrc), quotas.QuotaValues(
        name="Across regions", cross_region=CrossRegion.DIFFERENT, value=20,
        unit=QuotaUnit.PERCENT))
    job = jobs.claim(jobs.start_matching(admin, Scope(wrc)).id)
    jobs.run(job)
    # The other kinds' pages, as they read once done.
    done = {}
    for kind, result in ((JobKind.APPROVE_ABOVE, {"approved": 12, "skipped": 3}),
                         (JobKind.DECIDE_APPLICATIONS, {"decided": 5, "unchanged": 1})):
        finished = jobs.start(admin, Scope(wrc), kind)
        finished.status, finished.result, finished.finished_at = JobStatus.DONE, result, utcnow()
        done[kind] = finished
    survey = surveys.stored(surveys.survey_for(cyber, "mid"))
    surveys.send(admin, survey)
    applicant = db.session.scalar(select(User).where(
        User.email == logins["applicant (NOW4WRC23)"]))
    applicant.name = LONG_NAME
    own = db.session.scalar(select(Enrolment).where(Enrolment.user_id == applicant.id,
                                                    Enrolment.programme_id == wrc.id))
    own.status = EnrolmentStatus.SUBMITTED
    mentee = db.session.scalar(select(User).where(
        User.email == logins["mentee (pair at work)"]))
    pair = db.session.scalar(select(Pairing).join(Enrolment, Pairing.mentee_id == Enrolment.id)
                             .where(Enrolment.user_id == mentee.id))
    meeting = db.session.scalar(select(Meeting).where(
        Meeting.pairing_id == pair.id, Meeting.author_id == pair.mentor.user_id)
        .order_by(Meeting.held_on.desc()))
    meeting.confirmation = Confirmation.PENDING
    meeting.feedback = []
    asmg = next(region for region in wrc.regions if region.code == "ASMG")
    asmg_application = db.session.scalar(select(Enrolment.id).where(
        Enrolment.programme_id == wrc.id, Enrolment.region_id == asmg.id).limit(1))
    proposal = db.session.scalar(select(Pairing.id).where(
        Pairing.programme_id == wrc.id, Pairing.status == PairingStatus.PROPOSED).limit(1))
    training = db.session.scalar(select(Activity.id).where(
        Activity.title == "Negotiation skills for technical experts"))
    # A past training she took part in: her feedback form, the coordinator's attendance list.
    past = db.session.scalar(select(Activity).where(
        Activity.title == "Incident response tabletop exercise"))
    if db.session.scalar(select(Registration.id).where(
            Registration.activity_id == past.id, Registration.user_id == mentee.id)) is None:
        db.session.add(Registration(activity_id=past.id, user_id=mentee.id,
                                    status=RegistrationStatus.REGISTERED))
    # Mentors are asked before announcing: one approved proposal waits for its mentor.
    wrc.mentor_consent, wrc.consent_deadline = True, utcnow().date() + timedelta(days=7)
    asked = db.session.scalar(select(Pairing).where(
        Pairing.programme_id == wrc.id, Pairing.status == PairingStatus.PROPOSED,
        Pairing.id != proposal).order_by(Pairing.id.desc()).limit(1))
    pairings.approve(admin, Scope(wrc), asked.id)
    wishes = _wishes_open(applicant, logins)
    # Circles the engine proposed in NOW4WRC23, with their explanations.
    circles.propose(admin, Scope(wrc), [e.id for e in circles.candidates(
        Scope(wrc), Role.MENTOR)[:3]], 4)
    circle = db.session.scalar(select(Circle).where(Circle.programme_id == cyber.id))
    db.session.flush()
    confirm = "/sessions/confirm/" + meetings_service.confirm_token(meeting, mentee)
    ids = {
        "own": own.id, "pair": pair.id, "mentor_meeting": meeting.id, "survey": survey.id,
        "application": db.session.scalar(select(Enrolment.id).where(
            Enrolment.programme_id == wrc.id).order_by(Enrolment.id).limit(1)),
        "asmg_application": asmg_application, "proposal": proposal, "job": job.id,
        "quota": quota.id,
        "approve_job": done[JobKind.APPROVE_ABOVE].id,
        "decide_job": done[JobKind.DECIDE_APPLICATIONS].id,
        "someone": mentee.id, "confirm": confirm, "activity": training, "past_activity": past.id,
        "consent": "/consent/link/" + consent.link_token(asked.id, asked.mentor_id),
        "wishes": wishes.id, "circle": circle.id,
        "circle_meeting": db.session.scalar(select(CircleMeeting.id).where(
            CircleMeeting.circle_id == circle.id, CircleMeeting.author_id == mentee.id)),
        "mentor_enrolment": pair.mentor_id, "mentee_enrolment": pair.mentee_id,
        "itu_meeting": db.session.scalar(select(ItuMeeting.id).where(
            ItuMeeting.programme_id == wrc.id, ItuMeeting.name == "WRC-23")),
        "itu_participant": db.session.scalar(
            select(Enrolment.id).join(MeetingRole, MeetingRole.user_id == Enrolment.user_id)
            .where(Enrolment.programme_id == wrc.id,
                   Enrolment.status == EnrolmentStatus.ACCEPTED).limit(1)),
        "reset": tokens.make_token(mentee, tokens.RESET_PASSWORD),
        "invitation": tokens.make_token(invited, tokens.INVITATION),
        "unsubscribe": urlsplit(unsubscribe_url(mentee, "reminder-silent")).path,
    }
    db.session.commit()
    emails = {"applicant": logins["applicant (NOW4WRC23)"], "admin": logins["admin"],
              "mentor": logins["mentor (pair at work)"], "mentee": logins["mentee (pair at work)"],
              "coordinator": logins["coordinator"], "co-chair": logins["regional co-chair"]}
    return emails, ids


def _wishes_open(applicant: User, logins: dict) -> Enrolment:
    """The applicant accepted as a mentee of the open NOW4WRC27, with a wish for one of its
    two listed mentors (the pair at work's mentor and the co-chair apply there as mentors)."""
    from mentoring.services import enrolments, wishes

    nxt = db.session.scalar(select(Programme).where(Programme.slug == "now4wrc27"))

    def accepted(user, role, **values):
        enrolment = enrolments.apply(user, nxt, role, enrolments.Application(
            country="EG", languages=["ar", "en"], topic_ids=[nxt.topics[0].id],
            capacity=2 if role == Role.MENTOR else None, **values), source="import")
        enrolment.status = EnrolmentStatus.ACCEPTED
        return enrolment

    mentors = [accepted(db.session.scalar(select(User).where(User.email == logins[label])),
                        Role.MENTOR, listed=True, bio="Twenty years of WRC agenda items. " * 3)
               for label in ("mentor (pair at work)", "regional co-chair")]
    mine = accepted(applicant, Role.MENTEE)
    db.session.flush()
    wishes.set_wishes(applicant, mine, [mentors[0].id])
    return mine


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    url = "sqlite:///" + str(tmp_path_factory.mktemp("phone") / "phone.sqlite")
    app = create_app({**_config(url), "WTF_CSRF_ENABLED": True, "SERVER_NAME": None})
    with app.app_context():
        db.create_all()
        emails, ids = _demo_world()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(url=f"http://127.0.0.1:{server.server_port}", emails=emails, ids=ids)
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def pages_of(browser, demo_site):
    """One browser page per (role, screen size), signed in once; the language is the person's
    own choice (the header's switcher), changed when a test asks for another."""
    opened: dict[tuple[str, str], tuple] = {}

    def page_for(role: str, viewport: dict, locale: str):
        key = (role, f"{viewport['width']}x{viewport['height']}")
        if key not in opened:
            context = browser.new_context(viewport=viewport, locale="en")
            page = context.new_page()
            if role != "visitor":
                page.goto(demo_site.url + "/login")
                page.locator("#email").fill(demo_site.emails[role])
                page.locator("#password").fill(DEMO_PASSWORD)
                page.locator("main form [type=submit]").first.click()
                page.wait_for_url(lambda url: "/login" not in url)
            # The language is the person's own setting, which another screen size of hers
            # may have changed: it is set on the first visit.
            opened[key] = [context, page, None]
        entry = opened[key]
        context, page, current = entry
        if current != locale:
            page.goto(demo_site.url + "/privacy")
            token = page.locator("input[name=csrf_token]").first.get_attribute("value")
            answer = page.request.post(demo_site.url + "/language", form={
                "csrf_token": token, "locale": locale, "next": "/privacy"})
            assert answer.ok, answer.status
            entry[2] = locale
        return page

    yield page_for
    for context, _page, _locale in opened.values():
        context.close()


def _overflow(page) -> str | None:
    """None when the page fits its screen, else how far it sticks out and what pushes it."""
    width = page.evaluate("window.innerWidth")
    extra = page.evaluate("document.documentElement.scrollWidth") - width
    if extra <= 0:
        return None
    culprits = page.evaluate(
        "w => [...document.querySelectorAll('body *')].filter(e => {"
        " const r = e.getBoundingClientRect(); return r.right > w + 1 || r.left < -1; })"
        ".filter(e => !e.closest('.table-scroll, .table, .tabs'))"
        ".slice(0, 4).map(e => e.tagName + '.' + e.className + ' '"
        " + Math.round(e.getBoundingClientRect().width))", width)
    return f"{extra} px too wide: {culprits}"


def _visit(page, demo_site, role: str, path: str, locale: str, axe_check=None) -> None:
    expected = STATUS.get(path, 200) if role in ("visitor", "applicant") else 200
    path = path.format(**demo_site.ids)
    response = page.goto(demo_site.url + path)
    assert response.status == expected, f"{path}: {response.status}"
    if urlsplit(path).path.endswith("/report"):  # the report's language is its own choice
        locale = parse_qs(urlsplit(path).query).get("lang", [locale])[0]
    assert page.locator("html").get_attribute("lang") == locale, path
    assert page.locator("html").get_attribute("dir") == ("rtl" if locale == "ar" else "ltr")
    assert (wide := _overflow(page)) is None, f"{path} ({locale}): {wide}"
    if axe_check:
        axe_check(page, f"{path} ({locale})")


@pytest.mark.parametrize(("locale", "role", "path"), [
    (locale, role, path) for locale in ("en", "ar") for role, paths in PAGES.items()
    for path in paths])
def test_every_page_of_every_role_fits_a_phone(demo_site, pages_of, axe_check, locale, role,
                                               path):
    _visit(pages_of(role, PHONE, locale), demo_site, role, path, locale, axe_check)


@pytest.mark.parametrize(("locale", "role", "path"), [
    (locale, role, path) for locale in ("en", "ar") for role, paths in PAGES.items()
    for path in paths])
def test_every_page_of_every_role_fits_a_wide_screen(demo_site, pages_of, locale, role, path):
    """At 1,440 px nothing spills out either (axe's findings do not depend on the width: the
    phone sweep has them)."""
    _visit(pages_of(role, WIDE, locale), demo_site, role, path, locale)


@pytest.mark.parametrize(("locale", "viewport", "role", "path"), [
    (locale, viewport, role, path) for locale, viewport in SMALL_SCREENS
    for role, path in DENSE], ids=lambda value: (
        f"{value['width']}" if isinstance(value, dict) else None))
def test_the_densest_pages_fit_the_smallest_phones(demo_site, pages_of, axe_check, locale,
                                                   viewport, role, path):
    _visit(pages_of(role, viewport, locale), demo_site, role, path, locale, axe_check)


#: The README's screenshots: (file name, role, page), each on a desktop and a phone, in English
#: and Arabic.
README_SHOTS = [
    ("programmes", "visitor", "/"), ("pair", "mentee", "/pairs/{pair}"),
    ("applications", "coordinator", f"{C23}/applications"),
    ("dashboard", "coordinator", f"{CYBER}/dashboard"),
    ("activities", "coordinator", f"{CYBER}/activities"),
    ("activity", "mentee", "/activities/{activity}"),
    ("circle", "mentee", "/circles/{circle}"),
    ("outcomes", "coordinator", f"{C23}/dashboard/outcomes"),
]
SCREENS = {"desktop": {"width": 1280, "height": 800}, "phone": PHONE}


@pytest.mark.skipif(not os.environ.get("README_SCREENSHOTS"),
                    reason="writes docs/screenshots/ (README_SCREENSHOTS=1 to refresh them)")
@pytest.mark.parametrize("locale", ["en", "ar"])
def test_readme_screenshots(demo_site, pages_of, locale):
    folder = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    for name, role, path in README_SHOTS:
        for screen, viewport in SCREENS.items():
            page = pages_of(role, viewport, locale)
            page.goto(demo_site.url + path.format(**demo_site.ids))
            page.screenshot(path=str(folder / f"{name}-{screen}-{locale}.png"))


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_on_a_phone_the_header_is_one_bar_the_tabs_scroll_and_names_stay_in_view(
        demo_site, pages_of, locale):
    page = pages_of("coordinator", PHONE, locale)
    page.goto(f"{demo_site.url}{C23}/applications?q=Oluwatobi")
    assert page.locator(".site-header").bounding_box()["height"] < 110  # was 176

    # The six languages are one control: a menu that opens on a tap.
    choices = page.locator(".languages li")
    assert choices.count() == 6 and not choices.first.is_visible()
    page.locator(".languages summary").click()
    assert all(choices.nth(i).is_visible() for i in range(6))
    page.keyboard.press("Escape")
    assert not choices.first.is_visible()

    # The tab bar keeps one line and scrolls inside itself.
    tabs = page.locator(".tabs ul")
    tops = {round(box["y"]) for box in
            (item.bounding_box() for item in tabs.locator("li").all())}
    assert len(tops) == 1
    assert tabs.evaluate("e => e.scrollWidth > e.clientWidth")
    # A tab at the far end of the bar is brought into view when it is the current one.
    page.goto(f"{demo_site.url}{C23}/audit")
    current = page.locator(".tabs [aria-current=page]").bounding_box()
    assert 0 <= current["x"] and current["x"] + current["width"] <= PHONE["width"]
    page.goto(f"{demo_site.url}{C23}/applications?q=Oluwatobi")

    # Scrolled to its far end, the applications table still shows who each row is.
    table = page.locator("table", has_text=LONG_NAME[:20])
    table.evaluate("e => e.scrollIntoView({block: 'start', inline: 'nearest'})")
    table.evaluate("e => { e.scrollLeft = (getComputedStyle(e).direction == 'rtl' ? -1 : 1)"
                   " * e.scrollWidth; }")
    assert table.evaluate("e => Math.abs(e.scrollLeft) > 100")
    name = page.get_by_role("link", name=LONG_NAME)
    box = name.bounding_box()
    assert 0 <= box["x"] and box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate("p => document.elementFromPoint(p.x, p.y).closest('a')?.textContent",
                         {"x": box["x"] + box["width"] / 2, "y": box["y"] + 5}) == LONG_NAME


def test_a_very_long_name_breaks_instead_of_widening_the_table_on_a_desktop(demo_site,
                                                                            pages_of):
    page = pages_of("coordinator", {"width": 1280, "height": 800}, "en")
    page.goto(f"{demo_site.url}{C23}/applications?q=Oluwatobi")
    table = page.locator("table", has_text=LONG_NAME[:20])
    assert table.bounding_box()["width"] <= page.locator("main").bounding_box()["width"]


def test_the_language_menu_works_without_script(browser, demo_site):
    context = browser.new_context(viewport=PHONE, locale="en", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(demo_site.url + "/programmes/now4wrc27")
        page.locator(".languages summary").click()
        page.get_by_role("button", name="العربية").click()
        page.wait_for_url("**/programmes/now4wrc27")
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert page.locator(".languages summary [lang]").inner_text() == "العربية"
    finally:
        context.close()


def test_on_a_phone_a_mentee_joins_the_waiting_list_of_a_full_activity_and_leaves_it(
        demo_site, pages_of):
    """The circle has 6 places and 5 taken; the coordinator makes it 5, so the mentee who
    registers waits for a place, and can leave the waiting list."""
    circle = "Mentoring circle: threat intelligence"
    coordinator = pages_of("coordinator", PHONE, "en")
    coordinator.goto(f"{demo_site.url}{CYBER}/activities")
    coordinator.get_by_role("link", name=circle).click()
    coordinator.get_by_role("link", name="Change").click()
    coordinator.get_by_label("Places (empty: no limit)").fill("5")
    coordinator.get_by_role("button", name="Save the activity").click()
    assert "5 of 5 taken" in coordinator.locator("main").inner_text()

    mentee = pages_of("mentee", PHONE, "en")
    mentee.goto(demo_site.url + "/me/programmes")
    card = mentee.locator(".card", has_text=circle)
    assert "Full: register to join the waiting list." in card.inner_text()
    card.get_by_role("link", name=circle).click()
    mentee.get_by_role("button", name="Register").click()
    assert "You are on the waiting list." in mentee.locator("#your-place + *").inner_text()
    assert _overflow(mentee) is None
    mentee.once("dialog", lambda dialog: dialog.accept())
    mentee.get_by_role("button", name="Leave the waiting list").click()
    mentee.wait_for_load_state()
    assert "You are no longer registered." in mentee.content()
    assert mentee.get_by_role("button", name="Register").is_visible()
