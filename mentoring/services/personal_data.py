"""Personal data: what the site holds about a person (her export), erasure, and retention.

Erasure keeps the rows that the programme's figures count (the account, its applications,
pairs and sessions) and takes out of them what says who she is: her name and address, the
free text she wrote, and the emails sent to her. Her coordinator roles end with it. The
retention command (``anonymise_old``) does the same for programmes closed long ago.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Text, cast, delete, or_, select

from ..extensions import db
from ..models import (
    AuditEvent,
    Circle,
    CircleMeeting,
    Coordinator,
    Enrolment,
    EnrolmentStatus,
    Feedback,
    Meeting,
    MeetingRole,
    OutboxEmail,
    Pairing,
    PairingStatus,
    Programme,
    ProgrammeStatus,
    Survey,
    SurveyResponse,
    User,
)
from ..models._types import utcnow
from . import Forbidden, Refused, audit
from . import circles as circles_service

#: Pairs the person has been told about (proposals stay the coordinators' working notes).
ANNOUNCED = (PairingStatus.ACTIVE, PairingStatus.COMPLETED, PairingStatus.ENDED)
#: Keys of audit snapshots that hold words a person wrote about herself.
_FREE_TEXT_KEYS = frozenset({"organisation", "goals", "itu_meetings", "gender_self_described",
                             "bio",
                             "note", "reason", "comment", "name", "email", "user"})


def erased_name(user_id: int) -> str:
    """What an erased account is called on every page, export and email."""
    return f"Erased person #{user_id}"


def erased_email(user_id: int) -> str:
    """A unique address that no mail server will ever deliver (RFC 2606 ``.invalid``)."""
    return f"erased-{user_id}@invalid"


# ---- export ------------------------------------------------------------------------------

def export_filename(today: date) -> str:
    return f"mentoring-personal-data-{today.isoformat()}.zip"


def _when(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _her_enrolments(user: User) -> list[Enrolment]:
    return list(db.session.scalars(
        select(Enrolment).where(Enrolment.user_id == user.id).order_by(Enrolment.id)))


def _her_pairs(enrolment_ids: list[int], statuses=None) -> list[Pairing]:
    if not enrolment_ids:
        return []
    query = select(Pairing).where(or_(Pairing.mentee_id.in_(enrolment_ids),
                                      Pairing.mentor_id.in_(enrolment_ids)))
    if statuses is not None:
        query = query.where(Pairing.status.in_(statuses))
    return list(db.session.scalars(query.order_by(Pairing.id)))


def collect(user: User) -> dict[str, list[dict[str, Any]]]:
    """Everything held about ``user``, section by section (lists of flat records).

    Notes and next steps of her pairs' sessions are hers to read, so they are in; her
    partner's feedback comments are not, so only her own feedback is.
    """
    account = {
        "id": user.id, "name": user.name, "email": user.email, "language": user.locale,
        "time_zone": user.timezone, "site_admin": user.is_admin,
        "email_confirmed_at": _when(user.email_verified_at), "created_at": _when(user.created_at),
        "last_sign_in_at": _when(user.last_login_at),
        "coordinates": "; ".join(
            role.programme.slug + (f" ({role.region.code})" if role.region else "")
            for role in user.coordinator_roles),
    }
    enrolments = _her_enrolments(user)
    applications = [{
        "id": e.id, "programme": e.programme.name, "programme_slug": e.programme.slug,
        "role": str(e.role), "status": str(e.status), "country": e.country,
        "region": e.region.code if e.region else "", "organisation": e.organisation,
        "years_experience": e.years_experience, "itu_meetings": e.itu_meetings,
        "time_zone": e.timezone, "goals": e.goals, "capacity": e.capacity,
        "listed": e.listed, "bio": e.bio,
        # The mentors she ranked, as the list showed them to her.
        "wishes": "; ".join(wish.mentor.user.name for wish in e.wishes),
        "region_preference": str(e.region_preference),
        "wants_woman_mentor": e.wants_woman_mentor,
        "gender": str(e.gender) if e.gender else "",
        "gender_self_described": e.gender_self_described,
        "languages": "; ".join(e.language_codes),
        "topics": "; ".join(link.topic.label for link in e.topics),
        "consent_at": _when(e.consent_at), "decision_message": e.decision_message,
        "decided_at": _when(e.decided_at), "source": e.source,
        "created_at": _when(e.created_at), "updated_at": _when(e.updated_at),
    } for e in enrolments]
    mine = {e.id for e in enrolments}
    pairs_rows, sessions, pair_ids = [], [], []
    for pairing in _her_pairs(sorted(mine), ANNOUNCED):
        pair_ids.append(pairing.id)
        as_mentee = pairing.mentee_id in mine
        partner = pairing.mentor if as_mentee else pairing.mentee
        pairs_rows.append({
            "id": pairing.id, "programme": pairing.mentee.programme.name,
            "your_role": "mentee" if as_mentee else "mentor",
            "partner": partner.user.name, "partner_email": partner.user.email,
            "status": str(pairing.status), "announced_at": _when(pairing.announced_at),
            "ended_at": _when(pairing.ended_at),
            "end_reason": pairing.end_reason if pairing.ended_by_id == user.id else "",
        })
    if pair_ids:
        for meeting in db.session.scalars(select(Meeting).where(
                Meeting.pairing_id.in_(pair_ids)).order_by(Meeting.held_on, Meeting.id)):
            sessions.append({
                "id": meeting.id, "pair": meeting.pairing_id,
                "held_on": _when(meeting.held_on), "minutes": meeting.duration_minutes,
                "format": str(meeting.format),
                "topics": "; ".join(t.topic.label for t in meeting.topics),
                "logged_by_you": meeting.author_id == user.id,
                "notes": meeting.notes, "next_steps": meeting.next_steps,
                "next_planned_on": _when(meeting.next_planned_on),
                "confirmation": str(meeting.confirmation),
                "dispute_note": meeting.dispute_note if meeting.author_id != user.id else "",
            })
    feedback = [{
        "session": row.meeting_id, "rating": row.rating, "comment": row.comment,
        "created_at": _when(row.created_at),
    } for row in db.session.scalars(
        select(Feedback).where(Feedback.user_id == user.id).order_by(Feedback.id))]
    answers = []
    for response, survey in db.session.execute(
            select(SurveyResponse, Survey).join(Survey, Survey.id == SurveyResponse.survey_id)
            .where(SurveyResponse.user_id == user.id, Survey.anonymous.is_(False))
            .order_by(SurveyResponse.id)):
        for number, value in enumerate(response.answers):
            question = survey.questions[number] if number < len(survey.questions) else {}
            answers.append({
                "programme": survey.programme.name, "survey": survey.kind,
                "question": question.get("text", ""), "answer": value,
                "answered_at": _when(response.created_at),
            })
    emails = [{
        "to": row.recipient, "subject": row.subject, "body": row.body, "kind": row.kind,
        "queued_at": _when(row.created_at), "sent_at": _when(row.sent_at),
    } for row in db.session.scalars(
        select(OutboxEmail).where(or_(OutboxEmail.user_id == user.id,
                                      OutboxEmail.recipient == user.email))
        .order_by(OutboxEmail.id))]
    itu_roles = [{
        "programme": role.itu_meeting.programme.name, "meeting": role.itu_meeting.name,
        "starts_on": _when(role.itu_meeting.starts_on), "role": str(role.role),
        "given_on_application": role.baseline, "recorded_at": _when(role.created_at),
    } for role in db.session.scalars(
        select(MeetingRole).where(MeetingRole.user_id == user.id).order_by(MeetingRole.id))]
    circles, circle_sessions = _her_circles(user)
    return {"account": [account], "applications": applications, "pairs": pairs_rows,
            "sessions": sessions, "feedback": feedback, "survey_answers": answers,
            "itu_roles": itu_roles, "circles": circles, "circle_sessions": circle_sessions,
            "emails": emails}


def _her_circles(user: User) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The formed circles she is in, and their sessions with their notes (every member of a
    circle reads them)."""
    rows, sessions = [], []
    for circle in circles_service.of_member(user):
        rows.append({"id": circle.id, "programme": circle.programme.name, "name": circle.name,
                     "your_role": next(str(m.role) for m in circle.members
                                       if m.user_id == user.id),
                     "members": "; ".join(m.enrolment.user.name for m in circle.members)})
        sessions.extend({
            "id": meeting.id, "circle": circle.id, "held_on": _when(meeting.held_on),
            "minutes": meeting.duration_minutes, "logged_by_you": meeting.author_id == user.id,
            "notes": meeting.notes,
        } for meeting in reversed(circles_service.meetings_of(circle)))
    return rows, sessions


