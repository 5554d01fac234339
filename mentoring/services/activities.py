"""Group activities of a programme: coordinators plan them, participants register (a waiting
list when full, promoted in order of arrival when a place frees), calendars (.ics).

Who may come: the accepted applicants of the programme in the activity's audience (mentees,
mentors or both) and, when it has one, of its region. A regional co-chair plans and manages
her region's activities; the programme's coordinators every activity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_time, get_datetime_format
from flask import current_app
from flask_babel import gettext as _
from icalendar import Calendar, Event
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select

from ..extensions import db
from ..locales import current_locale
from ..models import (
    Activity,
    ActivityKind,
    Audience,
    Enrolment,
    EnrolmentStatus,
    Programme,
    Registration,
    RegistrationStatus,
    Role,
    User,
)
from ..models._types import utcnow
from ..models.activity import MAX_ACTIVITY_MINUTES, MAX_CAPACITY
from . import Forbidden, NotFound, Refused, audit, found, mail, tokens
from . import dashboard as figures
from .accounts import email_problem, normalise_email
from .imports import ALIASES, ImportError_, ImportFailed, find_columns, read_rows
from .links import external_url
from .scope import Scope

#: Longest title and description, as the columns allow.
TITLE_MAX, DESCRIPTION_MAX, LOCATION_MAX = 200, 5000, 500
#: The audiences by role.
ROLES_OF = {Audience.EVERYONE: (Role.MENTEE, Role.MENTOR), Audience.MENTEES: (Role.MENTEE,),
            Audience.MENTORS: (Role.MENTOR,)}


@dataclass
class Plan:
    """What a coordinator gives for an activity, as the form reads it."""

    kind: str
    title: str
    description: str
    day: date | None
    at: time | None
    timezone: str
    duration_minutes: int | None
    location: str
    capacity: int | None
    audience: str
    region_id: int | None
    closes_day: date | None = None
    closes_at: time | None = None


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise Refused(_("Choose a time zone from the list."), "timezone") from error


def _checked(scope: Scope, plan: Plan) -> dict:
    """The activity's columns from a plan, or Refused naming every field that is wrong."""
    errors: dict[str, str] = {}
    title = " ".join((plan.title or "").split())
    if not title:
        errors["title"] = _("Give the activity a title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("At most %(max)d characters.", max=TITLE_MAX)
    description = (plan.description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = _("At most %(max)d characters.", max=DESCRIPTION_MAX)
    location = (plan.location or "").strip()
    if len(location) > LOCATION_MAX:
        errors["location"] = _("At most %(max)d characters.", max=LOCATION_MAX)
    if plan.kind not in set(ActivityKind):
        errors["kind"] = _("Choose a kind of activity.")
    if plan.audience not in set(Audience):
        errors["audience"] = _("Choose who may come.")
    if plan.day is None:
        errors["day"] = _("Give the day of the activity.")
    if plan.at is None:
        errors["at"] = _("Give the time the activity starts.")
    if not plan.duration_minutes or not 1 <= plan.duration_minutes <= MAX_ACTIVITY_MINUTES:
        errors["duration_minutes"] = _("Between 1 and %(max)d minutes.",
                                       max=MAX_ACTIVITY_MINUTES)
    if plan.capacity is not None and not 1 <= plan.capacity <= MAX_CAPACITY:
        errors["capacity"] = _("Between 1 and %(max)d places, or empty for no limit.",
                               max=MAX_CAPACITY)
    region_id = plan.region_id
    if scope.is_regional:
        region_id = scope.region.id  # a co-chair plans for her region only
    elif region_id is not None and region_id not in {r.id for r in scope.programme.regions}:
        errors["region_id"] = _("Choose one of the programme's regions.")
    zone = None
    try:
        zone = _zone(plan.timezone)
    except Refused as refusal:
        errors["timezone"] = refusal.message
    starts_at = closes = None
    if zone and plan.day and plan.at:
        starts_at = datetime.combine(plan.day, plan.at, zone)
        if plan.closes_day:
            closes = datetime.combine(plan.closes_day, plan.closes_at or time(23, 59), zone)
            if closes > starts_at:
                errors["closes_day"] = _("Registration must close before the activity starts.")
    elif plan.closes_at and not plan.closes_day:
        errors["closes_day"] = _("Give the day registration closes.")
    if errors:
        first = next(iter(errors))
        raise Refused(errors[first], first, errors)
    return {"kind": ActivityKind(plan.kind), "title": title, "description": description,
            "starts_at": starts_at, "timezone": plan.timezone,
            "duration_minutes": plan.duration_minutes, "location": location,
            "capacity": plan.capacity, "audience": Audience(plan.audience),
            "region_id": region_id, "registration_closes_at": closes}


def _facts(activity: Activity) -> dict:
    return {"kind": str(activity.kind), "title": activity.title,
            "starts_at": activity.starts_at.isoformat(), "timezone": activity.timezone,
            "duration_minutes": activity.duration_minutes, "capacity": activity.capacity,
            "audience": str(activity.audience), "region_id": activity.region_id}


def create(actor, scope: Scope, plan: Plan) -> Activity:
    activity = Activity(programme_id=scope.programme.id, created_by_id=actor.id,
                        **_checked(scope, plan))
    db.session.add(activity)
    db.session.flush()
    audit.record("activity.created", actor=actor, programme=scope.programme, target=activity,
                 after=_facts(activity))
    return activity


def update(actor, scope: Scope, activity: Activity, plan: Plan) -> Activity:
    """Change an activity; more places let people on the waiting list in (and tell them)."""
    check_can_manage(scope, activity)
    before = _facts(activity)
    for name, value in _checked(scope, plan).items():
        setattr(activity, name, value)
    db.session.flush()
    _fill_places(_locked(activity.id))
    audit.record("activity.changed", actor=actor, programme=scope.programme, target=activity,
                 before=before, after=_facts(activity))
    return activity


def delete(actor, scope: Scope, activity: Activity) -> int:
    """Cancel an activity: everyone registered or waiting is told. Returns how many."""
    check_can_manage(scope, activity)
    people = db.session.scalars(select(User).join(Registration).where(
        Registration.activity_id == activity.id)).all()
    if activity.starts_at > utcnow():
        for user in people:
            mail.queue_template(user, "activity_cancelled", kind="activity",
                                activity=activity, programme=activity.programme,
                                when=when(activity, user))
    audit.record("activity.cancelled", actor=actor, programme=scope.programme, target=activity,
                 before={**_facts(activity), "registered": len(people)})
    db.session.delete(activity)
    db.session.flush()
    return len(people)


def check_can_manage(scope: Scope, activity: Activity) -> None:
    """Forbidden unless the scope may change the activity (a co-chair: her region's)."""
    if scope.is_regional and activity.region_id != scope.region.id:
        raise Forbidden("a co-chair manages her region's activities")


def activity_in_scope(scope: Scope, activity_id: int) -> Activity:
    """An activity of the scope's programme (a co-chair: of her region or the whole
    programme's, which she may read)."""
    activity = found(Activity, activity_id)
    if activity.programme_id != scope.programme.id:
        raise NotFound(f"activity {activity_id}")
    if scope.is_regional and activity.region_id not in (None, scope.region.id):
        raise Forbidden("another region's activity")
    return activity


def may_manage(scope: Scope, activity: Activity) -> bool:
    return not scope.is_regional or activity.region_id == scope.region.id


def of_programme(scope: Scope, *, past: bool = False) -> list[tuple[Activity, int, int]]:
    """The programme's upcoming (or past) activities a coordinator sees, each with its
    numbers registered and waiting, soonest first (past ones latest first)."""
    now = utcnow()
    counts = (select(Registration.activity_id,
                     func.count().filter(Registration.status == RegistrationStatus.REGISTERED)
                     .label("registered"),
                     func.count().filter(Registration.status == RegistrationStatus.WAITING)
                     .label("waiting"))
              .group_by(Registration.activity_id).subquery())
    query = (select(Activity, func.coalesce(counts.c.registered, 0),
                    func.coalesce(counts.c.waiting, 0))
             .outerjoin(counts, counts.c.activity_id == Activity.id)
             .where(Activity.programme_id == scope.programme.id))
    if scope.is_regional:
        query = query.where((Activity.region_id.is_(None))
                            | (Activity.region_id == scope.region.id))
    ends = Activity.starts_at  # an activity is past once it has started
    query = (query.where(ends < now).order_by(Activity.starts_at.desc()) if past
             else query.where(ends >= now).order_by(Activity.starts_at))
    return [tuple(row) for row in db.session.execute(query).all()]


def registrations(scope: Scope, activity: Activity) -> list[Registration]:
    """Who registered and who waits, in order of arrival; a co-chair sees the people of her
    region only (at a programme-wide activity, and at her region's of someone who has since
    moved to another region)."""
    query = (select(Registration).join(User).where(Registration.activity_id == activity.id)
             .order_by(Registration.status, Registration.created_at, Registration.id))
    if scope.is_regional:
        query = query.where(Registration.user_id.in_(
            select(Enrolment.user_id).where(Enrolment.programme_id == scope.programme.id,
                                            Enrolment.region_id == scope.region.id)))
    return list(db.session.scalars(query))


# ---- participants -------------------------------------------------------------------------

def _eligible(user: User, activity: Activity) -> bool:
    query = select(Enrolment.id).where(
        Enrolment.programme_id == activity.programme_id, Enrolment.user_id == user.id,
        Enrolment.status == EnrolmentStatus.ACCEPTED,
        Enrolment.role.in_(ROLES_OF[activity.audience]))
    if activity.region_id is not None:
        query = query.where(Enrolment.region_id == activity.region_id)
    return db.session.scalar(query.limit(1)) is not None


def activity_for(user: User, activity_id: int) -> Activity:
    """An activity the person may come to (or is registered for); NotFound otherwise, so
    nobody learns what others' activities are."""
    activity = db.session.get(Activity, activity_id)
    if activity is None or not (_eligible(user, activity) or registration_of(user, activity)):
        raise NotFound(f"activity {activity_id}")
    return activity


def registration_of(user: User, activity: Activity) -> Registration | None:
    return db.session.scalar(select(Registration).where(
        Registration.activity_id == activity.id, Registration.user_id == user.id))


def registration_open(activity: Activity) -> bool:
    now = utcnow()
    return now < (activity.registration_closes_at or activity.starts_at)


def _locked(activity_id: int) -> Activity:
    """The activity's row, held until the transaction ends, so that two people taking the
    last place at once are counted one after the other (PostgreSQL; SQLite has one writer)."""
    return db.session.scalar(select(Activity).where(Activity.id == activity_id)
                             .with_for_update().execution_options(populate_existing=True))


def _taken(activity: Activity) -> int:
    return db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.activity_id == activity.id,
        Registration.status == RegistrationStatus.REGISTERED))


