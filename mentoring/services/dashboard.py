"""The programme dashboard's figures, each from one aggregate (GROUP BY) query.

Every function takes a Scope; a regional co-chair's dashboard calls each twice (her region,
then the whole programme), so the number of queries never grows with the data.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import case, distinct, func, or_, select, true
from sqlalchemy.orm import aliased

from ..data import country_name, language_name
from ..extensions import db
from ..gender import STATISTICS_GROUPS, statistics_group
from ..models import Activity as GroupActivity
from ..models import (
    Circle,
    CircleMeeting,
    CircleMember,
    CircleStatus,
    Confirmation,
    Enrolment,
    EnrolmentLanguage,
    EnrolmentStatus,
    Feedback,
    Meeting,
    Pairing,
    PairingStatus,
    ProgrammeStatus,
    Registration,
    RegistrationStatus,
    Role,
)
from . import activity as pair_activity
from . import circle_scope as circle_rules
from . import revision_cache
from .scope import Scope

# ---- small-count suppression: the one rule ---------------------------------------------
#
# Figures by gender or by country (page, report and CSV) never let a count from 1 to 4 be
# read, directly or by arithmetic:
# 1. A count from 1 to SUPPRESS_BELOW - 1 is shown as "fewer than 5" (SMALL).
# 2. Complementary suppression: the cells of a breakdown add up to totals that are shown (a
#    label's mentees and mentors to its total in the chart; a role's cells to its accepted
#    count in the headline; the totals to everyone). Wherever a small count could be worked
#    out from what is shown (one subtraction, or several together: checked exactly, see
#    `_worked_out`), more cells are hidden (HIDDEN, "not shown"): the one that stops
#    the most small counts from being worked out, else the smallest count of the row or column
#    that gave it away; parts before totals, so the charts keep their bars. Zeros are shown;
#    a zero can be hidden as a complement.
# 3. A share (women among mentors) is shown only if its numerator and its denominator minus
#    its numerator are both 0 or at least 5, and its numerator is shown: the share and the
#    headline would otherwise give a hidden count back. A shown share also tells its
#    denominator, so with the headline how many did not give a gender: that count must be
#    0 or at least 5 as well, and stays shown.
# Cells nobody can name ("other countries", grouped) are shown as rule 1 says, but need no
# protection of their own. Counts by region and language are not suppressed.

#: Counts from 1 to this minus 1 are hidden.
SUPPRESS_BELOW = 5
#: Why a count is hidden: a small count ("fewer than 5"), or a complement ("not shown").
SMALL, HIDDEN = "small", "hidden"
#: The line of a breakdown that groups the countries that are not shown one by one.
OTHER = "*other countries*"
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


def is_small(count: int) -> bool:
    return 0 < count < SUPPRESS_BELOW


Key = Hashable
#: Cells that add up: (parts, total), the total a cell key or None when it is shown elsewhere.
Sum = tuple[list[Key], Key | None]


NOWHERE = -1


def _ends(sums: list[Sum]) -> dict[Key, tuple[int, int]]:
    """Each cell as an edge between the (at most two) sums it is in: its row's and its
    column's, or a sum and NOWHERE for a cell in one sum only."""
    sums_of: dict[Key, list[int]] = defaultdict(list)
    for number, (parts, total) in enumerate(sums):
        for key in (*parts, *([] if total is None else [total])):
            sums_of[key].append(number)
    if any(len(ends) > 2 for ends in sums_of.values()):
        raise ValueError("a cell is in more than two sums")
    return {key: (ends[0], ends[1] if len(ends) == 2 else NOWHERE)
            for key, ends in sums_of.items()}


def _graph(keys: Iterable[Key], ends: dict[Key, tuple[int, int]]):
    around: dict[int, list[tuple[Key, int]]] = defaultdict(list)  # node -> (cell, node)
    for key in keys:
        if key in ends:  # a cell in no sum tells nothing
            one, other = ends[key]
            around[one].append((key, other))
            around[other].append((key, one))
    return around


