"""The authorization matrix: a regional co-chair sees and changes her region, nothing else.

The co-chair of ATU (Africa) signs in to a programme with applications, pairs, sessions,
audit events and survey answers in ATU and in CEPT (Europe). Every coordinator page and
export, enumerated from the application's URL map so that a new one cannot be forgotten, must
show no name, email or private answer of a CEPT person; every POST action on a CEPT object must
answer 403 and change nothing.

Accepted mentors are the programme's common pool: a co-chair picks mentors from any region
(ARCHITECTURE, "Announcing"), so the mentor load and the manual pairing form list them. The
CEPT people checked here are those who are not in that pool: mentees and applicants.
"""

from __future__ import annotations

import html
import io
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from mentoring.extensions import db
from mentoring.models import (
    Activity,
    ActivityKind,
    AuditEvent,
    BlockingPair,
    Circle,
    CircleMember,
    Confirmation,
    Enrolment,
    EnrolmentStatus,
    Feedback,
    ForbiddenPair,
    ItuMeeting,
    Job,
    JobKind,
    JobStatus,
    MatchingQuota,
    MatchingRun,
    Meeting,
    MeetingFormat,
    MeetingRole,
    MeetingRoleKind,
    MentorConsent,
    MentorWish,
    Pairing,
    PairingStatus,
    ProgrammeStatus,
    Registration,
    RegistrationStatus,
    Role,
    SurveyResponse,
)
from mentoring.models._types import utcnow
from mentoring.services import audit, role_imports, surveys
from mentoring.services.exports import DASHBOARD_TABLES, OUTCOME_TABLES
from mentoring.services.scope import Scope

#: The blueprints whose /coordinate/ routes make the coordinators' side of the site.
COORDINATOR_BLUEPRINTS = {"coordination", "applications", "pairing", "pairs_at_work", "surveys",
                          "dashboard", "content", "jobs", "activities", "consent",
                          "outcomes", "circles"}


def coordinator_rules(app, method: str) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules()
            if rule.endpoint.split(".")[0] in COORDINATOR_BLUEPRINTS
            and rule.rule.startswith("/coordinate/") and method in rule.methods}


@dataclass
class World:
    slug: str
    a_mentee: Enrolment
    a_mentor: Enrolment
    a_applicant: Enrolment
    a_pair: Pairing
    a_meeting: Meeting
    b_mentee: Enrolment
    b_second_mentee: Enrolment
    b_mentor: Enrolment
    b_applicant: Enrolment
    b_mentor_applicant: Enrolment
    b_pair: Pairing
    b_proposal: Pairing
    b_meeting: Meeting
    #: An import another coordinator started (its problems name region B's people).
    b_job: Job
    #: A CEPT activity, and a programme-wide one, each with a CEPT mentee registered.
    b_activity: Activity
    wide_activity: Activity
    #: Words no page of the ATU co-chair may show.
    secrets: tuple[str, ...]
    #: The programme's quota (only its coordinators change it).
    quota_id: int = 0
    #: An ITU meeting of the programme, and a CEPT mentee's role at it.
    itu_meeting: ItuMeeting | None = None
    b_role: MeetingRole | None = None
    #: A circle of ATU people and one of CEPT people.
    a_circle_id: int = 0
    b_circle_id: int = 0


def _pair(programme, mentee, mentor, status=PairingStatus.ACTIVE) -> Pairing:
    announced = utcnow() - timedelta(days=30)
    pairing = Pairing(programme_id=programme.id, mentee=mentee, mentor=mentor, status=status,
                      source="manual", score=700, decided_at=announced,
                      announced_at=announced if status == PairingStatus.ACTIVE else None)
    if status == PairingStatus.ACTIVE:
        mentee.live_pairs += 1
        mentor.live_pairs += 1
    db.session.add(pairing)
    db.session.flush()
    return pairing


def _meeting(pairing, author, confirmation, note="") -> Meeting:
    meeting = Meeting(pairing=pairing, author_id=author.user_id,
                      held_on=utcnow().date() - timedelta(days=3), duration_minutes=60,
                      format=MeetingFormat.VIDEO, confirmation=confirmation, dispute_note=note)
    db.session.add(meeting)
    db.session.flush()
    audit.record("meeting.log", actor=author.user, programme=pairing.mentee.programme,
                 target=meeting, after={"held_on": meeting.held_on.isoformat()})
    return meeting