def register(user: User, activity_id: int) -> Registration:
    """Take a place, or the next place on the waiting list when the activity is full."""
    activity = activity_for(user, activity_id)
    if not _eligible(user, activity):
        raise Refused(_("This activity is not open to you."))
    if not registration_open(activity):
        raise Refused(_("Registration for this activity has closed."))
    activity = _locked(activity.id)
    existing = registration_of(user, activity)
    if existing is not None:
        return existing
    full = activity.capacity is not None and _taken(activity) >= activity.capacity
    registration = Registration(activity_id=activity.id, user_id=user.id,
                                status=RegistrationStatus.WAITING if full
                                else RegistrationStatus.REGISTERED)
    db.session.add(registration)
    db.session.flush()
    return registration


def unregister(user: User, activity_id: int) -> bool:
    """Give up a place (or leave the waiting list); the first waiting person gets the place
    and an email. False when she was not registered."""
    activity = activity_for(user, activity_id)
    if activity.starts_at <= utcnow():
        raise Refused(_("This activity has already started."))
    activity = _locked(activity.id)
    registration = registration_of(user, activity)
    if registration is None:
        return False
    db.session.delete(registration)
    db.session.flush()
    _fill_places(activity)
    return True


def _waiting(activity_id: int):
    """The activity's waiting list, in the order places are given: order of arrival."""
    return select(Registration).where(Registration.activity_id == activity_id,
                                      Registration.status == RegistrationStatus.WAITING
                                      ).order_by(Registration.created_at, Registration.id)


