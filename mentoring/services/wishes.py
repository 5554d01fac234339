"""Ranked wishes: mentors who choose to be listed, and the mentors an accepted mentee would like.

A mentor is *listed* when she chose it (`Enrolment.listed`); once accepted, the programme's
accepted mentees see her. A mentee ranks up to `MAX_WISHES` of them while wishes are open:
her application is accepted, the programme is open or in matching, and no matching run has
been made yet (the first run closes wishes, so every run of a cohort reads the same wishes).
A wish *counts* while its mentor is accepted and listed: a mentor who unlists or withdraws
drops out of every wish (the row stays, so the mentee and the coordinators see what she
asked for, marked as no longer counted), and the mentee's counted wishes keep their order,
so her next wish moves up. The engine gets the counted wishes as each mentee's
`preferred_mentors` (`services.matching`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import Select, and_, delete, exists, func, insert, select

from ..extensions import db
from ..models import (
    MAX_WISHES,
    Enrolment,
    EnrolmentLanguage,
    EnrolmentStatus,
    EnrolmentTopic,
    MatchingRun,
    MentorWish,
    Programme,
    ProgrammeStatus,
    Role,
    User,
)
from ..models.aliases import MENTEE, MENTOR
from . import Forbidden, Refused, audit
from .enrolments import field_problem

#: What a matching run may put first (`Programme.matching_objective`).
OBJECTIVES = ("score", "wishes")
#: Programme statuses in which wishes may be open (with no matching run yet).
OPEN_STATUSES = (ProgrammeStatus.OPEN, ProgrammeStatus.MATCHING)


def counts(mentor: Enrolment) -> bool:
    """Whether a wish for this mentor counts (the rule `COUNTED` says in SQL)."""
    return mentor.role == Role.MENTOR and mentor.listed \
        and mentor.status == EnrolmentStatus.ACCEPTED


def _counted(mentor) -> object:
    """`counts` as a SQL condition on an enrolment (or an alias of one)."""
    return and_(mentor.role == Role.MENTOR, mentor.listed.is_(True),
                mentor.status == EnrolmentStatus.ACCEPTED)


# -- mentors -----------------------------------------------------------------------------

def set_listing(user: User, mentor: Enrolment, listed: bool, bio: str) -> None:
    """A mentor chooses whether mentees may see her and ask for her, and her short bio."""
    if mentor.user_id != user.id:
        raise Forbidden("someone else's application")
    if mentor.role != Role.MENTOR:
        raise Refused(_("Only mentors can be listed."))
    if mentor.status == EnrolmentStatus.WITHDRAWN:
        raise Refused(_("This application is withdrawn."))
    problem = field_problem("bio", bio)
    if problem:
        raise Refused(problem, "bio")
    before = {"listed": mentor.listed, "bio": mentor.bio}
    mentor.listed, mentor.bio = bool(listed), bio.strip()
    db.session.flush()
    audit.record("enrolment.listing", actor=user, programme=mentor.programme, target=mentor,
                 before=before, after={"listed": mentor.listed, "bio": mentor.bio})


# -- when mentees may wish ---------------------------------------------------------------

def closed_reason(mentee: Enrolment) -> str | None:
    """Why this mentee cannot choose mentors now (translated), or None while she can."""
    if mentee.role != Role.MENTEE:
        return _("Only mentees choose mentors.")
    if mentee.status != EnrolmentStatus.ACCEPTED:
        return _("You can choose mentors you would like once your application is accepted.")
    if mentee.programme.status not in OPEN_STATUSES or _matching_started(mentee.programme_id):
        return _("Matching has started: your wishes can no longer be changed.")
    return None


def open_ids(enrolments: list[Enrolment]) -> set[int]:
    """The enrolments among these whose wishes are open (one query for the runs)."""
    candidates = [e for e in enrolments if e.role == Role.MENTEE
                  and e.status == EnrolmentStatus.ACCEPTED
                  and e.programme.status in OPEN_STATUSES]
    if not candidates:
        return set()
    started = set(db.session.scalars(
        select(MatchingRun.programme_id).distinct()
        .where(MatchingRun.programme_id.in_({e.programme_id for e in candidates}))))
    return {e.id for e in candidates if e.programme_id not in started}


def _matching_started(programme_id: int) -> bool:
    return db.session.scalar(select(exists().where(MatchingRun.programme_id == programme_id)))


def check_open(user: User, mentee: Enrolment) -> None:
    """Forbidden for someone else's application; Refused while wishes are closed."""
    if mentee.user_id != user.id:
        raise Forbidden("someone else's application")
    reason = closed_reason(mentee)
    if reason:
        raise Refused(reason)


