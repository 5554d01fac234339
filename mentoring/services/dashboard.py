"""The programme dashboard's figures, each from one aggregate (GROUP BY) query.

Every function takes a Scope; a regional co-chair's dashboard calls each twice (her region,
then the whole programme), so the number of queries never grows with the data.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import case, distinct, func, or_, select, true
from sqlalchemy.orm import aliased

from ..data import country_name, language_name
from ..extensions import db
from ..gender import STATISTICS_GROUPS, statistics_group
from ..models import (
    Confirmation,
    Enrolment,
    EnrolmentLanguage,
    EnrolmentStatus,
    Feedback,
    Meeting,
    Pairing,
    PairingStatus,
    ProgrammeStatus,
    Role,
)
from . import activity as pair_activity
from .scope import Scope

#: Counts below this in a breakdown by gender or country are shown as "fewer than 5".
SUPPRESS_BELOW = 5
MATCHED = (PairingStatus.APPROVED, PairingStatus.ACTIVE, PairingStatus.COMPLETED,
           PairingStatus.ENDED)


def _in_scope(query, scope: Scope, enrolment=Enrolment):
    query = query.where(enrolment.programme_id == scope.programme.id)
    if scope.region is not None:
        query = query.where(enrolment.region_id == scope.region.id)
    return query


def _pairs_in_scope(query, scope: Scope):
    """Pairs of the scope: the programme's, and for a co-chair those of her region's mentees.
    The mentee is joined only for a region: the whole programme's figures read the pairs
    alone."""
    query = query.where(Pairing.programme_id == scope.programme.id)
    if scope.region is not None:
        mentee = aliased(Enrolment)
        query = query.join(mentee, Pairing.mentee_id == mentee.id).where(
            mentee.region_id == scope.region.id)
    return query


@dataclass
class Funnel:
    """applied -> accepted -> matched -> active -> completed, per role."""

    rows: dict[str, dict[str, int]] = field(default_factory=dict)

    STAGES = ("applied", "accepted", "matched", "active", "completed")


def funnel(scope: Scope) -> Funnel:
    statuses = db.session.execute(_in_scope(
        select(Enrolment.role, Enrolment.status, func.count()).group_by(Enrolment.role,
                                                                       Enrolment.status),
        scope)).all()
    out = Funnel({role.value: dict.fromkeys(Funnel.STAGES, 0) for role in Role})
    for role, status, count in statuses:
        if status != EnrolmentStatus.WITHDRAWN:
            out.rows[str(role)]["applied"] += count
        if status == EnrolmentStatus.ACCEPTED:
            out.rows[str(role)]["accepted"] += count
    # People count at each stage in their own region: a regional co-chair's mentors are the
    # mentors of her region, whichever region their mentees come from (and the reverse).
    mentee, mentor = aliased(Enrolment), aliased(Enrolment)
    if scope.region is None:
        mentee_in, mentor_in = true(), true()
    else:
        mentee_in = mentee.region_id == scope.region.id
        mentor_in = mentor.region_id == scope.region.id
    people = (func.count(distinct(case((mentee_in, Pairing.mentee_id)))),
              func.count(distinct(case((mentor_in, Pairing.mentor_id)))))

    def pairs(*columns):
        query = select(*columns, *people).where(Pairing.programme_id == scope.programme.id,
                                                Pairing.status.in_(MATCHED))
        if scope.region is None:  # every pair counts: no need to read the people
            return query
        return (query.join(mentee, Pairing.mentee_id == mentee.id)
                .join(mentor, Pairing.mentor_id == mentor.id)
                .where(or_(mentee_in, mentor_in)))

    by_status = {str(s): (n_mentees, n_mentors) for s, n_mentees, n_mentors
                 in db.session.execute(pairs(Pairing.status).group_by(Pairing.status))}
    # "Matched" counts people in any pair that was approved, whatever became of it.
    out.rows["mentee"]["matched"], out.rows["mentor"]["matched"] = (
        db.session.execute(pairs()).one())
    for stage, status in (("active", "active"), ("completed", "completed")):
        n_mentees, n_mentors = by_status.get(status, (0, 0))
        out.rows["mentee"][stage], out.rows["mentor"][stage] = n_mentees, n_mentors
    return out


@dataclass
class Breakdown:
    """Counts per label and role, in a fixed label order."""

    title: str
    labels: list[str]
    counts: dict[str, dict[str, int]]  # label -> role -> count
    suppress: bool = False

    def total(self, label: str) -> int:
        return sum(self.counts.get(label, {}).values())

    def shown(self, count: int) -> int | None:
        """None means "fewer than 5" (privacy), for breakdowns that need it."""
        return None if self.suppress and 0 < count < SUPPRESS_BELOW else count


def _participants(scope: Scope, *columns):
    return _in_scope(select(*columns, Enrolment.role, func.count())
                     .where(Enrolment.status == EnrolmentStatus.ACCEPTED)
                     .group_by(*columns, Enrolment.role), scope)


def accepted(scope: Scope) -> list[tuple]:
    """Accepted participants per region id, country, gender answer and role: the rows the
    region, country and gender breakdowns all add up, read once (at most regions x
    countries x answers x 2 rows, whatever the number of people)."""
    return db.session.execute(_participants(
        scope, Enrolment.region_id, Enrolment.country, Enrolment.gender)).all()


def _summed(rows, column: int):
    counts: dict = defaultdict(lambda: defaultdict(int))
    for row in rows:
        counts[row[column]][str(row[3])] += row[4]
    return counts


def by_region(scope: Scope, rows: list[tuple] | None = None) -> Breakdown:
    counts = _summed(accepted(scope) if rows is None else rows, 0)
    labels = [r.code for r in scope.programme.regions if r.id in counts]
    named = {r.code: dict(counts[r.id]) for r in scope.programme.regions if r.id in counts}
    return Breakdown("region", labels, named)


def by_country(scope: Scope, locale: str = "en", top: int = 15,
               rows: list[tuple] | None = None) -> Breakdown:
    counts = _summed(accepted(scope) if rows is None else rows, 1)
    ranked = sorted(counts, key=lambda c: (-sum(counts[c].values()), c))[:top]
    named = {country_name(code, locale): dict(counts[code]) for code in ranked}
    return Breakdown("country", list(named), named, suppress=True)


def by_language(scope: Scope, locale: str = "en") -> Breakdown:
    rows = db.session.execute(_participants(scope, EnrolmentLanguage.code).join(
        EnrolmentLanguage, EnrolmentLanguage.enrolment_id == Enrolment.id)).all()
    counts: dict = defaultdict(dict)
    for code, role, count in rows:
        counts[language_name(code, locale)][str(role)] = count
    labels = sorted(counts, key=lambda label: -sum(counts[label].values()))
    return Breakdown("language", labels, dict(counts))


def by_gender(scope: Scope, rows: list[tuple] | None = None) -> Breakdown:
    """Accepted participants per gender group (`gender.statistics_group`) and role."""
    counts: dict = defaultdict(lambda: defaultdict(int))
    for _region, _country, answer, role, count in accepted(scope) if rows is None else rows:
        counts[statistics_group(answer)][str(role)] += count
    counts = {label: dict(by_role) for label, by_role in counts.items()}
    labels = [label for label in STATISTICS_GROUPS if label in counts]
    return Breakdown("gender", labels, dict(counts), suppress=True)


def women_share(gender: Breakdown, role: str) -> float | None:
    """Women among the people of a role who gave a gender, in percent."""
    given = sum(gender.counts.get(label, {}).get(role, 0) for label in ("women", "men", "other"))
    if not given:
        return None
    return round(100 * gender.counts.get("women", {}).get(role, 0) / given, 1)


@dataclass
class Quality:
    histogram: list[int]  # pairs per score band of 100 (0-99, ..., 900-1000)
    lowest: int | None
    mean: float | None
    pairs: int


def quality(scope: Scope) -> Quality:
    """The score histogram and the lowest and mean scores, from one query grouped by band."""
    band = case((Pairing.score >= 1000, 9), else_=Pairing.score / 100).label("band")
    rows = db.session.execute(_pairs_in_scope(
        select(band, func.count(), func.min(Pairing.score), func.sum(Pairing.score))
        .where(Pairing.status.in_(MATCHED)).group_by(band), scope)).all()
    histogram = [0] * 10
    for value, count, _lowest, _total in rows:
        histogram[min(int(value), 9)] += count
    pairs = sum(count for _band, count, _lowest, _total in rows)
    if not pairs:
        return Quality(histogram, None, None, 0)
    lowest = min(low for _band, _count, low, _total in rows)
    total = sum(int(total) for _band, _count, _low, total in rows)
    return Quality(histogram, lowest, round(total / pairs, 1), pairs)


@dataclass
class Activity:
    months: list[tuple[str, int, float]]  # ("2026-08", sessions, hours)
    active_pairs: int
    met_last_30: int
    never_met: int
    silent: int
    sessions: int
    confirmed: int
    rating: float | None

    @property
    def met_share(self) -> float | None:
        return round(100 * self.met_last_30 / self.active_pairs, 1) if self.active_pairs else None

    @property
    def confirmation_rate(self) -> float | None:
        return round(100 * self.confirmed / self.sessions, 1) if self.sessions else None


def _every_month(rows: dict[str, tuple[int, int]], until: date | None
                 ) -> list[tuple[str, int, float]]:
    """Every month from the first session's to the last's (or to ``until``'s, if later),
    a month without sessions as 0 sessions and 0 hours."""
    found = {month: (count, round((minutes or 0) / 60, 1)) for month, (count, minutes)
             in rows.items()}
    if not found:
        return []
    year, month = (int(part) for part in min(found).split("-"))
    last = max(found)
    if until is not None:
        last = max(last, f"{until.year:04d}-{until.month:02d}")
    out = []
    while (key := f"{year:04d}-{month:02d}") <= last:
        out.append((key, *found.get(key, (0, 0.0))))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def activity(scope: Scope, today: date) -> Activity:
    pairs = _pairs_in_scope(select(Pairing.id), scope)
    # Sessions, minutes and confirmations per day (a few hundred rows a year, whatever the
    # number of sessions), summed into months here: grouping by the stored day costs the
    # database no function call per session, and one reading gives every total.
    days = db.session.execute(
        select(Meeting.held_on, func.count(), func.sum(Meeting.duration_minutes),
               func.sum(case((Meeting.confirmation == Confirmation.CONFIRMED, 1), else_=0)))
        .where(Meeting.pairing_id.in_(pairs)).group_by(Meeting.held_on)).all()
    months: dict[str, tuple[int, int]] = {}
    sessions = confirmed = 0
    for day, count, minutes, confirmations in days:
        key = f"{day.year:04d}-{day.month:02d}"
        before = months.get(key, (0, 0))
        months[key] = (before[0] + count, before[1] + (minutes or 0))
        sessions += count
        confirmed += confirmations or 0
    rating = db.session.scalar(
        select(func.avg(Feedback.rating)).join(Meeting, Feedback.meeting_id == Meeting.id)
        .where(Meeting.pairing_id.in_(pairs)))
    # Per active pair: its last session (or none), in one grouped subquery.
    last = (select(Meeting.pairing_id, func.max(Meeting.held_on).label("last"))
            .where(Meeting.pairing_id.in_(pairs)).group_by(Meeting.pairing_id).subquery())
    active, met, never, silent = db.session.execute(_pairs_in_scope(
        select(func.count(),
               func.sum(case((last.c.last >= today - timedelta(days=30), 1), else_=0)),
               func.sum(pair_activity.flag(pair_activity.never_met(last.c.last, today))),
               func.sum(pair_activity.flag(pair_activity.silent(
                   last.c.last, today, scope.programme.reminder_interval_days))))
        .outerjoin(last, last.c.pairing_id == Pairing.id)
        .where(Pairing.status == PairingStatus.ACTIVE), scope)).one()
    return Activity(
        # While the programme runs, the months up to this one: a recent silence shows.
        months=_every_month(months, today if scope.programme.status == ProgrammeStatus.RUNNING
                            else None),
        active_pairs=active or 0, met_last_30=met or 0, never_met=never or 0,
        silent=silent or 0, sessions=sessions, confirmed=confirmed,
        rating=round(float(rating), 2) if rating is not None else None)


@dataclass
class Dashboard:
    funnel: Funnel
    region: Breakdown
    country: Breakdown
    language: Breakdown
    gender: Breakdown
    quality: Quality
    activity: Activity


def build(scope: Scope, today: date, locale: str = "en") -> Dashboard:
    rows = accepted(scope)
    return Dashboard(funnel(scope), by_region(scope, rows), by_country(scope, locale, rows=rows),
                     by_language(scope, locale), by_gender(scope, rows), quality(scope),
                     activity(scope, today))