def waiting_position(registration: Registration) -> int | None:
    """Her place on the waiting list (1: the next place that frees is hers), or None when
    she is not waiting."""
    if registration.status != RegistrationStatus.WAITING:
        return None
    ahead = (Registration.created_at < registration.created_at) | (
        (Registration.created_at == registration.created_at)
        & (Registration.id < registration.id))
    return 1 + db.session.scalar(select(func.count()).select_from(
        _waiting(registration.activity_id).where(ahead).order_by(None).subquery()))


def _fill_places(activity: Activity) -> list[Registration]:
    """Move people from the waiting list into the places free, in order of arrival, and tell
    each of them (the caller holds the activity's row)."""
    if activity.starts_at <= utcnow():
        return []
    waiting = _waiting(activity.id)
    if activity.capacity is not None:
        free = activity.capacity - _taken(activity)
        if free <= 0:
            return []
        waiting = waiting.limit(free)
    promoted = list(db.session.scalars(waiting))
    for registration in promoted:
        registration.status = RegistrationStatus.REGISTERED
        mail.queue_template(registration.user, "activity_place", kind="activity",
                            activity=activity, programme=activity.programme,
                            when=when(activity, registration.user),
                            link=external_url("activities.activity", activity_id=activity.id))
    db.session.flush()
    return promoted