def _worked_out(hidden: Iterable[Key], ends: dict[Key, tuple[int, int]]) -> set[Key]:
    """The hidden cells whose value follows from the shown ones and the sums.

    The sums form a bipartite graph (rows on one side, columns on the other) whose edges are
    the hidden cells. Their values can move together around a cycle (+1, -1, +1, ...)
    without changing any sum, and only around one: a hidden cell can be worked out exactly
    when its edge lies on no cycle, that is when it is a bridge (Tarjan)."""
    around = _graph(hidden, ends)
    order: dict[int, int] = {}
    low: dict[int, int] = {}
    bridges: set[Key] = set()

    def visit(node: int, through: Key | None) -> None:
        order[node] = low[node] = len(order)
        for key, nxt in around[node]:
            if key == through:
                continue
            if nxt in order:
                low[node] = min(low[node], order[nxt])
            else:
                visit(nxt, key)
                low[node] = min(low[node], low[nxt])
                if low[nxt] > order[node]:
                    bridges.add(key)

    for node in list(around):
        if node not in order:
            visit(node, None)
    return bridges


def _reach(around, start: int, without: Key) -> set[int]:
    seen, todo = {start}, [start]
    while todo:
        for key, nxt in around[todo.pop()]:
            if key != without and nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def protect(cells: dict[Key, int], sums: list[Sum], anonymous: Iterable[Key] = (),
            shown: Iterable[Key] = ()) -> dict[Key, str]:
    """Which cells to hide, and why (SMALL or HIDDEN): rules 1 and 2 above.

    ``cells`` in their display order; ``sums`` the ways they add up (a cell in two at most:
    its row and its column); ``anonymous`` cells are hidden when small but need no
    protection; ``shown`` cells are published elsewhere, so hiding them would not help."""
    anonymous, published = set(anonymous), set(shown)
    ends = _ends(sums)
    hidden = {key: SMALL for key, count in cells.items() if is_small(count)}
    sensitive = {key for key in hidden if key not in anonymous}
    # What the published totals give away whatever is hidden cannot be helped.
    forced = _worked_out(cells, ends) & sensitive

    def preference(key):  # parts before totals, then the smallest count, then the order
        return (any(total == key for _, total in sums), cells[key])

    while found := (_worked_out(hidden, ends) & sensitive) - forced:
        shown = sorted((key for key in cells if key not in hidden and key not in published),
                       key=preference)
        if not shown:
            break
        # A cell that joins the two sides of an exposed one puts it on a cycle: hide the one
        # that does so for the most exposed cells (ties by preference).
        around = _graph(hidden, ends)
        helps = dict.fromkeys(shown, 0)
        for cell in found:
            one = _reach(around, ends[cell][0], cell)
            other = _reach(around, ends[cell][1], cell)
            for key in shown:
                a, b = ends.get(key, (None, None))
                helps[key] += (a in one and b in other) or (a in other and b in one)
        best = max(shown, key=helps.get)  # the first of the most helpful
        if not helps[best]:
            # No one cell helps: hide the smallest non-zero part of the row or column that
            # gives the first small count away by subtraction (or of any of its sums).
            first = next(key for key in cells if key in found)
            mine = [s for s in sums if first in s[0] or s[1] == first]
            alone = [s for s in mine
                     if all(k not in hidden or k == first for k in [*s[0], s[1]])]
            near = {k for parts, total in (alone[:1] or mine) for k in [*parts, total]}
            candidates = [key for key in shown if key in near] or shown
            best = min(candidates, key=lambda key: (cells[key] == 0, *preference(key)))
        hidden[best] = HIDDEN
    return hidden


