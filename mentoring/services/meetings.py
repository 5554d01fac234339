"""Sessions a pair logs, confirms and rates, and the pair's life cycle after it is announced."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from icalendar import Calendar, Event
from itsdangerous import BadSignature, SignatureExpired
from sqlalchemy import func, select

from ..extensions import db
from ..labels import confirmation_label
from ..models import (
    MAX_MINUTES,
    Confirmation,
    Enrolment,
    Feedback,
    Meeting,
    MeetingFormat,
    MeetingTopic,
    Pairing,
    PairingStatus,
    User,
)
from ..models._types import utcnow
from . import Forbidden, NotFound, Refused, audit, found, mail
from .links import external_url
from .pairings import release_places
from .scope import Scope
from .tokens import signer

CONFIRM_SALT = "confirm-meeting"
#: How long the emailed confirmation link works.
CONFIRM_MAX_AGE = 14 * 24 * 60 * 60


class DuplicateDay(Refused):
    """The pair already logged a session that day: ask before logging another."""

    category = "warning"


def today_for(user: User) -> date:
    """Today where the person is (their time zone, else UTC), so a session logged in the
    evening in Asia-Pacific is not refused as 'in the future'."""
    try:
        zone = ZoneInfo(user.timezone) if user.timezone else ZoneInfo("UTC")
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return datetime.now(zone).date()


def side_of(user: User, pairing: Pairing) -> str | None:
    """"mentor", "mentee", or None when the user is not in the pair."""
    if pairing.mentee.user_id == user.id:
        return "mentee"
    if pairing.mentor.user_id == user.id:
        return "mentor"
    return None


def partner_of(user: User, pairing: Pairing) -> Enrolment:
    return pairing.mentor if side_of(user, pairing) == "mentee" else pairing.mentee


def pairing_for(user: User, pairing_id: int) -> Pairing:
    """A pair the user is in and that has been announced; NotFound or Forbidden."""
    pairing = db.session.get(Pairing, pairing_id)
    if pairing is None or pairing.status not in (PairingStatus.ACTIVE, PairingStatus.COMPLETED,
                                                 PairingStatus.ENDED):
        raise NotFound(pairing_id)
    if side_of(user, pairing) is None:
        raise Forbidden(pairing_id)
    return pairing


def meeting_for(user: User, meeting_id: int) -> Meeting:
    meeting = found(Meeting, meeting_id)
    if side_of(user, meeting.pairing) is None:
        raise Forbidden(meeting_id)
    return meeting



def authored_meeting(user: User, meeting_id: int) -> Meeting:
    """A session the user logged (only its author edits or deletes it)."""
    meeting = meeting_for(user, meeting_id)
    if meeting.author_id != user.id:
        raise Forbidden(meeting_id)
    return meeting

@dataclass
class SessionData:
    held_on: date
    duration_minutes: int
    format: MeetingFormat
    topic_ids: list[int] = field(default_factory=list)
    notes: str = ""
    next_steps: str = ""
    next_planned_on: date | None = None


def check_not_future(user: User, held_on: date) -> None:
    """A session (a pair's or a circle's) is logged once held: not after today where she is."""
    if held_on > today_for(user):
        raise Refused(_("A session cannot be in the future."), "held_on")


def check_length(duration_minutes: int | None) -> None:
    """A session (a pair's or a circle's) lasts from 1 minute to 12 hours."""
    if duration_minutes is None or not 0 < duration_minutes <= MAX_MINUTES:
        raise Refused(_("Give a duration from 1 minute to 12 hours."), "duration_minutes")


def _validate(user: User, pairing: Pairing, data: SessionData) -> None:
    if pairing.status != PairingStatus.ACTIVE:
        raise Refused(_("This pair is no longer active."))
    check_not_future(user, data.held_on)
    began = (pairing.announced_at or pairing.created_at).date()
    if data.held_on < began:
        raise Refused(_("The pair began on %(date)s: a session cannot be earlier.",
                             date=began.isoformat()), "held_on")
    check_length(data.duration_minutes)
    allowed = {topic.id for topic in pairing.mentee.programme.topics}
    if set(data.topic_ids) - allowed:
        raise Refused(_("Choose topics from the programme's list."), "topics")
    if data.next_planned_on is not None and data.next_planned_on <= data.held_on:
        raise Refused(_("The next session must come after this one."), "next_planned_on")


def _fill(meeting: Meeting, data: SessionData) -> None:
    meeting.held_on = data.held_on
    meeting.duration_minutes = data.duration_minutes
    meeting.format = data.format
    meeting.notes = data.notes.strip()
    meeting.next_steps = data.next_steps.strip()
    meeting.next_planned_on = data.next_planned_on
    meeting.topics = [MeetingTopic(topic_id=topic_id) for topic_id in dict.fromkeys(data.topic_ids)]


def _public(meeting: Meeting) -> dict:
    """What coordinators may see of a session (never notes or next steps)."""
    return {"held_on": meeting.held_on.isoformat(), "minutes": meeting.duration_minutes,
            "format": str(meeting.format), "topics": [t.topic_id for t in meeting.topics],
            "confirmation": str(meeting.confirmation)}


def log(user: User, pairing: Pairing, data: SessionData, *, same_day_ok: bool = False
        ) -> Meeting:
    """Record a session and email the other side a link to confirm it."""
    _validate(user, pairing, data)
    same_day = db.session.scalar(select(func.count()).select_from(Meeting).where(
        Meeting.pairing_id == pairing.id, Meeting.held_on == data.held_on))
    if same_day and not same_day_ok:
        raise DuplicateDay(_("A session on %(date)s is already logged for this pair. Is this "
                             "another one? Confirm to log it too.",
                             date=data.held_on.isoformat()))
    meeting = Meeting(pairing=pairing, author_id=user.id)
    _fill(meeting, data)
    db.session.add(meeting)
    db.session.flush()
    _ask_to_confirm(user, meeting)
    audit.record("meeting.log", actor=user, programme=pairing.mentee.programme, target=meeting,
                 after=_public(meeting))
    return meeting


def _ask_to_confirm(user: User, meeting: Meeting, *, changed: bool = False) -> None:
    """Email the other side of the pair a link to confirm the session."""
    partner = partner_of(user, meeting.pairing)
    mail.queue_template(partner.user, "meeting_logged", kind="meeting-logged",
                        locale=meeting.pairing.mentee.programme.default_locale, meeting=meeting,
                        author=user, changed=changed, confirm_link=external_url(
                            "meetings.confirm_by_link", token=confirm_token(meeting, partner.user)))


def update(user: User, meeting: Meeting, data: SessionData) -> None:
    """The author corrects a session; a change of date, length or format asks the other side
    to confirm again. The change is kept in the audit trail."""
    if meeting.author_id != user.id:
        raise Forbidden(meeting.id)
    _validate(user, meeting.pairing, data)
    before = _public(meeting)
    facts = (meeting.held_on, meeting.duration_minutes, meeting.format)
    _fill(meeting, data)
    if facts != (meeting.held_on, meeting.duration_minutes, meeting.format):
        meeting.confirmation = Confirmation.PENDING
        meeting.confirmed_at = None
        meeting.dispute_note = ""
        db.session.flush()
        _ask_to_confirm(user, meeting, changed=True)
    db.session.flush()
    audit.record("meeting.update", actor=user, programme=meeting.pairing.mentee.programme,
                 target=meeting, before=before, after=_public(meeting))


def deletion_problem(user: User, meeting: Meeting) -> str | None:
    """Why the author may not delete this session, or None when she may.

    A session the other side confirmed, or rated, is theirs too: only they (by agreement)
    or a coordinator (:func:`withdraw`) take it back, so their feedback is not lost quietly.
    """
    if meeting.confirmation == Confirmation.CONFIRMED:
        return _("Your partner has confirmed this session: to withdraw it, ask your partner "
                 "or a coordinator.")
    if any(feedback.user_id != user.id for feedback in meeting.feedback):
        return _("Your partner has given feedback on this session: to withdraw it, ask your "
                 "partner or a coordinator.")
    return None


def delete(user: User, meeting: Meeting) -> None:
    """The author deletes a session still pending or disputed (see :func:`deletion_problem`)."""
    if meeting.author_id != user.id:
        raise Forbidden(meeting.id)
    problem = deletion_problem(user, meeting)
    if problem:
        raise Refused(problem)
    audit.record("meeting.delete", actor=user, programme=meeting.pairing.mentee.programme,
                 target=meeting, before=_public(meeting))
    db.session.delete(meeting)
    db.session.flush()


def meeting_in_scope(scope: Scope, meeting_id: int) -> Meeting:
    """A session of a pair the coordinator may act on: NotFound when unknown or in another
    programme, Forbidden when the pair's mentee is outside her region."""
    meeting = found(Meeting, meeting_id)
    if meeting.pairing.programme_id != scope.programme.id:
        raise NotFound(meeting_id)
    if not scope.covers(meeting.pairing.mentee):
        raise Forbidden(meeting_id)
    return meeting