@dataclass
class Upcoming:
    activity: Activity
    registration: Registration | None
    taken: int

    @property
    def full(self) -> bool:
        return self.activity.capacity is not None and self.taken >= self.activity.capacity


def upcoming_for(user: User, programme: Programme | None = None) -> list[Upcoming]:
    """Activities to come that the person may attend or registered for, soonest first."""
    mine = (select(Enrolment.programme_id, Enrolment.role, Enrolment.region_id)
            .where(Enrolment.user_id == user.id, Enrolment.status == EnrolmentStatus.ACCEPTED)
            .subquery())
    role_fits = (((mine.c.role == Role.MENTEE)
                  & Activity.audience.in_((Audience.EVERYONE, Audience.MENTEES)))
                 | ((mine.c.role == Role.MENTOR)
                    & Activity.audience.in_((Audience.EVERYONE, Audience.MENTORS))))
    eligible = (select(Activity.id).join(mine, mine.c.programme_id == Activity.programme_id)
                .where(role_fits, Activity.region_id.is_(None)
                       | (Activity.region_id == mine.c.region_id)))
    own = select(Registration).where(Registration.user_id == user.id).subquery()
    taken = (select(func.count()).select_from(Registration)
             .where(Registration.activity_id == Activity.id,
                    Registration.status == RegistrationStatus.REGISTERED)
             .correlate(Activity).scalar_subquery())
    query = (select(Activity, own.c.id, taken)
             .outerjoin(own, own.c.activity_id == Activity.id)
             .where(Activity.starts_at >= utcnow(),
                    Activity.id.in_(eligible) | own.c.id.is_not(None))
             .order_by(Activity.starts_at, Activity.id))
    if programme is not None:
        query = query.where(Activity.programme_id == programme.id)
    rows = db.session.execute(query).all()
    own_rows = {r.id: r for r in db.session.scalars(select(Registration).where(
        Registration.id.in_([row[1] for row in rows if row[1] is not None])))}
    return [Upcoming(activity, own_rows.get(reg_id), count) for activity, reg_id, count in rows]


# ---- time and calendars -----------------------------------------------------------------

def person_zone(user: User | None, activity: Activity) -> str:
    zone = getattr(user, "timezone", "") or activity.timezone
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return activity.timezone
    return zone


def when(activity: Activity, user: User | None = None, locale: str | None = None) -> str:
    """The start in the person's own time zone (or the activity's), in her language, with
    the zone named: "Friday, March 12, 2027, 2:00 PM (Africa/Nairobi)"."""
    zone = person_zone(user, activity)
    locale = locale or current_locale()
    local = activity.starts_at.astimezone(ZoneInfo(zone))
    text = get_datetime_format("long", locale=locale).format(
        format_time(local, "short", locale=locale), format_date(local, "full", locale=locale))
    return f"{text} ({zone.replace('_', ' ')})"


def calendar_file(activity: Activity) -> bytes:
    """The activity as a calendar entry (.ics), times in UTC so every calendar places it."""
    calendar = Calendar()
    calendar.add("prodid", "-//mentoring//activity//EN")
    calendar.add("version", "2.0")
    calendar.add_component(_event(activity))
    return calendar.to_ical()


