"""Mentoring circles: coordinators form them by hand or approve the engine's proposals; their
members log the circle's meetings.

A circle has one or two mentors and at most ``capacity`` mentees, all accepted applicants of
the programme; a person is in at most one circle of a programme (the database holds it:
``UNIQUE (programme_id, user_id)`` on ``circle_member``). A regional co-chair sees, forms,
changes and dissolves the formed circles whose every member is of her region; proposing,
approving and discarding circles is the programme coordinators' (the engine groups the whole
programme). Members are emailed when a circle is formed (by hand, or a proposal approved) and
when they join one; a proposal tells nobody.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import and_, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..matching.circles import form_circles
from ..models import (
    Circle,
    CircleMeeting,
    CircleMember,
    CircleStatus,
    Enrolment,
    EnrolmentStatus,
    Role,
    User,
)
from ..models.circle import CIRCLE_NAME_MAX, MAX_CIRCLE_CAPACITY
from . import Forbidden, NotFound, Refused, audit, found, mail
from . import matching as engine_seam
from .circle_scope import in_scope
from .links import external_url
from .meetings import check_length, check_not_future
from .scope import Scope

#: The capacity the forms suggest.
DEFAULT_CAPACITY = 6


@dataclass
class CircleData:
    """What a coordinator chose for a circle (application ids)."""

    name: str
    capacity: int | None
    mentor_ids: list[int] = field(default_factory=list)
    mentee_ids: list[int] = field(default_factory=list)


# ---- reading --------------------------------------------------------------------------------

def of_programme(scope: Scope) -> list[Circle]:
    """The programme's circles the coordinator sees (formed first, then proposed; by name),
    with their members and their people loaded."""
    return list(db.session.scalars(in_scope(
        select(Circle).options(selectinload(Circle.members).selectinload(CircleMember.enrolment)
                               .joinedload(Enrolment.user))
        .order_by(Circle.status, Circle.name, Circle.id), scope)))


def covers(scope: Scope, circle: Circle) -> bool:
    """Whether the coordinator may see and change this circle: every member in her scope,
    and, for a co-chair, formed (proposals are the programme coordinators')."""
    if scope.is_regional and circle.status != CircleStatus.FORMED:
        return False
    return circle.programme_id == scope.programme.id and all(
        scope.covers(member.enrolment) for member in circle.members)


def circle_in_scope(scope: Scope, circle_id: int) -> Circle:
    """A circle of the programme: NotFound when unknown or elsewhere, Forbidden when one of
    its members is outside the co-chair's region."""
    circle = found(Circle, circle_id)
    if circle.programme_id != scope.programme.id:
        raise NotFound(circle_id)
    if not covers(scope, circle):
        raise Forbidden(circle_id)
    return circle


def _accepted(scope: Scope, role: Role):
    query = (select(Enrolment).join(User, User.id == Enrolment.user_id)
             .where(Enrolment.programme_id == scope.programme.id, Enrolment.role == role,
                    Enrolment.status == EnrolmentStatus.ACCEPTED)
             .options(selectinload(Enrolment.user)).order_by(User.name, Enrolment.id))
    if scope.is_regional:
        query = query.where(Enrolment.region_id == scope.region.id)
    return query


def candidates(scope: Scope, role: Role, circle: Circle | None = None) -> list[Enrolment]:
    """Accepted applicants of the role in the coordinator's scope who are in no circle (or in
    ``circle``), by name: the choices of the circle form."""
    taken = select(CircleMember.user_id).where(
        CircleMember.programme_id == scope.programme.id)
    if circle is not None:
        taken = taken.where(CircleMember.circle_id != circle.id)
    return list(db.session.scalars(_accepted(scope, role).where(Enrolment.user_id.not_in(taken))))


def _public(circle: Circle) -> dict:
    return {"name": circle.name, "capacity": circle.capacity, "status": str(circle.status),
            "mentors": sorted(m.enrolment_id for m in circle.mentors),
            "mentees": sorted(m.enrolment_id for m in circle.mentees)}


def _tell(circle: Circle, members: list[CircleMember]) -> None:
    """Email ``members`` of a formed circle that they are in it, with the others' names and
    a link to its page (in each one's language)."""
    for member in members:
        user = member.enrolment.user
        mail.queue_template(
            user, "circle_formed", kind="circle", locale=circle.programme.default_locale,
            circle=circle, programme=circle.programme,
            others=[m.enrolment.user.name for m in circle.members if m.user_id != user.id],
            link=external_url("circles.circle", circle_id=circle.id))


# ---- forming by hand --------------------------------------------------------------------------

def _people(scope: Scope, ids: list[int], role: Role) -> list[Enrolment]:
    people = []
    for enrolment_id in dict.fromkeys(ids):
        enrolment = found(Enrolment, enrolment_id)
        if enrolment.programme_id != scope.programme.id:
            raise NotFound(enrolment_id)
        if not scope.covers(enrolment):
            raise Forbidden(enrolment_id)
        if enrolment.role != role or enrolment.status != EnrolmentStatus.ACCEPTED:
            raise Refused(_("Choose accepted mentors of the programme.") if role == Role.MENTOR
                          else _("Choose accepted mentees of the programme."),
                          "mentors" if role == Role.MENTOR else "mentees")
        people.append(enrolment)
    return people


def _check(scope: Scope, data: CircleData, circle: Circle | None
           ) -> tuple[list[Enrolment], list[Enrolment]]:
    """The circle's mentors and mentees, or a refusal on the field at fault."""
    name = (data.name or "").strip()
    if not name:
        raise Refused(_("Give the circle a name."), "name")
    if len(name) > CIRCLE_NAME_MAX:
        raise Refused(_("Give a name of at most %(num)d characters.", num=CIRCLE_NAME_MAX),
                      "name")
    if data.capacity is None or not 1 <= data.capacity <= MAX_CIRCLE_CAPACITY:
        raise Refused(_("Give a capacity from 1 to %(num)d mentees.", num=MAX_CIRCLE_CAPACITY),
                      "capacity")
    mentors = _people(scope, data.mentor_ids, Role.MENTOR)
    mentees = _people(scope, data.mentee_ids, Role.MENTEE)
    if not 1 <= len(mentors) <= 2:
        raise Refused(_("Choose one or two mentors."), "mentors")
    if not mentees:
        raise Refused(_("Choose at least one mentee."), "mentees")
    if len(mentees) > data.capacity:
        raise Refused(_("The circle takes %(capacity)d mentees: you chose %(count)d.",
                        capacity=data.capacity, count=len(mentees)), "mentees")
    both = {e.user_id for e in mentors} & {e.user_id for e in mentees}
    if both:
        person = next(e for e in mentees if e.user_id in both)
        raise Refused(_("%(name)s cannot be both a mentor and a mentee of the circle.",
                        name=person.user.name), "mentees")
    for enrolment, field_name in [(e, "mentors") for e in mentors] + [
            (e, "mentees") for e in mentees]:
        other = db.session.scalar(
            select(Circle).join(CircleMember).where(
                CircleMember.programme_id == scope.programme.id,
                CircleMember.user_id == enrolment.user_id,
                *([Circle.id != circle.id] if circle is not None else [])))
        if other is not None:
            raise Refused(_("%(name)s is already in the circle “%(circle)s”: a person is in "
                            "one circle at most.", name=enrolment.user.name, circle=other.name),
                          field_name)
    return mentors, mentees


def _save_members(circle: Circle, mentors: list[Enrolment], mentees: list[Enrolment]) -> None:
    """Set the members; two coordinators placing one person at once: the database's
    one-circle-a-person constraint keeps the second out, with words."""
    try:
        with db.session.begin_nested():
            _members(circle, mentors, mentees)
            db.session.flush()
    except IntegrityError as error:
        raise Refused(_("One of these people has just been put in another circle: reload the "
                        "page and choose again."), "mentees") from error


def _members(circle: Circle, mentors: list[Enrolment], mentees: list[Enrolment]) -> None:
    chosen = mentors + mentees
    wanted = {e.id for e in chosen}
    for member in [m for m in circle.members if m.enrolment_id not in wanted]:
        circle.members.remove(member)
    # The removed rows go first: a person moved from mentee to mentor keeps to the
    # one-circle-a-person constraint (a flush inserts before it deletes).
    db.session.flush()
    kept = {m.enrolment_id for m in circle.members}
    circle.members.extend(CircleMember(
        programme_id=circle.programme_id, enrolment_id=e.id, user_id=e.user_id, role=e.role,
        enrolment=e) for e in chosen if e.id not in kept)


def common_language(mentors: list[Enrolment], mentees: list[Enrolment]) -> str:
    """The first of the mentors' languages that every member speaks ("" when none is)."""
    people = mentors + mentees
    shared = set.intersection(*(set(e.language_codes) for e in people)) if people else set()
    return next((code for mentor in mentors for code in mentor.language_codes
                 if code in shared), "")


def form(actor: User, scope: Scope, data: CircleData) -> Circle:
    """Form a circle by hand (see :class:`CircleData`); its members see it at once."""
    mentors, mentees = _check(scope, data, None)
    circle = Circle(programme_id=scope.programme.id, name=data.name.strip(),
                    capacity=data.capacity, status=CircleStatus.FORMED,
                    language=common_language(mentors, mentees), created_by_id=actor.id)
    db.session.add(circle)
    _save_members(circle, mentors, mentees)
    _tell(circle, circle.members)
    audit.record("circle.form", actor=actor, programme=scope.programme, target=circle,
                 after=_public(circle))
    return circle


def change(actor: User, scope: Scope, circle: Circle, data: CircleData) -> None:
    """Change a circle's name, capacity or members (the new members in the scope too)."""
    if not covers(scope, circle):
        raise Forbidden(circle.id)
    before = _public(circle)
    mentors, mentees = _check(scope, data, circle)
    circle.name, circle.capacity = data.name.strip(), data.capacity
    circle.language = common_language(mentors, mentees)
    earlier = {m.enrolment_id for m in circle.members}
    _save_members(circle, mentors, mentees)
    if circle.status == CircleStatus.FORMED:
        _tell(circle, [m for m in circle.members if m.enrolment_id not in earlier])
    audit.record("circle.change", actor=actor, programme=scope.programme, target=circle,
                 before=before, after=_public(circle))


def dissolve(actor: User, scope: Scope, circle: Circle) -> None:
    """Dissolve a circle (or discard a proposal): its meetings go with it."""
    if not covers(scope, circle):
        raise Forbidden(circle.id)
    audit.record("circle.dissolve", actor=actor, programme=scope.programme, target=circle,
                 before=_public(circle))
    db.session.delete(circle)
    db.session.flush()


# ---- proposing with the engine ----------------------------------------------------------------

def check_can_propose(scope: Scope) -> None:
    """Only the programme's coordinators propose and approve circles: the engine groups the
    whole programme."""
    if scope.is_regional:
        raise Forbidden(scope.programme.slug)


def proposed_count(scope: Scope) -> int:
    return db.session.scalar(select(func.count()).select_from(Circle).where(
        Circle.programme_id == scope.programme.id, Circle.status == CircleStatus.PROPOSED))


@dataclass(frozen=True)
class Proposal:
    circles: int
    placed: int
    unplaced: int


def propose(actor: User, scope: Scope, mentor_ids: list[int], capacity: int | None
            ) -> Proposal:
    """The engine's circles around the chosen mentors, with the accepted mentees in no formed
    circle; they replace the earlier proposals and wait for approval."""
    check_can_propose(scope)
    if capacity is None or not 1 <= capacity <= MAX_CIRCLE_CAPACITY:
        raise Refused(_("Give a capacity from 1 to %(num)d mentees.", num=MAX_CIRCLE_CAPACITY),
                      "capacity")
    programme = scope.programme
    db.session.execute(delete(CircleMember).where(CircleMember.circle_id.in_(
        select(Circle.id).where(Circle.programme_id == programme.id,
                                Circle.status == CircleStatus.PROPOSED))))
    db.session.execute(delete(Circle).where(Circle.programme_id == programme.id,
                                            Circle.status == CircleStatus.PROPOSED))
    free = {e.id: e for e in candidates(scope, Role.MENTOR)}
    chosen = [free[i] for i in dict.fromkeys(mentor_ids) if i in free]
    if len(chosen) != len(set(mentor_ids)) or not chosen:
        raise Refused(_("Choose mentors who are in no circle yet."), "mentors")
    leaders = {e.user_id for e in chosen}
    mentees = [e for e in candidates(scope, Role.MENTEE) if e.user_id not in leaders]
    wanted = {e.id for e in chosen} | {e.id for e in mentees}
    mentor_profiles, mentee_profiles = engine_seam.applicant_profiles(programme)
    result = form_circles([p for p in mentor_profiles if p.id in wanted],
                          [p for p in mentee_profiles if p.id in wanted],
                          engine_seam.rules_for(programme), capacity=capacity,
                          forbidden=engine_seam.forbidden_pairs(programme))
    by_id = {e.id: e for e in chosen + mentees}
    placed = 0
    for group in result.circles:
        mentor = by_id[group.mentor_id]
        circle = Circle(programme_id=programme.id, capacity=capacity, language=group.language,
                        status=CircleStatus.PROPOSED, created_by_id=actor.id,
                        name=_("%(name)s's circle", name=mentor.user.name)[:CIRCLE_NAME_MAX])
        circle.members = [CircleMember(programme_id=programme.id, enrolment_id=mentor.id,
                                       user_id=mentor.user_id, role=Role.MENTOR)] + [
            CircleMember(programme_id=programme.id, enrolment_id=member.pair.mentee_id,
                         user_id=by_id[member.pair.mentee_id].user_id, role=Role.MENTEE,
                         score=member.pair.score,
                         parts=[*member.pair.parts, {"code": "circle",
                                                     "language": group.language,
                                                     "shared": list(member.shared)}])
            for member in group.members]
        db.session.add(circle)
        placed += len(group.members)
    db.session.flush()
    audit.record("circle.propose", actor=actor, programme=programme,
                 after={"mentors": sorted(e.id for e in chosen), "capacity": capacity,
                        "circles": len(result.circles), "placed": placed,
                        "solves": result.solves})
    return Proposal(len(result.circles), placed, len(mentees) - placed)


def approve(actor: User, scope: Scope, circles: list[Circle]) -> int:
    """Form the proposed circles given: their members see them from now on."""
    check_can_propose(scope)
    done = 0
    for circle in circles:
        if circle.programme_id != scope.programme.id:
            raise NotFound(circle.id)
        if circle.status == CircleStatus.PROPOSED:
            circle.status = CircleStatus.FORMED
            _tell(circle, circle.members)
            audit.record("circle.approve", actor=actor, programme=scope.programme,
                         target=circle, after=_public(circle))
            done += 1
    db.session.flush()
    return done


def proposals(scope: Scope) -> list[Circle]:
    return [c for c in of_programme(scope) if c.status == CircleStatus.PROPOSED]


# ---- the members' side ------------------------------------------------------------------------

def circle_for(user: User, circle_id: int) -> Circle:
    """A formed circle the person is in: NotFound when unknown or only proposed, Forbidden
    when she is not a member."""
    circle = db.session.get(Circle, circle_id)
    if circle is None or circle.status != CircleStatus.FORMED:
        raise NotFound(circle_id)
    if all(member.user_id != user.id for member in circle.members):
        raise Forbidden(circle_id)
    return circle


def of_member(user: User) -> list[Circle]:
    """The formed circles the person is in (one a programme at most)."""
    return list(db.session.scalars(
        select(Circle).join(CircleMember, and_(CircleMember.circle_id == Circle.id,
                                               CircleMember.user_id == user.id))
        .where(Circle.status == CircleStatus.FORMED).order_by(Circle.id)))


def meetings_of(circle: Circle) -> list[CircleMeeting]:
    return list(db.session.scalars(
        select(CircleMeeting).where(CircleMeeting.circle_id == circle.id)
        .options(selectinload(CircleMeeting.author))
        .order_by(CircleMeeting.held_on.desc(), CircleMeeting.id.desc())))


def log_meeting(user: User, circle: Circle, held_on: date | None, duration_minutes: int | None,
                notes: str) -> CircleMeeting:
    """A member records a meeting the circle held; every member sees it."""
    circle = circle_for(user, circle.id)
    if held_on is None:
        raise Refused(_("Give the date of the session."), "held_on")
    check_not_future(user, held_on)
    check_length(duration_minutes)
    meeting = CircleMeeting(circle_id=circle.id, author_id=user.id, held_on=held_on,
                            duration_minutes=duration_minutes, notes=(notes or "").strip())
    db.session.add(meeting)
    db.session.flush()
    audit.record("circle_meeting.log", actor=user, programme=circle.programme, target=meeting,
                 after={"circle": circle.id, "held_on": held_on.isoformat(),
                        "minutes": duration_minutes})
    return meeting


def authored_meeting(user: User, meeting_id: int) -> CircleMeeting:
    """A circle meeting the person logged (only its author deletes it)."""
    meeting = found(CircleMeeting, meeting_id)
    circle_for(user, meeting.circle_id)
    if meeting.author_id != user.id:
        raise Forbidden(meeting_id)
    return meeting


def delete_meeting(user: User, meeting: CircleMeeting) -> None:
    if meeting.author_id != user.id:
        raise Forbidden(meeting.id)
    circle = circle_for(user, meeting.circle_id)
    audit.record("circle_meeting.delete", actor=user, programme=circle.programme,
                 target=meeting, before={"circle": circle.id,
                                         "held_on": meeting.held_on.isoformat(),
                                         "minutes": meeting.duration_minutes})
    db.session.delete(meeting)
    db.session.flush()