def withdraw(actor: User, scope: Scope, meeting: Meeting, reason: str) -> None:
    """A coordinator takes a session back (confirmed or not), with a reason, when the pair
    agrees or a session was logged wrongly. The session and its feedback are deleted; the
    audit trail keeps what coordinators may see of it (facts, confirmation, the ratings, never
    notes or comments) with the reason."""
    if not scope.covers(meeting.pairing.mentee):
        raise Forbidden(meeting.id)
    if not reason.strip():
        raise Refused(_("Say why the session is withdrawn."), "reason")
    audit.record("meeting.withdraw", actor=actor, programme=scope.programme, target=meeting,
                 before={**_public(meeting), "author": meeting.author_id,
                         "feedback_ratings": [f.rating for f in meeting.feedback]},
                 after={"reason": reason.strip()[:2000]})
    db.session.delete(meeting)
    db.session.flush()


def _check_other_side(user: User, meeting: Meeting) -> None:
    if side_of(user, meeting.pairing) is None:
        raise Forbidden(meeting.id)
    if meeting.author_id == user.id:
        raise Refused(_("The other side of the pair confirms a session, not its author."))
    if meeting.confirmation != Confirmation.PENDING:
        raise Refused(_("This session is already confirmed or disputed."))


def confirm(user: User, meeting: Meeting) -> None:
    _check_other_side(user, meeting)
    meeting.confirmation = Confirmation.CONFIRMED
    meeting.confirmed_at = utcnow()
    audit.record("meeting.confirm", actor=user, programme=meeting.pairing.mentee.programme,
                 target=meeting, after=_public(meeting))