@dataclass
class Breakdown:
    """Counts per label and role, in a fixed label order; for breakdowns that need it, which
    counts are hidden (``protect``)."""

    title: str
    labels: list[str]
    counts: dict[str, dict[str, int]]  # label -> role -> count
    suppress: bool = False
    #: (label, role or "total") -> SMALL or HIDDEN
    hidden: dict[tuple[str, str], str] = field(default_factory=dict)
    #: How many countries the OTHER line groups.
    grouped: int = 0
    #: role -> women's share in percent, None without anyone, or HIDDEN (rule 3).
    shares: dict[str, float | None | str] = field(default_factory=dict)

    def total(self, label: str) -> int:
        return sum(self.counts.get(label, {}).values())

    def figure(self, label: str, role: str = "total") -> int | None | str:
        """A count as it may be shown: the number, None for "fewer than 5", or HIDDEN."""
        count = (self.total(label) if role == "total"
                 else self.counts.get(label, {}).get(role, 0))
        why = self.hidden.get((label, role))
        return count if why is None else None if why == SMALL else HIDDEN

    def chart_rows(self) -> list[tuple[str, int | None | str]]:
        """(label, total) of the labels whose total can be shown."""
        return [(label, self.figure(label)) for label in self.labels
                if isinstance(self.figure(label), int)]

    @property
    def not_shown(self) -> int:
        """Countries (or labels) whose count is left out of the chart."""
        out = sum(1 for label in self.labels
                  if label != OTHER and not isinstance(self.figure(label), int))
        if OTHER in self.labels and not isinstance(self.figure(OTHER), int):
            out += self.grouped
        return out


ROLES = ("mentee", "mentor")


def label(breakdown: Breakdown, key: str) -> str:
    """A breakdown's label in the reader's words (the OTHER line, gender groups)."""
    if key == OTHER:
        return ngettext("other country (%(num)d)", "other countries (%(num)d)",
                        breakdown.grouped)
    if breakdown.title == "gender":
        return gender_label(key)
    return key


def gender_label(group: str) -> str:
    """A gender group (`gender.STATISTICS_GROUPS`) in the reader's words."""
    return {"women": _("women"), "men": _("men"), "other": _("other"),
            "not given": _("not given")}.get(group, group)


def _protect_breakdown(breakdown: Breakdown, shown: Iterable[tuple[str, str]] = (),
                       anonymous: Iterable[str] = ()) -> None:
    """Rule 2 over a breakdown's table of labels x (mentee, mentor, total)."""
    labels = breakdown.labels
    cells = {}
    for label in labels:
        for role in ROLES:
            cells[(label, role)] = breakdown.counts.get(label, {}).get(role, 0)
        cells[(label, "total")] = breakdown.total(label)
    sums: list[Sum] = [([(label, role) for role in ROLES], (label, "total")) for label in labels]
    sums += [([(label, role) for label in labels], None) for role in (*ROLES, "total")]
    breakdown.hidden = protect(cells, sums, [(label, role) for label in anonymous
                                             for role in (*ROLES, "total")], shown)


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
    """The ``top`` countries whose count can be shown, most first; every other country
    counts in one OTHER line (``grouped`` says how many)."""
    counts = _summed(accepted(scope) if rows is None else rows, 1)
    ranked = sorted((code for code in counts if not is_small(sum(counts[code].values()))),
                    key=lambda c: (-sum(counts[c].values()), c))[:top]
    named = {country_name(code, locale): dict(counts[code]) for code in ranked}
    rest = [code for code in counts if code not in ranked]
    if rest:
        named[OTHER] = {role: sum(counts[code].get(role, 0) for code in rest)
                        for role in ROLES}
    breakdown = Breakdown("country", list(named), named, suppress=True, grouped=len(rest))
    _protect_breakdown(breakdown, anonymous=[OTHER])
    return breakdown


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
    # Every group takes part in the sums (a group nobody is in is a shown 0); a group shows
    # if someone is in it or one of its cells is hidden.
    breakdown = Breakdown("gender", list(STATISTICS_GROUPS), counts, suppress=True)
    # A shown share tells its denominator, hence (with the headline) how many did not give
    # a gender: that count stays shown.
    candidates = [role for role in ROLES if _share_may_show(breakdown, role)]
    _protect_breakdown(breakdown, shown=[("not given", role) for role in candidates])
    breakdown.labels = [label for label in STATISTICS_GROUPS if label in counts
                        or any((label, role) in breakdown.hidden for role in ROLES)]
    breakdown.shares = {
        role: (HIDDEN if role in candidates and ("women", role) in breakdown.hidden
               else women_share(breakdown, role) if role in candidates
               else None if women_share(breakdown, role) is None else HIDDEN)
        for role in ROLES}
    return breakdown