@pytest.fixture
def world(make_programme, make_enrolment, make_user, coordinator) -> World:
    programme = make_programme(status=ProgrammeStatus.RUNNING)
    accepted = EnrolmentStatus.ACCEPTED

    def person(name, country, role=Role.MENTEE, status=accepted, **extra):
        email = name.lower().replace(" ", ".") + "@example.org"
        return make_enrolment(programme, make_user(email, name=name), role=role,
                              status=status, country=country, **extra)

    a_mentee = person("Amina Kariuki", "KE")
    a_mentor = person("Kofi Mensah", "GH", Role.MENTOR, capacity=2)
    a_applicant = person("Zawadi Otieno", "KE", status=EnrolmentStatus.SUBMITTED)
    b_mentee = person("Brigitte Lefevre", "FR")
    b_second_mentee = person("Bianca Rossi", "IT")
    b_mentor = person("Bruno Schmidt", "DE", Role.MENTOR, capacity=3)
    b_applicant = person("Beatrix Novak", "CZ", status=EnrolmentStatus.SUBMITTED)
    b_mentor_applicant = person("Benedikt Huber", "AT", Role.MENTOR,
                                status=EnrolmentStatus.WAITLISTED, capacity=1)
    declined = person("Birgitta Holm", "SE", status=EnrolmentStatus.DECLINED)

    a_pair = _pair(programme, a_mentee, a_mentor)
    b_pair = _pair(programme, b_mentee, b_mentor)
    b_proposal = _pair(programme, b_second_mentee, b_mentor, PairingStatus.PROPOSED)
    a_meeting = _meeting(a_pair, a_mentor, Confirmation.CONFIRMED)
    b_meeting = _meeting(b_pair, b_mentor, Confirmation.DISPUTED, note="Bravo dispute note")
    db.session.add(Feedback(meeting_id=b_meeting.id, user_id=b_mentee.user_id, rating=2,
                            comment="Bravo feedback comment"))
    for enrolment in (a_mentee, a_mentor, a_applicant, b_mentee, b_second_mentee, b_mentor,
                      b_applicant, b_mentor_applicant, declined):
        audit.record("enrolment.apply", actor=enrolment.user, programme=programme,
                     target=enrolment, after={"email": enrolment.user.email})
    for pairing in (a_pair, b_pair, b_proposal):
        audit.record("pairing.approve", actor=None, programme=programme, target=pairing,
                     after={"mentee": pairing.mentee.user.name})

    # The mid-programme survey, with names shown, answered on both sides.
    survey = surveys.stored(surveys.survey_for(programme, "mid"))
    survey.questions = [{"kind": "rating", "text": "How useful?"},
                        {"kind": "text", "text": "What would you change?"}]
    survey.anonymous = False
    survey.sent_at = utcnow()
    db.session.add_all([
        SurveyResponse(survey_id=survey.id, user_id=a_mentee.user_id,
                       answers=[5, "Alpha survey comment"]),
        SurveyResponse(survey_id=survey.id, user_id=b_mentee.user_id,
                       answers=[1, "Bravo survey comment"]),
    ])
    # Ranked wishes in both regions (mentors are the common pool; the mentees are not).
    a_mentor.listed = b_mentor.listed = True
    db.session.add_all([MentorWish(mentee_id=mentee.id, mentor_id=mentor.id, rank=rank)
                        for mentee in (a_mentee, b_mentee, b_second_mentee)
                        for rank, mentor in enumerate((a_mentor, b_mentor), start=1)])
    b_job = Job(kind=JobKind.IMPORT_APPLICATIONS, programme=programme,
                user=make_user("programme.coordinator@example.org"), status=JobStatus.FAILED,
                errors=[{"line": 2, "column": "E-mail", "message": "Bravo import problem"}],
                error_count=1)
    db.session.add(b_job)
    cept = next(region for region in programme.regions if region.code == "CEPT")
    b_activity, wide_activity = (
        Activity(programme_id=programme.id, kind=ActivityKind.TALK, title=title,
                 starts_at=utcnow() + timedelta(days=5), timezone="UTC", duration_minutes=60,
                 region_id=region_id)
        for title, region_id in (("Bravo circle", cept.id), ("Everyone's talk", None)))
    db.session.add_all([b_activity, wide_activity])
    db.session.flush()
    db.session.add_all(
        Registration(activity_id=activity.id, user_id=person.user_id,
                     status=RegistrationStatus.REGISTERED)
        for activity, person in ((b_activity, b_mentee), (wide_activity, b_mentee),
                                 (wide_activity, a_mentee)))
    # A run whose blocking pairs name a mentee of each region, and a quota.
    matching_run = MatchingRun(programme_id=programme.id, summary={
        "matched": 0, "unmatched": 0, "total": 0, "lowest": None, "mean": None, "mentees": 0,
        "mentors": 0, "blocking": 2})
    quota = MatchingQuota(programme_id=programme.id, name="Any", value=1)
    db.session.add_all([matching_run, quota])
    db.session.flush()
    db.session.add_all([
        BlockingPair(run_id=matching_run.id, mentee_id=mentee.id, mentor_id=mentor.id,
                     score=900, mentee_score=None, mentor_lowest=800)
        for mentee, mentor in ((a_mentee, b_mentor), (b_second_mentee, a_mentor))])
    # A CEPT mentor's answer to a pair (its reason is for CEPT's coordinators only).
    programme.mentor_consent = True
    db.session.add(MentorConsent(pairing_id=b_pair.id, programme_id=programme.id,
                                 state="declined", reason="Bravo consent reason"))
    itu_meeting = ItuMeeting(programme_id=programme.id, name="WRC-23",
                             starts_on=date(2023, 11, 20))
    db.session.add(itu_meeting)
    db.session.flush()
    b_role = MeetingRole(user_id=b_mentee.user_id, itu_meeting_id=itu_meeting.id,
                         role=MeetingRoleKind.RAPPORTEUR)
    db.session.add(b_role)
    a_circle, b_circle = (
        Circle(programme_id=programme.id, name=name, capacity=4, members=[
            CircleMember(programme_id=programme.id, enrolment_id=e.id, user_id=e.user_id,
                         role=e.role) for e in people])
        for name, people in (("Alpha circle", (a_mentor, a_mentee)),
                             ("Bravo study circle", (b_mentor, b_second_mentee))))
    db.session.add_all([a_circle, b_circle])
    db.session.commit()

    secrets = ("Bravo dispute note", "Bravo import problem", "Bravo feedback comment",
               "Bravo survey comment", "Bravo circle", "Bravo consent reason",
               "Bravo study circle")
    for enrolment in (b_mentee, b_second_mentee, b_applicant, b_mentor_applicant, declined):
        secrets += (enrolment.user.name, enrolment.user.email)
    return World(programme.slug, a_mentee, a_mentor, a_applicant, a_pair, a_meeting, b_mentee,
                 b_second_mentee, b_mentor, b_applicant, b_mentor_applicant, b_pair, b_proposal,
                 b_meeting, b_job, b_activity, wide_activity, secrets, quota.id, itu_meeting,
                 b_role, a_circle.id, b_circle.id)


