"""Outcomes: the ITU meetings a programme follows, and the roles its participants held there.

The programme's coordinators keep the list of meetings (a regional co-chair reads it). A
participant (an accepted applicant) records her own roles; a coordinator records them for any
participant of her scope. Every change is in the audit trail. The dashboard's outcomes page
reads ``mentee_roles`` (mentees' roles before the programme and during or after it, by the one
definition ``held_before``) and ``women_shares`` (women among the participants in each role at
each meeting, against the programme's target, with the dashboard's small-count rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, case, distinct, func, or_, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..gender import Gender, statistics_group
from ..models import (
    Enrolment,
    EnrolmentStatus,
    ItuMeeting,
    MeetingRole,
    MeetingRoleKind,
    Programme,
    Role,
    User,
)
from ..models.outcome import ITU_MEETING_NAME_MAX
from . import Forbidden, NotFound, Refused, audit, found
from . import dashboard as figures
from .scope import Scope


def meetings(programme: Programme) -> list[ItuMeeting]:
    """The programme's ITU meetings, the latest first."""
    return list(db.session.scalars(
        select(ItuMeeting).where(ItuMeeting.programme_id == programme.id)
        .order_by(ItuMeeting.starts_on.desc(), ItuMeeting.name)))


def programmes_with_meetings() -> set[int]:
    """The ids of the programmes that list at least one ITU meeting."""
    return set(db.session.scalars(select(ItuMeeting.programme_id).distinct()))


def meeting_of(programme: Programme, meeting_id: int) -> ItuMeeting:
    """One of the programme's meetings; NotFound when unknown or another programme's."""
    meeting = found(ItuMeeting, meeting_id)
    if meeting.programme_id != programme.id:
        raise NotFound(meeting_id)
    return meeting


def check_keeps_list(scope: Scope) -> None:
    """Only the programme's coordinators change its list of meetings."""
    if scope.is_regional:
        raise Forbidden("a regional co-chair reads the list of ITU meetings")


def _checked(programme: Programme, name: str, starts_on: date | None,
             meeting: ItuMeeting | None = None, ends_on: date | None = None) -> str:
    name = " ".join((name or "").split())
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Give the meeting a name, such as WRC-23.")
    elif len(name) > ITU_MEETING_NAME_MAX:
        errors["name"] = _("Keep the name under %(max)d characters.", max=ITU_MEETING_NAME_MAX)
    else:
        same = db.session.scalar(select(ItuMeeting.id).where(
            ItuMeeting.programme_id == programme.id, func.lower(ItuMeeting.name) == name.lower()))
        if same is not None and (meeting is None or same != meeting.id):
            errors["name"] = _("The programme already has a meeting named %(name)s.", name=name)
    if starts_on is None:
        errors["starts_on"] = _("Give the day the meeting starts.")
    elif ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("The meeting cannot end before it starts.")
    if errors:
        first = next(iter(errors))
        raise Refused(errors[first], first, errors)
    return name


def _days(meeting: ItuMeeting) -> dict:
    return {"name": meeting.name, "starts_on": meeting.starts_on.isoformat(),
            "ends_on": meeting.ends_on.isoformat() if meeting.ends_on else None}


def add_meeting(actor: User, scope: Scope, name: str, starts_on: date | None,
                ends_on: date | None = None) -> ItuMeeting:
    """Add an ITU meeting to the programme's list (``ends_on``: its last day, if not the
    first)."""
    check_keeps_list(scope)
    name = _checked(scope.programme, name, starts_on, ends_on=ends_on)
    meeting = ItuMeeting(programme_id=scope.programme.id, name=name, starts_on=starts_on,
                         ends_on=ends_on)
    db.session.add(meeting)
    db.session.flush()
    audit.record("itu_meeting.add", actor=actor, programme=scope.programme, target=meeting,
                 after=_days(meeting))
    return meeting


def change_meeting(actor: User, scope: Scope, meeting: ItuMeeting, name: str,
                   starts_on: date | None, ends_on: date | None = None) -> ItuMeeting:
    """Rename a meeting or change its days (its roles stay)."""
    check_keeps_list(scope)
    name = _checked(scope.programme, name, starts_on, meeting, ends_on)
    before = _days(meeting)
    meeting.name, meeting.starts_on, meeting.ends_on = name, starts_on, ends_on
    db.session.flush()
    audit.record("itu_meeting.change", actor=actor, programme=scope.programme, target=meeting,
                 before=before, after=_days(meeting))
    return meeting