def _event(activity: Activity) -> Event:
    event = Event()
    event.add("uid", f"activity-{activity.id}@mentoring")
    event.add("dtstamp", utcnow())
    event.add("dtstart", activity.starts_at)
    event.add("dtend", activity.starts_at + timedelta(minutes=activity.duration_minutes))
    event.add("summary", activity.display_title)
    description = activity.display_description
    link = external_url("activities.activity", activity_id=activity.id)
    event.add("description", f"{description}\n\n{link}" if description else link)
    if activity.location:
        event.add("location", activity.location)
    event.add("url", link)
    return event


#: The signer's purpose (salt) of calendar feed links.
CALENDAR_FEED = "calendar-feed"


def _feed_signer() -> URLSafeSerializer:
    # Not timed: the address stays the same, so a calendar app keeps following it.
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=CALENDAR_FEED)


def feed_url(user: User) -> str:
    """The address of her calendar feed, for a calendar app to subscribe to: signed, it needs
    no sign-in; it stops working when her password changes (as a reset link does)."""
    token = _feed_signer().dumps({"uid": user.id, "fp": tokens.fingerprint(user)})
    return external_url("activities.calendar_feed", token=token)


def user_of_feed(token: str) -> User:
    """The person a feed link names; NotFound for a forged or outdated one."""
    try:
        payload = _feed_signer().loads(token)
    except BadSignature as error:
        raise NotFound("calendar feed") from error
    user = db.session.get(User, payload.get("uid")) if isinstance(payload, dict) else None
    if user is None or user.erased_at is not None \
            or payload.get("fp") != tokens.fingerprint(user):
        raise NotFound("calendar feed")
    return user