@pytest.fixture
def cochair(app, auth, world, coordinator):
    from mentoring.models import Programme

    programme = db.session.scalar(select(Programme).where(Programme.slug == world.slug))
    auth.login(coordinator(programme, "ATU", email="atu.cochair@example.org"))
    return auth.client


# ---- every page and export -----------------------------------------------------------------

def get_requests(w: World) -> dict[str, list[tuple[str, int]]]:
    """Every coordinator GET endpoint: the URLs to ask, and the status each must answer."""
    c = f"/coordinate/{w.slug}"
    statuses = [s.value for s in PairingStatus]
    return {
        "coordination.index": [("/coordinate/", 302)],
        "coordination.audit_log": [(f"{c}/audit", 200)] + [
            (f"{c}/audit?action={kind}", 200)
            for kind in ("enrolment", "pairing", "meeting", "programme", "matching")],
        "applications.applications": [(f"{c}/applications", 200)] + [
            (f"{c}/applications?status={s.value}", 200) for s in EnrolmentStatus] + [
            (f"{c}/applications?region={w.b_mentee.region_id}", 200),
            (f"{c}/applications?q=Brigitte", 200), (f"{c}/applications?role=mentor", 200)],
        "applications.application": [(f"{c}/applications/{w.a_mentee.id}", 200),
                                      (f"{c}/applications/{w.b_mentee.id}", 403),
                                      (f"{c}/applications/{w.b_applicant.id}", 403)],
        "applications.export": [(f"{c}/applications.csv", 200)] + [
            (f"{c}/applications.csv?status={s.value}", 200) for s in EnrolmentStatus],
        "applications.import_csv": [(f"{c}/import", 200)],
        "jobs.job": [(f"{c}/jobs/{w.b_job.id}", 403)],
        "content.translations": [(f"{c}/translations", 200)],
        "dashboard.dashboard": [(f"{c}/dashboard", 200)],
        "dashboard.report": [(f"{c}/report", 200), (f"{c}/report?lang=ar", 200),
                             (f"{c}/report?lang=xx", 404)],
        "dashboard.survey_ratings_csv": [(f"{c}/report/survey-ratings.csv", 200)],
        "dashboard.outcomes_page": [(f"{c}/dashboard/outcomes", 200)],
        "dashboard.outcomes_csv": [(f"{c}/dashboard/outcomes/{name}.csv", 200)
                                   for name in OUTCOME_TABLES],
        "dashboard.dashboard_csv": [(f"{c}/dashboard/{name}.csv", 200)
                                    for name in DASHBOARD_TABLES],
        "pairing.matching": [(f"{c}/matching", 200)],
        "pairing.pairs": [(f"{c}/pairs", 200)] + [(f"{c}/pairs?status={s}", 200)
                                                  for s in statuses],
        "pairing.mentor_load": [(f"{c}/pairs/load", 200)],
        "pairing.manual_pair": [
            (f"{c}/pairs/manual", 200),
            (f"{c}/pairs/manual?mentee={w.b_second_mentee.id}&mentor={w.a_mentor.id}", 403)],
        "pairing.swap_pair": [(f"{c}/pairs/{w.b_proposal.id}/swap", 403)],
        "pairing.announce": [(f"{c}/pairs/announce", 200)],
        "pairing.blocking_pairs": [(f"{c}/pairs/blocking", 200)],
        # The quotas are programme-wide: she reads them, and may not open their forms.
        "pairing.quotas": [(f"{c}/quotas", 200)],
        "pairing.edit_quota": [(f"{c}/quotas/new", 403),
                               (f"{c}/quotas/{w.quota_id}/edit", 403)],
        "pairing.delete_quota": [(f"{c}/quotas/{w.quota_id}/delete", 403)],
        "pairing.export_pairs": [(f"{c}/pairs.csv", 200)] + [(f"{c}/pairs.csv?status={s}", 200)
                                                             for s in statuses],
        "pairs_at_work.activity": [(f"{c}/activity", 200)] + [
            (f"{c}/activity?only={only}", 200)
            for only in ("silent", "never-met", "disputed", "ended")],
        "pairs_at_work.sessions": [(f"{c}/pairs/{w.a_pair.id}/sessions", 200),
                                   (f"{c}/pairs/{w.b_pair.id}/sessions", 403)],
        "surveys.surveys_page": [(f"{c}/surveys", 200)],
        "activities.activities": [(f"{c}/activities", 200)],
        "activities.new_activity": [(f"{c}/activities/new", 200)],
        "activities.coordinator_activity": [(f"{c}/activities/{w.wide_activity.id}", 200),
                                            (f"{c}/activities/{w.b_activity.id}", 403)],
        "activities.edit_activity": [(f"{c}/activities/{w.wide_activity.id}/edit", 403),
                                     (f"{c}/activities/{w.b_activity.id}/edit", 403)],
        "activities.cancel_activity": [(f"{c}/activities/{w.wide_activity.id}/cancel", 403),
                                       (f"{c}/activities/{w.b_activity.id}/cancel", 403)],
        # Attendance is the managing coordinators' (a co-chair: her region's activities).
        "activities.import_attendance": [
            (f"{c}/activities/{w.wide_activity.id}/attendance/import", 403),
            (f"{c}/activities/{w.b_activity.id}/attendance/import", 403)],
        "consent.setting": [(f"{c}/consent", 200)],
        # A co-chair reads the list of ITU meetings; only the programme's coordinators keep it.
        "outcomes.itu_meetings": [(f"{c}/itu-meetings", 200)],
        "outcomes.edit_itu_meeting": [(f"{c}/itu-meetings/{w.itu_meeting.id}/edit", 403)],
        "outcomes.remove_itu_meeting": [(f"{c}/itu-meetings/{w.itu_meeting.id}/remove", 403)],
        "outcomes.participant_roles": [
            (f"{c}/applications/{w.a_mentee.id}/itu-roles", 200),
            (f"{c}/applications/{w.b_mentee.id}/itu-roles", 403),
            (f"{c}/applications/{w.b_applicant.id}/itu-roles", 403)],
        # She imports roles for her region's participants (a file naming others: see below).
        "outcomes.import_roles": [(f"{c}/itu-meetings/import", 200)],
        "outcomes.roles_template": [(f"{c}/itu-meetings/import/roles-template.csv", 200)],
        # Circles: hers are those whose every member is of her region; the engine's
        # proposals are the programme coordinators'.
        "circles.circles": [(f"{c}/circles", 200)],
        "circles.new_circle": [(f"{c}/circles/new", 200)],
        "circles.coordinator_circle": [(f"{c}/circles/{w.a_circle_id}", 200),
                                       (f"{c}/circles/{w.b_circle_id}", 403)],
        "circles.edit_circle": [(f"{c}/circles/{w.a_circle_id}/edit", 200),
                                (f"{c}/circles/{w.b_circle_id}/edit", 403)],
        "circles.dissolve_circle": [(f"{c}/circles/{w.a_circle_id}/dissolve", 200),
                                    (f"{c}/circles/{w.b_circle_id}/dissolve", 403)],
        "circles.propose": [(f"{c}/circles/propose", 403)],
    }