def role_count(meeting: ItuMeeting) -> int:
    """How many roles are recorded at the meeting."""
    return db.session.scalar(select(func.count()).select_from(MeetingRole)
                             .where(MeetingRole.itu_meeting_id == meeting.id))


def remove_meeting(actor: User, scope: Scope, meeting: ItuMeeting) -> None:
    """Remove a meeting from the list; refused while roles are recorded at it."""
    check_keeps_list(scope)
    if role_count(meeting):
        raise Refused(_("Roles are recorded at %(name)s: remove them first.", name=meeting.name))
    audit.record("itu_meeting.remove", actor=actor, programme=scope.programme, target=meeting,
                 before=_days(meeting))
    db.session.delete(meeting)
    db.session.flush()


# ---- roles ------------------------------------------------------------------------------------

def participation(programme: Programme, user: User) -> Enrolment | None:
    """The person's accepted application to the programme (the first), or None."""
    return db.session.scalar(select(Enrolment).where(
        Enrolment.programme_id == programme.id, Enrolment.user_id == user.id,
        Enrolment.status == EnrolmentStatus.ACCEPTED).order_by(Enrolment.id).limit(1))


def own_participation(programme: Programme, user: User) -> Enrolment:
    """Her own accepted application; Forbidden when she is not a participant."""
    enrolment = participation(programme, user)
    if enrolment is None:
        raise Forbidden(programme.slug)
    return enrolment


def participant_in_scope(scope: Scope, enrolment_id: int) -> Enrolment:
    """A participant the coordinator may record roles for: NotFound when unknown, Forbidden
    outside her scope or when the application is not accepted."""
    enrolment = found(Enrolment, enrolment_id)
    if not scope.covers(enrolment) or enrolment.status != EnrolmentStatus.ACCEPTED:
        raise Forbidden(enrolment_id)
    return enrolment


def roles_of(programme: Programme, user: User) -> list[MeetingRole]:
    """Her roles at the programme's meetings, by meeting (latest first)."""
    return list(db.session.scalars(
        select(MeetingRole).join(ItuMeeting)
        .where(ItuMeeting.programme_id == programme.id, MeetingRole.user_id == user.id)
        .order_by(ItuMeeting.starts_on.desc(), ItuMeeting.name, MeetingRole.role)))


def record_role(actor: User, participant: Enrolment, meeting_id: int | None,
                role: str | None) -> MeetingRole:
    """Record that the participant held a role at one of her programme's meetings."""
    programme = participant.programme
    errors: dict[str, str] = {}
    meeting = None
    if meeting_id is not None:
        meeting = db.session.get(ItuMeeting, meeting_id)
    if meeting is None or meeting.programme_id != programme.id:
        errors["meeting"] = _("Choose a meeting from the list.")
    try:
        kind = MeetingRoleKind(role or "")
    except ValueError:
        errors["role"] = _("Choose a role from the list.")
    if errors:
        first = next(iter(errors))
        raise Refused(errors[first], first, errors)
    already = _("This role at %(name)s is already recorded.", name=meeting.name)
    exists = db.session.scalar(select(MeetingRole.id).where(
        MeetingRole.user_id == participant.user_id, MeetingRole.itu_meeting_id == meeting.id,
        MeetingRole.role == kind))
    if exists is not None:
        raise Refused(already, "role")
    recorded = MeetingRole(user_id=participant.user_id, itu_meeting_id=meeting.id, role=kind,
                           recorded_by_id=actor.id)
    db.session.add(recorded)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:
        # She and a coordinator at once: the unique constraint keeps the second out.
        raise Refused(already, "role") from error
    audit.record("meeting_role.record", actor=actor, programme=programme, target=recorded,
                 after={"user_id": participant.user_id, "meeting": meeting.name,
                        "role": kind.value})
    return recorded


def role_of(participant: Enrolment, role_id: int) -> MeetingRole:
    """One of the participant's roles: NotFound when unknown, Forbidden when someone else's."""
    recorded = found(MeetingRole, role_id)
    if (recorded.user_id != participant.user_id
            or recorded.itu_meeting.programme_id != participant.programme_id):
        raise Forbidden(role_id)
    return recorded