# -- the listed mentors a mentee sees ----------------------------------------------------

@dataclass
class MentorFilters:
    region_id: int | None = None
    topic_id: int | None = None
    language: str = ""


def listed_mentors(mentee: Enrolment, filters: MentorFilters) -> Select:
    """The programme's accepted, listed mentors a mentee may ask for (not herself), by name."""
    query = (select(Enrolment).join(User, User.id == Enrolment.user_id)
             .where(Enrolment.programme_id == mentee.programme_id, _counted(Enrolment),
                    Enrolment.user_id != mentee.user_id))
    if filters.region_id:
        query = query.where(Enrolment.region_id == filters.region_id)
    if filters.topic_id:
        query = query.where(Enrolment.id.in_(select(EnrolmentTopic.enrolment_id).where(
            EnrolmentTopic.topic_id == filters.topic_id)))
    if filters.language:
        query = query.where(Enrolment.id.in_(select(EnrolmentLanguage.enrolment_id).where(
            EnrolmentLanguage.code == filters.language)))
    return query.order_by(User.name, Enrolment.id)


# -- a mentee's wishes -------------------------------------------------------------------

def set_wishes(user: User, mentee: Enrolment, mentor_ids: list[int]) -> None:
    """Replace the mentee's wishes with these mentors, first wish first.

    Refused: more than `MAX_WISHES`, a mentor named twice, one who is not a listed, accepted
    mentor of the programme (or is the mentee herself); wishes closed (see `closed_reason`).
    """
    check_open(user, mentee)
    # Two of her saves at once take turns (PostgreSQL), so the second rewrites the first's
    # rows instead of colliding with them on UNIQUE (mentee, rank).
    db.session.execute(select(Enrolment.id).where(Enrolment.id == mentee.id).with_for_update())
    if len(mentor_ids) > MAX_WISHES:
        raise Refused(ngettext("You can choose at most %(num)d mentor.",
                               "You can choose at most %(num)d mentors.", MAX_WISHES))
    if len(set(mentor_ids)) != len(mentor_ids):
        raise Refused(_("Each mentor can be chosen only once."))
    if mentor_ids:
        found = set(db.session.scalars(select(Enrolment.id).where(
            Enrolment.id.in_(mentor_ids), Enrolment.programme_id == mentee.programme_id,
            Enrolment.user_id != mentee.user_id, _counted(Enrolment))))
        kept = {wish.mentor_id for wish in mentee.wishes}
        if set(mentor_ids) - found - kept:
            raise Refused(_("This mentor is not listed in the programme: choose one from the "
                            "list."))
    before = [wish.mentor_id for wish in mentee.wishes]
    # Rewritten whole: moving ranks in place would break UNIQUE (mentee, rank) midway.
    db.session.execute(delete(MentorWish).where(MentorWish.mentee_id == mentee.id))
    if mentor_ids:
        db.session.execute(insert(MentorWish), [
            {"mentee_id": mentee.id, "mentor_id": mentor_id, "rank": rank}
            for rank, mentor_id in enumerate(mentor_ids, start=1)])
    db.session.flush()
    db.session.expire(mentee, ["wishes"])
    audit.record("enrolment.wishes", actor=user, programme=mentee.programme, target=mentee,
                 before={"wishes": before}, after={"wishes": list(mentor_ids)})


def add_wish(user: User, mentee: Enrolment, mentor_id: int) -> None:
    """Add a mentor as the mentee's next wish."""
    current = [wish.mentor_id for wish in mentee.wishes]
    if mentor_id in current:
        raise Refused(_("This mentor is already among your wishes."))
    set_wishes(user, mentee, current + [mentor_id])


def reordered(current: list[int], ranks: dict[int, int]) -> list[int]:
    """The wishes in the order the mentee gave: ``ranks`` maps each of her mentors to a
    rank from 1 (0 removes it); a mentor missing keeps her place after those ranked."""
    chosen = [(ranks.get(mentor_id, MAX_WISHES + 1), position, mentor_id)
              for position, mentor_id in enumerate(current)
              if ranks.get(mentor_id, 1) != 0]
    given = [rank for rank, _position, _id in chosen if rank <= MAX_WISHES]
    if len(set(given)) != len(given):
        raise Refused(_("Give each mentor a different rank."))
    return [mentor_id for _rank, _position, mentor_id in sorted(chosen)]