def test_every_coordinator_page_is_in_the_matrix(app, world):
    assert coordinator_rules(app, "GET") == set(get_requests(world)), \
        "a coordinator page is missing from the authorization matrix (or one is gone)"
    assert coordinator_rules(app, "POST") == set(post_requests(world)), \
        "a coordinator action is missing from the authorization matrix (or one is gone)"


def test_a_cochair_sees_nothing_of_another_region_on_any_page_or_export(world, cochair):
    seen = []
    for endpoint, requests in get_requests(world).items():
        for url, status in requests:
            response = cochair.get(url)
            assert response.status_code == status, (endpoint, url, response.status_code)
            body = html.unescape(response.get_data(as_text=True))
            leaked = [secret for secret in world.secrets if secret in body]
            assert not leaked, (endpoint, url, leaked)
            seen.append(body)
    # The pages did show her own region (so the check above is not vacuous).
    everything = "\n".join(seen)
    for own in ("Amina Kariuki", "Zawadi Otieno", "Alpha survey comment"):
        assert own in everything


def test_the_audit_log_shows_a_cochair_the_events_of_her_region_only(world, cochair):
    page = html.unescape(cochair.get(f"/coordinate/{world.slug}/audit").get_data(as_text=True))
    assert "Amina Kariuki" in page and "Zawadi Otieno" in page
    assert f"#{world.a_pair.id}" in page and f"#{world.a_meeting.id}" in page
    for event_target in (world.b_pair.id, world.b_proposal.id):
        assert f"pairing.approve</code> #{event_target}<" not in page
    assert f"meeting.log</code> #{world.b_meeting.id}<" not in page