def remove_role(actor: User, participant: Enrolment, recorded: MeetingRole) -> None:
    """Remove a role recorded for the participant."""
    audit.record("meeting_role.remove", actor=actor, programme=participant.programme,
                 target=recorded, before={"user_id": recorded.user_id,
                                          "meeting": recorded.itu_meeting.name,
                                          "role": recorded.role.value})
    db.session.delete(recorded)
    db.session.flush()


# ---- the baseline given at application ------------------------------------------------------
#
# The application asks "Have you attended ITU meetings before? Which, in which role?": she
# ticks roles at meetings of the programme's list that had started by then (or none). Each is
# a MeetingRole with ``baseline`` set, shared by her applications to the programme (mentee and
# mentor), rewritten whole when she saves one, and counted as before the programme
# (``held_before``). A role she or a coordinator has recorded already stays as it is.

def baseline_meetings(programme: Programme, today: date) -> list[ItuMeeting]:
    """The meetings an applicant may say she attended before: those that had started."""
    return [meeting for meeting in meetings(programme) if meeting.starts_on <= today]


def baseline_roles(programme: Programme, user: User) -> list[MeetingRole]:
    """The roles she gave on her application to the programme (shown to coordinators)."""
    return [row for row in roles_of(programme, user) if row.baseline]


def baseline_of(programme: Programme, user: User) -> list[tuple[int, str]]:
    """Her baseline as the form ticks it: (meeting id, role)."""
    return [(row.itu_meeting_id, row.role.value) for row in baseline_roles(programme, user)]


def baseline_problem(programme: Programme, picks: list[tuple[int, str]],
                     today: date) -> str | None:
    """Why the picked (meeting id, role) pairs cannot be her baseline, or None."""
    offered = {meeting.id for meeting in baseline_meetings(programme, today)}
    roles = {kind.value for kind in MeetingRoleKind}
    if any(meeting_id not in offered or role not in roles for meeting_id, role in picks):
        return _("Choose roles at meetings of the list.")
    return None


def set_baseline(application: Enrolment, picks: list[tuple[int, str]]) -> None:
    """Make the applicant's baseline at the programme's meetings exactly ``picks`` (checked by
    ``baseline_problem``), from one of her applications: rows no longer picked go, new ones
    come; a role recorded otherwise stays as recorded."""
    user, programme = application.user, application.programme
    rows = roles_of(programme, user)
    recorded = {(row.itu_meeting_id, row.role.value) for row in rows if not row.baseline}
    wanted = set(picks) - recorded
    given = {(row.itu_meeting_id, row.role.value): row for row in rows if row.baseline}
    for key, row in given.items():
        if key not in wanted:
            db.session.delete(row)
    db.session.add_all(MeetingRole(user_id=user.id, itu_meeting_id=meeting_id,
                                   role=MeetingRoleKind(role), recorded_by_id=user.id,
                                   baseline=True)
                       for meeting_id, role in sorted(wanted - set(given)))
    db.session.flush()
    if wanted != set(given):
        audit.record("meeting_role.baseline", actor=user, programme=programme,
                     target=application,
                     before={"roles": sorted(map(list, given))},
                     after={"roles": sorted(map(list, wanted))})


# ---- figures ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class RoleFigure:
    """Participants who held a role at a meeting, those who gave a gender, and the women."""

    meeting_id: int
    meeting: str
    starts_on: date
    role: MeetingRoleKind
    people: int
    women: int
    given: int = 0


#: The answers of people who gave a gender (the denominator of a women's share), as the
#: dashboard counts them.
_GAVE_A_GENDER = [answer for answer in Gender
                  if statistics_group(answer) in figures.GAVE_A_GENDER]


def _at_meetings(query, scope: Scope, *conditions):
    """The query over roles at the programme's meetings joined to their holders' accepted
    applications in the scope (a co-chair: her region)."""
    where = [ItuMeeting.programme_id == scope.programme.id,
             Enrolment.status == EnrolmentStatus.ACCEPTED, *conditions]
    if scope.is_regional:
        where.append(Enrolment.region_id == scope.region.id)
    return (query.join(MeetingRole, MeetingRole.itu_meeting_id == ItuMeeting.id)
            .join(Enrolment, (Enrolment.user_id == MeetingRole.user_id)
                  & (Enrolment.programme_id == ItuMeeting.programme_id))
            .where(*where))