def export(user: User) -> bytes:
    """A zip of ``personal-data.json`` (everything) and one CSV file per section."""
    from .csvfiles import write_csv

    sections = collect(user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("personal-data.json",
                         json.dumps(sections, ensure_ascii=False, indent=2, default=str))
        for name, rows in sections.items():
            header = list(rows[0]) if rows else ["(none)"]
            archive.writestr(f"{name}.csv",
                             write_csv(header, ([row[key] for key in header] for row in rows)))
    return buffer.getvalue()


# ---- erasure -----------------------------------------------------------------------------

def erase_own_account(user: User, password: str) -> None:
    """The person erases her own account, proving it is her with her password."""
    if not user.check_password(password or ""):
        raise Refused(_("Your password is not right."), "password")
    if user.is_admin:
        raise Refused(_("You are a site admin: your account cannot be erased while you have "
                        "this role. Ask another site admin to take the role away first."))
    _erase(user, actor=user, by="self")


def erase_on_request(admin: User, user: User) -> None:
    """A site admin erases someone's account on that person's request."""
    if not admin.is_admin:
        raise Forbidden("erase")
    if user.is_erased:
        raise Refused(_("This account is already erased."))
    if user.is_admin:
        raise Refused(_("A site admin's account cannot be erased while it has this role."))
    _erase(user, actor=admin, by="admin")


def _clear_enrolment(enrolment: Enrolment, now: datetime) -> None:
    enrolment.organisation = ""
    enrolment.itu_meetings = ""
    enrolment.goals = ""
    enrolment.bio = ""
    enrolment.listed = False
    enrolment.gender_self_described = ""
    enrolment.decision_message = ""
    enrolment.anonymised_at = now


def _replace(value, swaps: list[tuple[str, str]]):
    """``value`` (a JSON document) with each old text replaced by the new one."""
    if isinstance(value, str):
        for old, new in swaps:
            value = value.replace(old, new)
        return value
    if isinstance(value, list):
        return [_replace(item, swaps) for item in value]
    if isinstance(value, dict):
        return {key: _replace(item, swaps) for key, item in value.items()}
    return value


def _blank_free_text(value):
    if isinstance(value, dict):
        return {key: ("" if key in _FREE_TEXT_KEYS and isinstance(item, str)
                      else _blank_free_text(item)) for key, item in value.items()}
    if isinstance(value, list):
        return [_blank_free_text(item) for item in value]
    return value


def _swaps(user: User) -> list[tuple[str, str]]:
    """Her name and address, and what replaces them (long texts first; a name shorter than
    three letters would garble other words, so it is left to the other measures)."""
    pairs = [(user.email, erased_email(user.id)), (user.name, erased_name(user.id))]
    return [(old, new) for old, new in pairs if old and len(old) >= 3]


def _contains_any(column, texts: list[str]):
    needles = set()
    for text in texts:
        needles.add(text)
        needles.add(json.dumps(text)[1:-1])  # as JSON writes it (\u escapes)
    return or_(*(column.contains(needle, autoescape=True) for needle in sorted(needles)))


def _scrub_audit(user: User, enrolment_ids: list[int], swaps: list[tuple[str, str]]) -> None:
    texts = [old for old, _new in swaps]
    own = or_(AuditEvent.actor_id == user.id,
              (AuditEvent.target_type == "user") & (AuditEvent.target_id == user.id),
              (AuditEvent.target_type == "enrolment") & AuditEvent.target_id.in_(
                  enrolment_ids or [-1]))
    conditions = [own]
    if texts:
        conditions += [_contains_any(cast(AuditEvent.before, Text), texts),
                       _contains_any(cast(AuditEvent.after, Text), texts)]
    for event in db.session.scalars(select(AuditEvent).where(or_(*conditions))):
        hers = (event.actor_id == user.id
                or (event.target_type == "user" and event.target_id == user.id)
                or (event.target_type == "enrolment" and event.target_id in enrolment_ids))
        for side in ("before", "after"):
            document = getattr(event, side)
            if document is None:
                continue
            document = _replace(document, swaps)
            if hers:
                document = _blank_free_text(document)
            setattr(event, side, document)  # a new value: JSON columns track no mutation


def _scrub_outbox(user: User, swaps: list[tuple[str, str]]) -> None:
    hers = or_(OutboxEmail.user_id == user.id, OutboxEmail.recipient == user.email)
    db.session.execute(delete(OutboxEmail).where(hers, OutboxEmail.sent_at.is_(None))
                       .execution_options(synchronize_session=False))
    for email in db.session.scalars(select(OutboxEmail).where(hers)):
        email.recipient = erased_email(user.id)
        email.subject = ""
        email.body = ""
        email.unsubscribe_url = ""
    texts = [old for old, _new in swaps]
    if texts:
        for email in db.session.scalars(select(OutboxEmail).where(
                or_(_contains_any(OutboxEmail.body, texts),
                    _contains_any(OutboxEmail.subject, texts)))):
            email.subject = _replace(email.subject, swaps)[:300]
            email.body = _replace(email.body, swaps)


def _erase(user: User, *, actor: User | None, by: str) -> None:
    now = utcnow()
    swaps = _swaps(user)
    enrolments = _her_enrolments(user)
    enrolment_ids = [e.id for e in enrolments]
    for enrolment in enrolments:
        _clear_enrolment(enrolment, now)
        # She can no longer be matched: applications still waiting in a programme that has
        # not started are withdrawn. Anything further along stays as it is, for the figures.
        if (enrolment.programme.status in (ProgrammeStatus.OPEN, ProgrammeStatus.MATCHING)
                and enrolment.live_pairs == 0 and enrolment.status != EnrolmentStatus.WITHDRAWN):
            enrolment.status = EnrolmentStatus.WITHDRAWN
    pairs = _her_pairs(enrolment_ids)
    for pairing in pairs:
        if pairing.ended_by_id == user.id:
            pairing.end_reason = ""
    if pairs:
        for meeting in db.session.scalars(select(Meeting).where(
                Meeting.pairing_id.in_([p.id for p in pairs]))):
            if meeting.author_id == user.id:
                meeting.notes = ""
                meeting.next_steps = ""
            else:
                meeting.dispute_note = ""  # only the other side (she) writes a dispute
    for feedback in db.session.scalars(select(Feedback).where(Feedback.user_id == user.id)):
        feedback.comment = ""
    for circle_meeting in db.session.scalars(
            select(CircleMeeting).where(CircleMeeting.author_id == user.id)):
        circle_meeting.notes = ""
    for response in db.session.scalars(
            select(SurveyResponse).where(SurveyResponse.user_id == user.id)):
        response.answers = ["" if isinstance(value, str) else value
                            for value in response.answers]
    _scrub_outbox(user, swaps)
    _scrub_audit(user, enrolment_ids, swaps)
    roles = [role.programme_id for role in user.coordinator_roles]
    user.coordinator_roles.clear()
    user.name = erased_name(user.id)
    user.email = erased_email(user.id)
    user.password_hash = ""
    user.email_verified_at = None
    user.locale = ""
    user.timezone = ""
    user.last_login_at = None
    user.erased_at = now
    db.session.flush()
    audit.record("user.erase", actor=actor, target=user,
                 after={"by": by, "applications": len(enrolment_ids),
                        "coordinator_roles_removed": roles})


# ---- retention ---------------------------------------------------------------------------

@dataclass(frozen=True)
class RetentionDone:
    """What one run of the retention command did."""

    programmes: int
    applications: int
    people: int


def ended_programmes(days: int, today: date) -> list[Programme]:
    """Programmes closed whose end date is more than ``days`` days before ``today``."""
    cutoff = today - timedelta(days=days)
    return list(db.session.scalars(select(Programme).where(
        Programme.status == ProgrammeStatus.CLOSED, Programme.ends_on.is_not(None),
        Programme.ends_on < cutoff).order_by(Programme.id)))


def anonymise_old(days: int, today: date) -> RetentionDone:
    """Erase the free text of applications (and their pairs' sessions, feedback and survey
    answers) in programmes that ended more than ``days`` days ago; erase the people who have
    nothing in any other programme. Running it again changes nothing."""
    if days < 0:
        raise Refused(_("The number of days cannot be negative."), "days")
    programmes = ended_programmes(days, today)
    ids = [p.id for p in programmes]
    if not ids:
        return RetentionDone(0, 0, 0)
    now = utcnow()
    fresh = list(db.session.scalars(select(Enrolment).where(
        Enrolment.programme_id.in_(ids), Enrolment.anonymised_at.is_(None))))
    for enrolment in fresh:
        _clear_enrolment(enrolment, now)
    pair_ids = select(Pairing.id).where(Pairing.programme_id.in_(ids))
    for meeting in db.session.scalars(select(Meeting).where(Meeting.pairing_id.in_(pair_ids))):
        meeting.notes = meeting.next_steps = meeting.dispute_note = ""
    for feedback in db.session.scalars(select(Feedback).join(
            Meeting, Meeting.id == Feedback.meeting_id).where(Meeting.pairing_id.in_(pair_ids))):
        feedback.comment = ""
    for pairing in db.session.scalars(select(Pairing).where(Pairing.programme_id.in_(ids))):
        pairing.end_reason = ""
    for circle_meeting in db.session.scalars(select(CircleMeeting).join(
            Circle, Circle.id == CircleMeeting.circle_id).where(Circle.programme_id.in_(ids))):
        circle_meeting.notes = ""
    for response in db.session.scalars(select(SurveyResponse).join(
            Survey, Survey.id == SurveyResponse.survey_id).where(Survey.programme_id.in_(ids))):
        if any(isinstance(value, str) and value for value in response.answers):
            response.answers = ["" if isinstance(value, str) else value
                                for value in response.answers]
    elsewhere = or_(
        select(Enrolment.id).where(Enrolment.user_id == User.id,
                                   Enrolment.programme_id.not_in(ids)).exists(),
        select(Coordinator.id).where(Coordinator.user_id == User.id,
                                     Coordinator.programme_id.not_in(ids)).exists())
    people = list(db.session.scalars(select(User).where(
        User.erased_at.is_(None), User.is_admin.is_(False),
        select(Enrolment.id).where(Enrolment.user_id == User.id,
                                   Enrolment.programme_id.in_(ids)).exists(),
        ~elsewhere).order_by(User.id)))
    for person in people:
        _erase(person, actor=None, by="retention")
    db.session.flush()
    return RetentionDone(len(programmes), len(fresh), len(people))