def test_a_cochairs_survey_results_count_only_her_regions_pairs(world, cochair):
    page = html.unescape(cochair.get(f"/coordinate/{world.slug}/surveys").get_data(as_text=True))
    assert "1 answers" in page or "1 answer" in page
    # One rating in her region: its mean would be that person's answer.
    assert "Fewer than 5 answers: the mean is not shown" in page and "Mean 5" not in page
    assert "Alpha survey comment" in page and "Bravo survey comment" not in page


# ---- every action on the other region's objects ------------------------------------------------

def post_requests(w: World) -> dict[str, list[tuple[str, dict]]]:
    """Every coordinator POST endpoint, aimed at a CEPT object (or, for the programme-wide
    actions only programme coordinators take, at the programme): each must answer 403."""
    c = f"/coordinate/{w.slug}"
    return {
        "applications.decide": [(f"{c}/applications/decide",
                                 {"ids": [str(w.b_applicant.id)], "decision": "accepted"}),
                                (f"{c}/applications/decide",
                                 {"ids": [str(w.a_applicant.id), str(w.b_applicant.id)],
                                  "decision": "declined"})],
        "pairing.approve_pair": [(f"{c}/pairs/{w.b_proposal.id}/approve", {})],
        "pairing.reject_pair": [(f"{c}/pairs/{w.b_proposal.id}/reject", {"reason": "No."})],
        "pairing.lock_pair": [(f"{c}/pairs/{w.b_proposal.id}/lock", {}),
                              (f"{c}/pairs/{w.b_pair.id}/unlock", {})],
        "pairing.forbid_pair": [(f"{c}/forbid/{w.b_second_mentee.id}/{w.b_mentor.id}",
                                 {"reason": "No."})],
        "pairing.swap_pair": [(f"{c}/pairs/{w.b_proposal.id}/swap",
                               {"other": str(w.a_pair.id)})],
        "pairing.manual_pair": [(f"{c}/pairs/manual",
                                 {"mentee": str(w.b_second_mentee.id),
                                  "mentor": str(w.a_mentor.id), "reason": "Mine now.",
                                  "override": "y"})],
        "pairs_at_work.end_pair": [(f"{c}/pairs/{w.b_pair.id}/end", {"reason": "Ended."})],
        "pairs_at_work.withdraw_session": [(f"{c}/sessions/{w.b_meeting.id}/withdraw",
                                            {"reason": "Gone."})],
        # Programme-wide: only the programme's coordinators set rules, run matching, write
        # surveys and translations.
        "pairing.matching": [(f"{c}/matching", {})],
        "pairing.run_matching": [(f"{c}/matching/run", {})],
        "pairing.edit_quota": [(f"{c}/quotas/new", {"name": "Mine", "value": "1"}),
                               (f"{c}/quotas/{w.quota_id}/edit",
                                {"name": "Mine", "value": "2"})],
        "pairing.delete_quota": [(f"{c}/quotas/{w.quota_id}/delete", {})],
        "surveys.surveys_page": [(f"{c}/surveys", {"kind": "end", "questions": "text: Hi?",
                                                   "action": "send"})],
        "content.translations": [(f"{c}/translations", {"locale": "fr"})],
        "consent.setting": [(f"{c}/consent", {"deadline": ""})],
        # Acting within her scope: these answer a page or a redirect, never touching CEPT.
        "pairing.approve_above": [(f"{c}/pairs/approve-above", {"score": "0"})],
        "pairing.announce": [(f"{c}/pairs/announce", {})],
        "applications.import_csv": [(f"{c}/import", {})],
        "activities.edit_activity": [(f"{c}/activities/{w.b_activity.id}/edit",
                                      {"title": "Mine", "capacity": "1"}),
                                     (f"{c}/activities/{w.wide_activity.id}/edit",
                                      {"title": "Mine", "capacity": "1"})],
        "activities.cancel_activity": [(f"{c}/activities/{w.b_activity.id}/cancel", {}),
                                       (f"{c}/activities/{w.wide_activity.id}/cancel", {})],
        "activities.attendance": [(f"{c}/activities/{w.b_activity.id}/attendance", {}),
                                  (f"{c}/activities/{w.wide_activity.id}/attendance", {})],
        "activities.import_attendance": [
            (f"{c}/activities/{w.b_activity.id}/attendance/import", {}),
            (f"{c}/activities/{w.wide_activity.id}/attendance/import", {})],
        "outcomes.itu_meetings": [(f"{c}/itu-meetings",
                                   {"name": "Mine", "starts_on": "2023-01-01"})],
        "outcomes.edit_itu_meeting": [(f"{c}/itu-meetings/{w.itu_meeting.id}/edit",
                                       {"name": "Mine", "starts_on": "2023-01-01"})],
        "outcomes.remove_itu_meeting": [(f"{c}/itu-meetings/{w.itu_meeting.id}/remove", {})],
        "outcomes.participant_roles": [(f"{c}/applications/{w.b_mentee.id}/itu-roles",
                                        {"meeting": str(w.itu_meeting.id), "role": "chair"})],
        "outcomes.remove_participant_role": [
            (f"{c}/applications/{w.b_mentee.id}/itu-roles/{w.b_role.id}/remove", {}),
            (f"{c}/applications/{w.a_mentee.id}/itu-roles/{w.b_role.id}/remove", {})],
        # A roles file naming a CEPT mentee: that row is wrong (400, nothing read); a plan
        # read for the whole programme: 403.
        "outcomes.import_roles": [(f"{c}/itu-meetings/import", {"file": (io.BytesIO(
            f"email,meeting,role\n{w.b_mentee.user.email},WRC-23,chair\n".encode()),
            "roles.csv")})],
        "outcomes.confirm_roles_import": [(f"{c}/itu-meetings/import/confirm", {
            "plan": _whole_programme_plan(w)})],
        "circles.new_circle": [(f"{c}/circles/new",
                                {"name": "Mine", "capacity": "3", "mentors": [str(w.a_mentor.id)],
                                 "mentees": [str(w.b_mentee.id)]})],
        "circles.edit_circle": [(f"{c}/circles/{w.b_circle_id}/edit",
                                 {"name": "Mine", "capacity": "3",
                                  "mentors": [str(w.b_mentor.id)],
                                  "mentees": [str(w.b_second_mentee.id)]}),
                                (f"{c}/circles/{w.a_circle_id}/edit",
                                 {"name": "Mine", "capacity": "3",
                                  "mentors": [str(w.a_mentor.id)],
                                  "mentees": [str(w.a_mentee.id), str(w.b_mentee.id)]})],
        "circles.dissolve_circle": [(f"{c}/circles/{w.b_circle_id}/dissolve", {})],
        "circles.propose": [(f"{c}/circles/propose",
                             {"capacity": "3", "mentors": [str(w.a_mentor.id)]})],
        "circles.approve_circle": [(f"{c}/circles/{w.b_circle_id}/approve", {})],
        "circles.approve_all": [(f"{c}/circles/approve", {})],
        # A plan with no title: the form comes back (her own region's activities are hers).
        "activities.new_activity": [(f"{c}/activities/new", {})],
    }