#: The gender groups whose people "gave a gender": the denominator of the women's share.
GAVE_A_GENDER = ("women", "men", "other")


def _share_parts(gender: Breakdown, role: str) -> tuple[int, int]:
    women = gender.counts.get("women", {}).get(role, 0)
    given = sum(gender.counts.get(label, {}).get(role, 0) for label in GAVE_A_GENDER)
    return women, given


def share_may_show(women: int, given: int, not_given: int) -> bool:
    """Rule 3: a women's share among ``given`` people (who gave a gender) may be shown when
    someone gave one and none of women, the others, and those who did not give a gender
    (told by the share with the total beside it) is a count from 1 to 4."""
    return (bool(given) and not is_small(women) and not is_small(given - women)
            and not is_small(not_given))


def _share_may_show(gender: Breakdown, role: str) -> bool:
    women, given = _share_parts(gender, role)
    return share_may_show(women, given, gender.counts.get("not given", {}).get(role, 0))


def women_share(gender: Breakdown, role: str) -> float | None:
    """Women among the people of a role who gave a gender, in percent, unsuppressed (the
    site admin's overview); pages for coordinators show ``shown_women_share``."""
    return share_percent(*_share_parts(gender, role))


def share_percent(women: int, given: int) -> float | None:
    """Women among those who gave a gender, in percent to one decimal (None without any)."""
    return round(100 * women / given, 1) if given else None


def shown_women_share(gender: Breakdown, role: str) -> float | None | str:
    """The women's share as a coordinator may see it: the percentage, None if nobody of
    the role gave a gender, or HIDDEN (rule 3)."""
    return gender.shares[role]


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
    # The ratings on their own: joined to the sessions above, they cost twice as much.
    points, ratings = db.session.execute(
        select(func.sum(Feedback.rating), func.count(Feedback.rating))
        .join(Meeting, Meeting.id == Feedback.meeting_id)
        .where(Meeting.pairing_id.in_(pairs))).one()
    points = int(points or 0)  # PostgreSQL sums as a decimal
    # Per active pair its last session (or none): one step down the index on (pairing,
    # day) each, instead of grouping every session of the programme. OFFSET 0 keeps the
    # subquery whole, so that PostgreSQL takes that step once a pair and not once for each
    # of the counts below that read it.
    last = (select(func.max(Meeting.held_on)).where(Meeting.pairing_id == Pairing.id)
            .correlate(Pairing).scalar_subquery())
    pair = _pairs_in_scope(
        select(Pairing.status, Pairing.announced_at, Pairing.created_at, last.label("last"))
        .where(Pairing.status == PairingStatus.ACTIVE), scope).offset(0).subquery()
    active, met, never, silent = db.session.execute(
        select(func.count(),
               func.sum(case((pair.c.last >= today - timedelta(days=30), 1), else_=0)),
               func.sum(pair_activity.flag(pair_activity.never_met(pair.c.last, today, pair.c))),
               func.sum(pair_activity.flag(pair_activity.silent(
                   pair.c.last, today, scope.programme.reminder_interval_days, pair.c))))
        .select_from(pair)).one()
    return Activity(
        # While the programme runs, the months up to this one: a recent silence shows.
        months=_every_month(months, today if scope.programme.status == ProgrammeStatus.RUNNING
                            else None),
        active_pairs=active or 0, met_last_30=met or 0, never_met=never or 0,
        silent=silent or 0, sessions=sessions, confirmed=confirmed,
        rating=round(points / ratings, 2) if ratings else None)


# ---- group activities: registrations, attendance and feedback -------------------------

#: How a registration ended: came, did not come, not recorded (they add up to registered).
ATTENDANCE = ("came", "absent", "unknown")