def calendar_feed(user: User) -> bytes:
    """Every activity the person registered for (past ones too), one feed for her calendar."""
    calendar = Calendar()
    calendar.add("prodid", "-//mentoring//my activities//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("My mentoring activities"))
    for activity in db.session.scalars(
            select(Activity).join(Registration).where(
                Registration.user_id == user.id,
                Registration.status == RegistrationStatus.REGISTERED)
            .order_by(Activity.starts_at)):
        calendar.add_component(_event(activity))
    return calendar.to_ical()


# ---- after the activity: attendance and feedback ------------------------------------------

#: The longest feedback comment.
COMMENT_MAX = 2000


def has_started(activity: Activity) -> bool:
    return activity.starts_at <= utcnow()


def record_attendance(actor, scope: Scope, activity: Activity, came: set[int]) -> tuple[int, int]:
    """Who came, among the people registered (registration ids in ``came``; the others did
    not). Returns (came, did not come)."""
    check_can_manage(scope, activity)
    if not has_started(activity):
        raise Refused(_("Attendance is recorded once the activity has started."))
    people = registrations(scope, activity)
    known = {r.id for r in people if r.status == RegistrationStatus.REGISTERED}
    if not came <= known:
        raise NotFound("a registration of another activity")
    before = {r.id: r.attended for r in people if r.id in known}
    for registration in people:
        if registration.id in known:
            registration.attended = registration.id in came
    db.session.flush()
    audit.record("activity.attendance", actor=actor, programme=scope.programme, target=activity,
                 before={"attended": sorted(i for i, v in before.items() if v)},
                 after={"attended": sorted(came)})
    return len(came), len(known) - len(came)


def give_feedback(user: User, activity_id: int, rating: int | None, comment: str) -> Registration:
    """Her rating (1 to 5) and comment once the activity has started; she may change them."""
    activity = activity_for(user, activity_id)
    registration = registration_of(user, activity)
    if registration is None or registration.status != RegistrationStatus.REGISTERED \
            or registration.attended is False:
        raise Refused(_("Only the people who took part can give feedback."))
    if not has_started(activity):
        raise Refused(_("You can give feedback once the activity has taken place."))
    comment = (comment or "").strip()
    errors = {}
    if rating is None or not 1 <= rating <= 5:
        errors["rating"] = _("Choose a rating from 1 to 5.")
    if len(comment) > COMMENT_MAX:
        errors["comment"] = _("At most %(max)d characters.", max=COMMENT_MAX)
    if errors:
        first = next(iter(errors))
        raise Refused(errors[first], first, errors)
    registration.rating, registration.comment = rating, comment
    registration.feedback_at = utcnow()
    db.session.flush()
    return registration


@dataclass
class Results:
    """What a coordinator reads after an activity."""

    registered: int
    came: int
    recorded: bool
    ratings: list[int]
    comments: list[str]
    #: Whether a mean of 1 to 4 ratings is hidden (see `shown_mean`).
    hide_small: bool = False

    @property
    def mean(self) -> float | None:
        return sum(self.ratings) / len(self.ratings) if self.ratings else None

    @property
    def shown_mean(self) -> float | str | None:
        """The mean as the reader may see it: None without ratings, `dashboard.SMALL` for 1
        to 4 of them when hidden (the surveys' rule: a co-chair sees who of her region came,
        and the mean of so few can tell how each rated), else the mean."""
        if self.hide_small and figures.is_small(len(self.ratings)):
            return figures.SMALL
        return self.mean


def results(people: list[Registration], hide_small: bool = False) -> Results:
    """Attendance and feedback of the registrations a coordinator may read; ``hide_small``:
    means of 1 to 4 ratings hidden (`surveys.hides_small_means`)."""
    registered = [r for r in people if r.status == RegistrationStatus.REGISTERED]
    return Results(
        registered=len(registered), came=sum(1 for r in registered if r.attended),
        recorded=any(r.attended is not None for r in registered),
        ratings=[r.rating for r in registered if r.rating is not None],
        comments=[r.comment for r in registered if r.comment], hide_small=hide_small)


# ---- attendance from a CSV file -----------------------------------------------------------

#: The headings an attendance file may use (matched as the applications import does).
ATTENDANCE_ALIASES: dict[str, tuple[str, ...]] = {
    "email": ALIASES["email"],
    "attended": ("attendance", "present", "came", "attended?", "participated"),
}
#: What an "attended" cell may say (case and spaces aside); empty means she came.
CAME_WORDS = {"", "yes", "y", "x", "1", "true", "present", "came", "attended", "oui", "si",
              "sí", "да", "نعم", "是"}
ABSENT_WORDS = {"no", "n", "0", "false", "absent", "non", "нет", "لا", "否"}


@dataclass
class AttendanceFile:
    """What an attendance file says, checked: who came and who did not among the people
    registered (the registrations the scope may read), and who the file leaves out."""

    came: list[Registration]
    absent: list[Registration]
    not_listed: list[Registration]


def attendance_from_csv(scope: Scope, activity: Activity, raw: bytes) -> AttendanceFile:
    """Read an attendance file (an email column, and an "attended" column or every line a
    person who came), matching people by email among those registered. Nothing is written:
    the coordinator sees the result ticked on the attendance list and saves it. ImportFailed
    lists every wrong line; the people registered but not in the file did not come."""
    check_can_manage(scope, activity)
    if not has_started(activity):
        raise Refused(_("Attendance is recorded once the activity has started."))
    rows = read_rows(raw)
    columns = find_columns(rows[0], ATTENDANCE_ALIASES, ("email",))
    heading = {field: rows[0][index] for field, index in columns.items()}
    people = {normalise_email(r.user.email): r for r in registrations(scope, activity)
              if r.status == RegistrationStatus.REGISTERED}
    errors: list[ImportError_] = []
    came: dict[int, Registration] = {}
    absent: dict[int, Registration] = {}
    seen: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(field: str, row=row) -> str:
            index = columns.get(field)
            return row[index].strip() if index is not None and index < len(row) else ""

        email = normalise_email(cell("email"))
        said = " ".join(cell("attended").casefold().split())
        if email_problem(cell("email")):
            errors.append(ImportError_(line, heading["email"], email_problem(cell("email"))))
        elif email in seen:
            errors.append(ImportError_(line, heading["email"], _(
                "%(email)s is already on line %(line)d.", email=email, line=seen[email])))
        elif email not in people:
            errors.append(ImportError_(line, heading["email"], _(
                "Nobody registered for this activity has the address %(email)s.", email=email)))
        if said not in CAME_WORDS | ABSENT_WORDS:
            errors.append(ImportError_(line, heading.get("attended", ""), _(
                "Write \"yes\" or \"no\", not \"%(value)s\".", value=cell("attended"))))
        if email in people and email not in seen:
            seen[email] = line
            (absent if said in ABSENT_WORDS else came)[people[email].id] = people[email]
    if errors:
        raise ImportFailed(errors)
    return AttendanceFile(list(came.values()), list(absent.values()),
                          [r for r in people.values() if r.id not in came and r.id not in absent])