# -- what coordinators and the engine read -------------------------------------------------

@dataclass
class Wish:
    rank: int
    mentor_id: int
    name: str
    counts: bool


def wishes_of(mentee_ids: Select) -> dict[int, list[Wish]]:
    """The wishes of the mentees this select of enrolment ids names, by mentee, first wish
    first, with each mentor's name and whether the wish still counts (one query)."""
    mentor = MENTOR
    out: dict[int, list[Wish]] = defaultdict(list)
    for row in db.session.execute(
            select(MentorWish.mentee_id, MentorWish.rank, MentorWish.mentor_id, User.name,
                   _counted(mentor).label("counts"))
            .join(mentor, mentor.id == MentorWish.mentor_id)
            .join(User, User.id == mentor.user_id)
            .where(MentorWish.mentee_id.in_(mentee_ids))
            .order_by(MentorWish.mentee_id, MentorWish.rank)):
        out[row.mentee_id].append(Wish(row.rank, row.mentor_id, row.name, bool(row.counts)))
    return out


def wishes_text(wishes: list[Wish]) -> str:
    """A mentee's wishes on one line (the applications CSV)."""
    return "; ".join(
        _("%(rank)d. %(name)s", rank=wish.rank, name=wish.name) if wish.counts
        else _("%(rank)d. %(name)s (no longer listed)", rank=wish.rank, name=wish.name)
        for wish in wishes)


def counted_wishes(programme: Programme, accepted) -> dict[int, list[int]]:
    """Each accepted mentee's counted wishes, first first: the engine's `preferred_mentors`
    (one query; ``accepted`` is the condition naming the programme's accepted enrolments)."""
    mentor = MENTOR
    out: dict[int, list[int]] = defaultdict(list)
    for mentee_id, mentor_id in db.session.execute(
            select(MentorWish.mentee_id, MentorWish.mentor_id)
            .join(Enrolment, Enrolment.id == MentorWish.mentee_id)
            .join(mentor, mentor.id == MentorWish.mentor_id)
            .where(accepted, _counted(mentor), mentor.programme_id == programme.id)
            .order_by(MentorWish.mentee_id, MentorWish.rank)):
        out[mentee_id].append(mentor_id)
    return out


def profile_wishes(mentee: Enrolment) -> list[int]:
    """`counted_wishes` for one application read alone."""
    return [wish.mentor_id for wish in mentee.wishes
            if counts(wish.mentor) and wish.mentor.programme_id == mentee.programme_id]


def mentees_with_wishes(programme: Programme) -> int:
    """Accepted mentees with at least one counted wish (for the settings page's advice)."""
    mentee, mentor = MENTEE, MENTOR
    return db.session.scalar(
        select(func.count(func.distinct(MentorWish.mentee_id)))
        .join(mentee, mentee.id == MentorWish.mentee_id)
        .join(mentor, mentor.id == MentorWish.mentor_id)
        .where(mentee.programme_id == programme.id,
               mentee.status == EnrolmentStatus.ACCEPTED, _counted(mentor))) or 0


def check_objective(objective: str, *, fair: bool = False) -> None:
    """Refuse an objective the engine does not know, or wishes first with fair mode."""
    if objective not in OBJECTIVES:
        raise Refused(_("Choose what matching puts first."), "objective")
    if objective == "wishes" and fair:
        raise Refused(_("Fair mode cannot be combined with \"Wishes first\": choose one."))


# -- a run's rank profile ----------------------------------------------------------------

def summary_part(mentees: list, summary) -> dict:
    """The rank profile for a run's stored summary: pairs at each wish rank, mentees with
    wishes who got none, and how many had wishes ({} when nobody had any)."""
    wishers = sum(1 for mentee in mentees if mentee.preferred_mentors)
    if not wishers:
        return {}
    return {"wishes": list(summary.wishes), "wishes_none": summary.wishes_none,
            "wishers": wishers}


def profile_text(summary: dict) -> str:
    """"1st wish 312, 2nd 41, none 120" in the reader's language ("" without wishes)."""
    if not summary.get("wishers"):
        return ""
    parts = [ngettext("wish %(rank)d: %(num)d mentee", "wish %(rank)d: %(num)d mentees",
                      count, rank=rank)
             for rank, count in enumerate(summary.get("wishes", []), start=1)]
    parts.append(ngettext("none of her wishes: %(num)d mentee",
                          "none of their wishes: %(num)d mentees",
                          summary.get("wishes_none", 0)))
    return ", ".join(parts)