def roles_by_meeting(scope: Scope) -> list[RoleFigure]:
    """For each meeting of the programme and each role recorded at it: how many participants
    (of the scope: a co-chair's region) held it, how many of them are women, and how many gave
    a gender.

    A participant is an accepted applicant; a woman is one whose accepted application answers
    ``Gender.WOMAN`` (``mentoring.gender``). One query; a person counts once per meeting and role
    even with two accepted applications (mentee and mentor).
    """
    def person_if(condition):
        return func.count(distinct(case((condition, MeetingRole.user_id))))

    rows = db.session.execute(_at_meetings(
        select(ItuMeeting.id, ItuMeeting.name, ItuMeeting.starts_on, MeetingRole.role,
               func.count(distinct(MeetingRole.user_id)),
               person_if(Enrolment.gender == Gender.WOMAN),
               person_if(Enrolment.gender.in_(_GAVE_A_GENDER))), scope)
        .group_by(ItuMeeting.id, ItuMeeting.name, ItuMeeting.starts_on, MeetingRole.role)
        .order_by(ItuMeeting.starts_on.desc(), ItuMeeting.name, MeetingRole.role))
    return [RoleFigure(*row) for row in rows]


# ---- the outcomes page ---------------------------------------------------------------------

def held_before(programme: Programme) -> ColumnElement[bool]:
    """The one definition of a role held *before the programme*: given on the application
    (her baseline), or held at a meeting whose last day (``ends_on``, else the day it starts)
    came before the programme's first day. Without a first day, only the baseline counts as
    before. Every other role counts as during or after the programme."""
    if programme.starts_on is None:
        return MeetingRole.baseline
    return or_(MeetingRole.baseline,
               func.coalesce(ItuMeeting.ends_on, ItuMeeting.starts_on) < programme.starts_on)


@dataclass(frozen=True)
class MenteeRoles:
    """A role's mentees and roles held (one a meeting) before, and during or after, the
    programme."""

    role: MeetingRoleKind
    mentees_before: int = 0
    held_before: int = 0
    mentees_since: int = 0
    held_since: int = 0


def mentee_roles(scope: Scope) -> list[MenteeRoles]:
    """Per role, how many accepted mentees (of the scope) held it before the programme and
    during or after it, and how many times (one a meeting): one GROUP BY. Roles nobody held
    are left out; the roles in the order of ``MeetingRoleKind``."""
    before = held_before(scope.programme)
    period = case((before, 1), else_=0)
    rows = db.session.execute(_at_meetings(
        select(MeetingRole.role, period, func.count(distinct(MeetingRole.user_id)),
               func.count()).select_from(ItuMeeting), scope, Enrolment.role == Role.MENTEE)
        .group_by(MeetingRole.role, period)).all()
    counts: dict[MeetingRoleKind, dict[str, int]] = {}
    for role, was_before, mentees, held in rows:
        into = counts.setdefault(MeetingRoleKind(role), {})
        suffix = "before" if was_before else "since"
        into[f"mentees_{suffix}"], into[f"held_{suffix}"] = mentees, held
    return [MenteeRoles(role, **counts[role]) for role in MeetingRoleKind if role in counts]


@dataclass(frozen=True)
class RoleShare:
    """One line of the women's shares: a role at a meeting as a coordinator may see it."""

    meeting: str
    starts_on: date
    role: MeetingRoleKind
    #: Participants who held the role: the number, or None for "fewer than 5".
    people: int | None
    #: Women among those who gave a gender, in percent; None when nobody gave one; HIDDEN
    #: when showing it would let a count under 5 be worked out (the dashboard's rule 3).
    share: float | None | str
    #: Whether a shown share reaches the programme's target (None when not shown).
    reaches_target: bool | None


def women_shares(scope: Scope) -> list[RoleShare]:
    """For each meeting and role: the participants behind the women's share and the share,
    with the dashboard's small-count rule (``services.dashboard``): a count from 1 to 4 reads
    "fewer than 5", and a share shows only when neither the women, nor the others who gave a
    gender, nor those who did not give one is such a count. No totals are shown, so no cell
    can be worked out from others."""
    target = scope.programme.women_target_percent
    out = []
    for figure in roles_by_meeting(scope):
        if figures.share_may_show(figure.women, figure.given, figure.people - figure.given):
            share = figures.share_percent(figure.women, figure.given)
        elif figure.given:
            share = figures.HIDDEN
        else:
            share = None
        out.append(RoleShare(
            figure.meeting, figure.starts_on, figure.role,
            None if figures.is_small(figure.people) else figure.people, share,
            share >= target if isinstance(share, float) else None))
    return out