@dataclass
class Attendance:
    """Registrations (places taken, not the waiting list), attendance and feedback of a
    group of them: an activity, a kind, a region or a gender group."""

    registered: int = 0
    came: int = 0
    absent: int = 0
    rated: int = 0
    rating_sum: int = 0

    def add(self, other: Attendance) -> None:
        self.registered += other.registered
        self.came += other.came
        self.absent += other.absent
        self.rated += other.rated
        self.rating_sum += other.rating_sum

    @property
    def unknown(self) -> int:
        return self.registered - self.came - self.absent

    @property
    def rate(self) -> float | None:
        """Who came among the registrations whose attendance was recorded, in percent."""
        recorded = self.came + self.absent
        return round(100 * self.came / recorded, 1) if recorded else None

    @property
    def mean(self) -> float | None:
        return round(self.rating_sum / self.rated, 2) if self.rated else None


@dataclass
class ActivityRow:
    id: int
    title: str
    kind: str
    day: date  # in the organiser's time zone
    figures: Attendance


@dataclass
class GroupActivities:
    """The activities' figures: per activity (latest first), per kind, per region (not
    suppressed, as the participants by region) and per gender group (suppressed: `protect`
    over the cells (group, came / absent / unknown / total / rated))."""

    activities: list[ActivityRow]
    kinds: dict[str, Attendance]
    regions: dict[str, Attendance]
    genders: dict[str, Attendance]
    total: Attendance
    #: (gender group, "came" / "absent" / "unknown" / "total" / "rated") -> SMALL or HIDDEN
    hidden: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def gender_labels(self) -> list[str]:
        """The gender groups to show: someone is in it, or one of its cells is hidden."""
        return [group for group in STATISTICS_GROUPS if self.genders[group].registered
                or any(key[0] == group for key in self.hidden)]

    def gender_figure(self, group: str, what: str) -> int | float | None | str:
        """A gender group's figure as it may be shown: "registered", "came", "rated" (the
        count, None for "fewer than 5", or HIDDEN), "rate" (shown when both who came and who
        did not are) and "mean" (shown when the number of ratings is, and the other groups'
        ratings are none or at least 5)."""
        figures = self.genders.get(group, Attendance())

        def count(part: str):
            why = self.hidden.get((group, part))
            value = figures.registered if part == "total" else getattr(figures, part)
            return value if why is None else None if why == SMALL else HIDDEN

        if what == "registered":
            return count("total")
        if what == "rate":
            if figures.rate is None:
                return None
            shown = all(isinstance(count(part), int) for part in ("came", "absent"))
            return figures.rate if shown else HIDDEN
        if what == "mean":
            if not figures.rated:
                return None
            # As a share (rule 3): with the kinds' mean, a mean tells the others' sum of
            # ratings, so the others must be 0 or at least 5 too.
            shown = isinstance(count("rated"), int) \
                and not is_small(self.total.rated - figures.rated)
            return figures.mean if shown else HIDDEN
        return count(what)


def _attendance_rows(scope: Scope):
    """Registrations per activity, region and gender answer of the person (her first
    application to the programme, so someone both mentee and mentor counts once): one
    GROUP BY, at most activities x regions x answers rows."""
    first = (select(Enrolment.user_id, func.min(Enrolment.id).label("id"))
             .where(Enrolment.programme_id == scope.programme.id)
             .group_by(Enrolment.user_id).subquery())
    person = aliased(Enrolment)
    query = (select(Registration.activity_id, person.region_id, person.gender, func.count(),
                    func.count().filter(Registration.attended.is_(True)),
                    func.count().filter(Registration.attended.is_(False)),
                    func.count(Registration.rating), func.sum(Registration.rating))
             .join(GroupActivity, GroupActivity.id == Registration.activity_id)
             .outerjoin(first, first.c.user_id == Registration.user_id)
             .outerjoin(person, person.id == first.c.id)
             .where(GroupActivity.programme_id == scope.programme.id,
                    Registration.status == RegistrationStatus.REGISTERED)
             .group_by(Registration.activity_id, person.region_id, person.gender))
    if scope.region is not None:
        query = query.where(person.region_id == scope.region.id,
                            GroupActivity.region_id.is_(None)
                            | (GroupActivity.region_id == scope.region.id))
    return db.session.execute(query).all()