def dispute(user: User, meeting: Meeting, note: str) -> None:
    """Say the session did not happen as logged; coordinators see the note."""
    _check_other_side(user, meeting)
    if not note.strip():
        raise Refused(_("Say briefly what is not right."), "note")
    meeting.confirmation = Confirmation.DISPUTED
    meeting.dispute_note = note.strip()[:2000]
    audit.record("meeting.dispute", actor=user, programme=meeting.pairing.mentee.programme,
                 target=meeting, after={**_public(meeting), "note": meeting.dispute_note})


def _facts(meeting: Meeting) -> str:
    # A link confirms the session as it was when the link was sent: an edit of its date,
    # length or format makes earlier links stop working (a new one is emailed).
    return f"{meeting.held_on.isoformat()}/{meeting.duration_minutes}/{meeting.format}"


def confirm_token(meeting: Meeting, user: User) -> str:
    return signer(CONFIRM_SALT).dumps({"m": meeting.id, "u": user.id, "f": _facts(meeting)})


def read_confirm_token(token: str) -> tuple[Meeting, User]:
    """The session and the person an emailed confirmation link is for.

    Raises Refused for a forged, expired or already used link.
    """
    try:
        payload = signer(CONFIRM_SALT).loads(token, max_age=CONFIRM_MAX_AGE)
    except SignatureExpired as error:
        raise Refused(_("This confirmation link has expired. Sign in to confirm the "
                             "session from your pair's page.")) from error
    except BadSignature as error:
        raise Refused(_("This confirmation link is not valid.")) from error
    meeting = db.session.get(Meeting, payload.get("m"))
    user = db.session.get(User, payload.get("u"))
    if meeting is None or user is None or side_of(user, meeting.pairing) is None:
        raise Refused(_("This confirmation link is not valid."))
    if payload.get("f") != _facts(meeting):
        raise Refused(_("This session was changed after this link was sent: use the "
                             "newer email, or confirm it from your pair's page."))
    if meeting.confirmation != Confirmation.PENDING:
        raise Refused(_("This link has already been used: the session is %(state)s.",
                             state=confirmation_label(meeting.confirmation)))
    return meeting, user