def _whole_programme_plan(w: World) -> str:
    """A roles import's confirmation as a programme coordinator's preview seals it, naming a
    CEPT mentee."""
    programme = w.itu_meeting.programme
    return role_imports.seal(Scope(programme), role_imports.RolesFile([role_imports.PlannedRole(
        2, w.b_mentee.user_id, "", "", w.itu_meeting.id, "WRC-23", MeetingRoleKind.CHAIR)], 0))


#: The POST endpoints that act only within the co-chair's scope (no object id to refuse).
WITHIN_SCOPE = {"pairing.approve_above", "pairing.announce", "applications.import_csv",
                "activities.new_activity"}
#: The POST endpoints that read a file: a row about another region is an error on that row.
FILE_ROWS = {"outcomes.import_roles"}


def state(w: World) -> dict:
    """Everything a CEPT action could change."""
    db.session.expire_all()
    return {
        "enrolments": sorted((e.id, str(e.status), e.live_pairs) for e in db.session.scalars(
            select(Enrolment).where(Enrolment.id.in_([
                w.b_mentee.id, w.b_second_mentee.id, w.b_mentor.id, w.b_applicant.id,
                w.b_mentor_applicant.id, w.a_applicant.id])))),
        "pairings": sorted((p.id, str(p.status), p.locked, p.mentor_id) for p in
                           db.session.scalars(select(Pairing))),
        "meetings": sorted((m.id, str(m.confirmation)) for m in db.session.scalars(
            select(Meeting))),
        "feedback": db.session.scalar(select(func.count()).select_from(Feedback)),
        "forbidden": db.session.scalar(select(func.count()).select_from(ForbiddenPair)),
        "surveys": [(s.id, s.sent_at is not None) for s in db.session.scalars(
            select(surveys.Survey))],
        "activities": sorted((a.id, a.title, a.capacity) for a in db.session.scalars(
            select(Activity))),
        "registrations": sorted((r.id, r.attended) for r in db.session.scalars(
            select(Registration))),
        "quotas": db.session.execute(select(MatchingQuota.id, MatchingQuota.name,
                                            MatchingQuota.value)).all(),
        "itu_meetings": sorted((m.id, m.name, m.starts_on) for m in db.session.scalars(
            select(ItuMeeting))),
        "meeting_roles": sorted((r.id, r.user_id, r.role) for r in db.session.scalars(
            select(MeetingRole))),
        "circles": sorted((c.id, c.name, c.capacity, str(c.status)) for c in
                          db.session.scalars(select(Circle))),
        "circle_members": sorted((m.circle_id, m.enrolment_id) for m in db.session.scalars(
            select(CircleMember))),
    }


def test_a_cochairs_actions_on_another_region_answer_403_and_change_nothing(world, cochair):
    before = state(world)
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    for endpoint, requests in post_requests(world).items():
        for url, data in requests:
            response = cochair.post(url, data=data)
            if endpoint in WITHIN_SCOPE:
                assert response.status_code in (200, 302), (endpoint, response.status_code)
            elif endpoint in FILE_ROWS:
                assert response.status_code == 400, (endpoint, response.status_code)
                assert "not an accepted participant of your region" in response.text
            else:
                assert response.status_code == 403, (endpoint, url, response.status_code)
            assert state(world) == before, (endpoint, url)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events