def group_activities(scope: Scope, locale: str = "en") -> GroupActivities:
    """Registrations, attendance rate and feedback (mean and count) per activity, kind,
    region and gender group; a co-chair's: her region's people at the activities she sees
    (her region's and the whole programme's)."""
    listed = select(GroupActivity).where(GroupActivity.programme_id == scope.programme.id)
    if scope.region is not None:
        listed = listed.where(GroupActivity.region_id.is_(None)
                              | (GroupActivity.region_id == scope.region.id))
    activities = {a.id: a for a in db.session.scalars(
        listed.order_by(GroupActivity.starts_at.desc(), GroupActivity.id.desc()))}
    per_activity = {key: Attendance() for key in activities}
    regions: dict = defaultdict(Attendance)
    genders: dict = {group: Attendance() for group in STATISTICS_GROUPS}
    total = Attendance()
    for activity_id, region_id, answer, registered, came, absent, rated, rating_sum \
            in _attendance_rows(scope):
        cell = Attendance(registered, came, absent, rated, int(rating_sum or 0))
        for group in (per_activity[activity_id], regions[region_id],
                      genders[statistics_group(answer)], total):
            group.add(cell)
    kinds: dict[str, Attendance] = {}
    rows = []
    for key, activity in activities.items():
        kinds.setdefault(str(activity.kind), Attendance()).add(per_activity[key])
        day = activity.starts_at.astimezone(ZoneInfo(activity.timezone)).date()
        rows.append(ActivityRow(key, activity.display("title", locale), str(activity.kind), day,
                                per_activity[key]))
    out = GroupActivities(
        rows, kinds, {r.code: regions[r.id] for r in scope.programme.regions if r.id in regions},
        genders, total)
    # Rule 2 over the table of gender groups x (came, absent, unknown | total) and the
    # ratings' counts: each column adds up to a total the kinds' table shows.
    cells, sums = {}, []
    for group in STATISTICS_GROUPS:
        figures = genders[group]
        for part in ATTENDANCE:
            cells[(group, part)] = getattr(figures, part)
        cells[(group, "total")] = figures.registered
        sums.append(([(group, part) for part in ATTENDANCE], (group, "total")))
    for group in STATISTICS_GROUPS:
        cells[(group, "rated")] = genders[group].rated
    sums += [([(group, part) for group in STATISTICS_GROUPS], None)
             for part in (*ATTENDANCE, "total", "rated")]
    out.hidden = protect(cells, sums)
    return out


# ---- mentoring circles ------------------------------------------------------------------

@dataclass
class CircleFigures:
    """The circles a coordinator sees (`circles.in_scope`: a co-chair's are the formed ones
    whose every member is of her region): how many are formed and proposed (None for a
    co-chair, who does not see proposals), their members by region (not suppressed, as the
    participants by region) and by gender (rules 1 and 2: `by_gender` over the members), the
    meetings they logged, and the accepted mentees of the scope in no circle."""

    formed: int
    proposed: int | None
    region: Breakdown
    gender: Breakdown
    meetings: int
    minutes: int
    without_circle: int
    #: Members of the formed circles by role ("mentee", "mentor"), each once, whatever
    #: their region (a person of no region is in no region's row).
    by_role: dict[str, int] = field(default_factory=dict)

    def members(self, role: str) -> int:
        return self.by_role.get(role, 0)

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


def _by_role(rows) -> dict[str, int]:
    """Participants' rows (region, country, gender answer, role, count) summed by role."""
    out: dict[str, int] = defaultdict(int)
    for *_where, role, count in rows:
        out[str(role)] += count
    return dict(out)