def give_feedback(user: User, meeting: Meeting, rating: int | None, comment: str) -> Feedback:
    if side_of(user, meeting.pairing) is None:
        raise Forbidden(meeting.id)
    if rating is not None and not 1 <= rating <= 5:
        raise Refused(_("Give a rating from 1 to 5."), "rating")
    exists = db.session.scalar(select(Feedback.id).where(Feedback.meeting_id == meeting.id,
                                                         Feedback.user_id == user.id))
    if exists is not None:
        raise Refused(_("You have already given feedback on this session."))
    feedback = Feedback(meeting_id=meeting.id, user_id=user.id, rating=rating,
                        comment=comment.strip()[:4000])
    db.session.add(feedback)
    db.session.flush()
    audit.record("meeting.feedback", actor=user, programme=meeting.pairing.mentee.programme,
                 target=meeting, after={"rating": rating})
    return feedback


def end_early(actor: User, pairing: Pairing, reason: str, *, rematch: bool = False) -> None:
    """End an active pair before its time (either side or a coordinator), with a reason.

    The mentee asks to be matched again, or the coordinator ending the pair says so
    (``rematch``; not the mentor's to say): she goes back to the coordinators' pool of
    waiting mentees (``services.rematch``), as she does when her mentor ends the pair.
    """
    if pairing.status != PairingStatus.ACTIVE:
        raise Refused(_("This pair is no longer active."))
    if not reason.strip():
        raise Refused(_("Give a reason: the coordinators read it."), "reason")
    release_places(pairing)
    pairing.status = PairingStatus.ENDED
    pairing.ended_at = utcnow()
    pairing.ended_by_id = actor.id
    pairing.end_reason = reason.strip()[:2000]
    pairing.rematch_requested = bool(rematch) and pairing.mentor.user_id != actor.id
    audit.record("pairing.end", actor=actor, programme=pairing.mentee.programme, target=pairing,
                 before={"status": "active"},
                 after={"status": "ended", "reason": pairing.end_reason,
                        "rematch": pairing.rematch_requested})


def complete(actor: User, pairing: Pairing, *, coordinator: bool = False) -> bool:
    """Mark a pair completed: a coordinator at once; the pair when both sides have asked.

    Returns True when the pair is now completed, False when it waits for the other side.
    """
    if pairing.status != PairingStatus.ACTIVE:
        raise Refused(_("This pair is no longer active."))
    if not coordinator and pairing.completion_requested_by_id in (None, actor.id):
        pairing.completion_requested_by_id = actor.id
        audit.record("pairing.complete-request", actor=actor,
                     programme=pairing.mentee.programme, target=pairing)
        return False
    release_places(pairing)
    pairing.status = PairingStatus.COMPLETED
    pairing.ended_at = utcnow()
    pairing.ended_by_id = actor.id
    audit.record("pairing.complete", actor=actor, programme=pairing.mentee.programme,
                 target=pairing, before={"status": "active"}, after={"status": "completed"})
    return True


@dataclass
class Standing:
    """How a pair stands against the programme's expected cadence."""

    sessions: int
    minutes: int
    last: date | None
    next_planned: date | None
    expected_per_month: int
    in_last_30_days: int

    @property
    def on_track(self) -> bool:
        return self.in_last_30_days >= self.expected_per_month


def standing(pairing: Pairing, meetings: list[Meeting], today: date) -> Standing:
    since = today - timedelta(days=30)
    planned = [m.next_planned_on for m in meetings if m.next_planned_on and
               m.next_planned_on >= today]
    return Standing(
        sessions=len(meetings), minutes=sum(m.duration_minutes for m in meetings),
        last=max((m.held_on for m in meetings), default=None),
        next_planned=min(planned, default=None),
        expected_per_month=pairing.mentee.programme.min_sessions_per_month,
        in_last_30_days=sum(1 for m in meetings if m.held_on >= since),
    )


def meetings_of(pairing: Pairing) -> list[Meeting]:
    return list(db.session.scalars(select(Meeting).where(Meeting.pairing_id == pairing.id)
                                   .order_by(Meeting.held_on.desc(), Meeting.id.desc())))


def calendar_file(pairing: Pairing, day: date, user: User) -> bytes:
    """An all-day calendar entry (.ics) for the pair's next planned session."""
    partner = partner_of(user, pairing)
    calendar = Calendar()
    calendar.add("prodid", "-//mentoring//next session//EN")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"pair-{pairing.id}-{day.isoformat()}@mentoring")
    event.add("dtstamp", utcnow())
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", _("Mentoring session with %(name)s", name=partner.user.name))
    event.add("description", _("%(programme)s. Contact: %(email)s",
                               programme=pairing.mentee.programme.display_name,
                               email=partner.user.email))
    calendar.add_component(event)
    return calendar.to_ical()