def circle_figures(scope: Scope) -> CircleFigures:
    """Circles formed and proposed, their members and meetings: four aggregate queries and
    the circles page's count of mentees in no circle."""
    statuses = dict(db.session.execute(circle_rules.in_scope(
        select(Circle.status, func.count()).group_by(Circle.status), scope)).all())
    formed = circle_rules.in_scope(select(Circle.id), scope).where(
        Circle.status == CircleStatus.FORMED)
    # Members as `accepted` gives participants (region, country, gender answer, role, count),
    # so the participants' breakdowns and their suppression apply as they are. A person is in
    # one circle of a programme at most, so members are people.
    members = db.session.execute(
        select(Enrolment.region_id, Enrolment.country, Enrolment.gender, CircleMember.role,
               func.count())
        .join(Enrolment, Enrolment.id == CircleMember.enrolment_id)
        .where(CircleMember.circle_id.in_(formed))
        .group_by(Enrolment.region_id, Enrolment.country, Enrolment.gender,
                  CircleMember.role)).all()
    meetings, minutes = db.session.execute(
        select(func.count(), func.sum(CircleMeeting.duration_minutes))
        .where(CircleMeeting.circle_id.in_(formed))).one()
    return CircleFigures(
        formed=statuses.get(CircleStatus.FORMED, 0),
        proposed=None if scope.is_regional else statuses.get(CircleStatus.PROPOSED, 0),
        region=by_region(scope, members), gender=by_gender(scope, members),
        meetings=meetings, minutes=int(minutes or 0),  # PostgreSQL sums as a decimal
        without_circle=circle_rules.without_circle(scope),
        by_role=_by_role(members))


@dataclass
class Dashboard:
    funnel: Funnel
    region: Breakdown
    country: Breakdown
    language: Breakdown
    gender: Breakdown
    quality: Quality
    activity: Activity
    group_activities: GroupActivities
    circles: CircleFigures


def compute(scope: Scope, today: date, locale: str = "en") -> Dashboard:
    """The figures, freshly computed (one aggregate query each)."""
    return Dashboard(**_without_sessions(scope, locale), activity=activity(scope, today))


def _without_sessions(scope: Scope, locale: str) -> dict:
    """The figures that read no session nor rating (whatever the day)."""
    rows = accepted(scope)
    return {"funnel": funnel(scope), "region": by_region(scope, rows),
            "country": by_country(scope, locale, rows=rows),
            "language": by_language(scope, locale), "gender": by_gender(scope, rows),
            "quality": quality(scope), "group_activities": group_activities(scope, locale),
            "circles": circle_figures(scope)}


def headline(board: Dashboard) -> dict[str, int | float | None | str]:
    """The "at a glance" figures in the page's order, as they may be shown (the women's
    shares under rule 3; None where there is nothing to count): the page's table, the
    report's and their CSV."""
    activity = board.activity
    return {
        "accepted_mentees": board.funnel.rows["mentee"]["accepted"],
        "accepted_mentors": board.funnel.rows["mentor"]["accepted"],
        "active_pairs": activity.active_pairs, "sessions": activity.sessions,
        "met_share": activity.met_share, "never_met": activity.never_met,
        "silent": activity.silent, "confirmation_rate": activity.confirmation_rate,
        "rating": activity.rating, "women_mentees": shown_women_share(board.gender, "mentee"),
        "women_mentors": shown_women_share(board.gender, "mentor"),
    }


# ---- the figures cached under the programme's data revision (`revision_cache`) ----------

#: Figures computed by other code read differently: part of every key.
_CODE = revision_cache.code_of(sys.modules[__name__], pair_activity, circle_rules)


def build(scope: Scope, today: date, locale: str = "en") -> Dashboard:
    """The figures as `compute` gives them, from the cache when the programme's data have not
    changed since they were computed (one query then). A session logged computes the
    sessions' figures again, not the others."""
    found = revision_cache.revision(scope.programme.id)
    others = revision_cache.cached(scope, f"dashboard:{_CODE}",
                                   lambda: _without_sessions(scope, locale), locale, found=found)
    sessions = revision_cache.cached(scope, f"dashboard-sessions:{_CODE}",
                                     lambda: activity(scope, today), today.isoformat(),
                                     sessions=True, found=found)
    return Dashboard(**others, activity=sessions)
