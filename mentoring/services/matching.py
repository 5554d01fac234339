"""Running the matching engine over a programme: settings, profiles, runs and their diff.

This module is the seam between the database and the pure ``mentoring.matching`` package: it
turns enrolments into the engine's profiles and the engine's result into proposed pairings.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import case, func, insert, select, update
from sqlalchemy.exc import OperationalError

from ..extensions import db
from ..matching import (
    Mentee,
    Mentor,
    Pair,
    Result,
    Rules,
    alternatives,
    gc_paused,
    rematch,
    solve,
)
from ..matching.quotas import QuotaError, QuotasUnmet
from ..models import (
    LIVE_STATUSES,
    Enrolment,
    EnrolmentLanguage,
    EnrolmentStatus,
    EnrolmentTopic,
    ForbiddenPair,
    MatchingRun,
    Pairing,
    PairingStatus,
    Programme,
    ProgrammeStatus,
    Region,
    Role,
    User,
)
from . import Forbidden, Refused, audit, blocking, partners, quotas, wishes
from .scope import Scope

#: The engine's weights, in the order the settings form shows them.
WEIGHTS = ("topics", "language", "wishes", "region", "timezone", "experience")


#: The application form does not ask mentees for wished mentors, so by default that part of
#: the score weighs nothing (otherwise every pair would lose it and top out at 850).
DEFAULT_RULES = {"wishes": 0}


def rules_for(programme: Programme) -> Rules:
    """The programme's matching rules (the defaults above where it set none)."""
    try:
        return Rules.from_dict(programme.matching_rules or DEFAULT_RULES)
    except ValueError:
        return Rules.from_dict(DEFAULT_RULES)


def save_settings(actor, scope: Scope, values: dict, objective: str | None = None) -> Rules:
    """Validate and store the weights and rules a coordinator chose for the programme, and
    what a run puts first (`wishes.OBJECTIVES`; None keeps it)."""
    if scope.is_regional:
        raise Forbidden("regional co-chairs do not set programme-wide rules")
    if objective is not None:
        wishes.check_objective(objective)
    try:
        rules = Rules.from_dict(values)
    except ValueError as error:
        raise Refused(_("These settings are not valid: %(detail)s", detail=str(error))
                           ) from error
    before = {**(scope.programme.matching_rules or {}),
              "objective": scope.programme.matching_objective}
    scope.programme.matching_rules = rules.to_dict()
    if objective is not None:
        scope.programme.matching_objective = objective
    audit.record("matching.settings", actor=actor, programme=scope.programme,
                 target=scope.programme, before=before,
                 after={**rules.to_dict(), "objective": scope.programme.matching_objective})
    return rules


@dataclass
class RegionSupply:
    code: str
    mentees: int = 0
    mentors: int = 0
    capacity: int = 0


def supply_by_region(programme: Programme) -> list[RegionSupply]:
    """Accepted mentees, mentors and mentor places per region (one GROUP BY query)."""
    rows = db.session.execute(
        select(Enrolment.region_id, Enrolment.role, func.count(), func.sum(Enrolment.capacity))
        .where(Enrolment.programme_id == programme.id,
               Enrolment.status == EnrolmentStatus.ACCEPTED)
        .group_by(Enrolment.region_id, Enrolment.role)
    ).all()
    codes = {region.id: region.code for region in programme.regions}
    supply: dict[str, RegionSupply] = {code: RegionSupply(code) for code in codes.values()}
    for region_id, role, count, capacity in rows:
        code = codes.get(region_id, "—")
        entry = supply.setdefault(code, RegionSupply(code))
        if role == Role.MENTEE:
            entry.mentees += count
        else:
            entry.mentors += count
            entry.capacity += int(capacity or 0)
    return list(supply.values())


def applicant_profiles(programme: Programme, only_mentees: Collection[int] | None = None
                       ) -> tuple[list[Mentor], list[Mentee]]:
    """The engine's mentors and mentees for the programme's accepted applicants, in id order
    (with ``only_mentees``, only those of the mentees; every mentor still).

    Four queries of plain columns (applicants, their languages, their ranked topics, the
    mentees' counted wishes): at ten thousand applicants building ORM objects for each would
    take longer than the matching.
    """
    accepted = (Enrolment.programme_id == programme.id) & (
        Enrolment.status == EnrolmentStatus.ACCEPTED)
    if only_mentees is not None:
        accepted &= (Enrolment.role == Role.MENTOR) | Enrolment.id.in_(sorted(only_mentees))
    languages: dict[int, list[str]] = defaultdict(list)
    for enrolment_id, code in db.session.execute(
            select(EnrolmentLanguage.enrolment_id, EnrolmentLanguage.code)
            .join(Enrolment, Enrolment.id == EnrolmentLanguage.enrolment_id).where(accepted)
            .order_by(EnrolmentLanguage.enrolment_id, EnrolmentLanguage.code)):
        languages[enrolment_id].append(code)
    topics: dict[int, list[str]] = defaultdict(list)
    for enrolment_id, topic_id in db.session.execute(
            select(EnrolmentTopic.enrolment_id, EnrolmentTopic.topic_id)
            .join(Enrolment, Enrolment.id == EnrolmentTopic.enrolment_id).where(accepted)
            .order_by(EnrolmentTopic.enrolment_id, EnrolmentTopic.rank, EnrolmentTopic.topic_id)):
        topics[enrolment_id].append(str(topic_id))
    wished = wishes.counted_wishes(programme, accepted)
    mentors: list[Mentor] = []
    mentees: list[Mentee] = []
    for row in db.session.execute(
            select(Enrolment.id, Enrolment.user_id, Enrolment.role, Region.code, User.name,
                   Enrolment.years_experience, Enrolment.timezone, Enrolment.organisation,
                   Enrolment.capacity, Enrolment.gender, Enrolment.region_preference,
                   Enrolment.wants_woman_mentor)
            .join(User, User.id == Enrolment.user_id)
            .outerjoin(Region, Region.id == Enrolment.region_id)
            .where(accepted).order_by(Enrolment.id)):
        profile = _profile(row, row.code, row.name, languages.get(row.id, ()),
                           topics.get(row.id, ()), wished.get(row.id, ()))
        (mentors if row.role == Role.MENTOR else mentees).append(profile)
    return mentors, mentees


def to_profile(enrolment: Enrolment) -> Mentor | Mentee:
    """The engine's view of one application. Topics go in as their ids (``str(topic.id)``),
    so renaming a topic changes no match (explanations show the current labels); ``person`` is
    the applicant, so someone who applied in both roles is never paired with herself."""
    return _profile(enrolment, enrolment.region.code if enrolment.region else None,
                    enrolment.user.name, enrolment.language_codes,
                    [str(link.topic_id) for link in enrolment.topics],
                    wishes.profile_wishes(enrolment) if enrolment.role == Role.MENTEE else ())


def _profile(enrolment, region: str | None, name: str, languages, topics,
             wished=()) -> Mentor | Mentee:
    """A profile from an enrolment or a row with the same names (see :func:`to_profile`)."""
    common = dict(
        id=enrolment.id, person=enrolment.user_id, languages=tuple(languages),
        region=region or "", years_experience=enrolment.years_experience,
        timezone=enrolment.timezone, organisation=enrolment.organisation, name=name,
        gender=enrolment.gender.value if enrolment.gender else "",
    )
    if enrolment.role == Role.MENTOR:
        return Mentor(expertise=tuple(topics), capacity=enrolment.capacity or 0, **common)
    return Mentee(topics=tuple(topics), region_preference=enrolment.region_preference.value,
                  wants_woman_mentor=enrolment.wants_woman_mentor,
                  preferred_mentors=tuple(wished), **common)


def latest_run(programme: Programme) -> MatchingRun | None:
    return db.session.scalar(
        select(MatchingRun).where(MatchingRun.programme_id == programme.id)
        .order_by(MatchingRun.id.desc()).limit(1))


def forbidden_pairs(programme: Programme) -> list[tuple[int, int]]:
    return [(row.mentee_id, row.mentor_id) for row in db.session.execute(
        select(ForbiddenPair.mentee_id, ForbiddenPair.mentor_id)
        .where(ForbiddenPair.programme_id == programme.id))]


def check_can_run(scope: Scope, *, fair: bool = False) -> None:
    """Refuse a run the programme is not ready for: a regional co-chair's (Forbidden), outside
    status "matching", without an accepted mentor and mentee, or fair mode with "wishes
    first" (Refused)."""
    programme = scope.programme
    if scope.is_regional:
        raise Forbidden("a regional co-chair cannot run matching for the programme")
    wishes.check_objective(programme.matching_objective, fair=fair)
    if programme.status != ProgrammeStatus.MATCHING:
        raise Refused(_("Matching runs only while the programme is in status \"matching\"."))
    roles = set(db.session.scalars(
        select(Enrolment.role).distinct().where(Enrolment.programme_id == programme.id,
                                                Enrolment.status == EnrolmentStatus.ACCEPTED)))
    if not {Role.MENTOR, Role.MENTEE} <= roles:
        raise Refused(_("Accept at least one mentor and one mentee before matching."))


def run_in_progress_message() -> str:
    """What a coordinator is told when she asks for a second run while one is going on."""
    return _("Another matching run for this programme is in progress. Wait a moment, then "
             "look at its proposals.")


def run(actor, scope: Scope, *, fair: bool = False, stable: bool = False) -> MatchingRun:
    """Match the accepted applicants and write the proposals, all in the caller's transaction.

    Approved, active and locked pairs are kept and use up their mentor's places; rejected and
    forbidden pairs are never proposed. Earlier proposals that were neither approved nor locked
    are marked superseded. The programme's quotas are met (`services.quotas`), or nothing is
    written; with ``stable`` the stable matching is proposed, and the optimum's figures kept
    beside it.
    """
    programme = scope.programme
    check_can_run(scope, fair=fair)
    quotas.check_options(programme, fair=fair, stable=stable)
    one_run_at_a_time(programme)
    # Tens of thousands of small rows and records, none in a cycle: collections of them
    # would walk everything the process holds, again and again.
    with gc_paused():
        return _run(actor, programme, fair, stable)


def _run(actor, programme: Programme, fair: bool, stable: bool = False) -> MatchingRun:
    started = time.perf_counter()
    rules = rules_for(programme)
    mentors, mentees = applicant_profiles(programme)
    kept = db.session.execute(
        select(Pairing.id, Pairing.mentee_id, Pairing.mentor_id).where(
            Pairing.programme_id == programme.id,
            (Pairing.status.in_([PairingStatus.APPROVED, PairingStatus.ACTIVE]))
            | ((Pairing.status == PairingStatus.PROPOSED) & Pairing.locked),
        ).order_by(Pairing.id)
    ).all()
    # Who did not ask to be matched again after her pair ended is not proposed (unless she
    # has a kept pair since).
    not_again = partners.not_again(programme) - {p.mentee_id for p in kept}
    left_out = {mentee.id for mentee in mentees} & not_again
    mentees = [mentee for mentee in mentees if mentee.id not in left_out]
    if not mentors or not mentees:
        raise Refused(_("Accept at least one mentor and one mentee before matching."))
    accepted = {profile.id for profile in mentors} | {profile.id for profile in mentees}
    locked = [(p.mentee_id, p.mentor_id) for p in kept
              if p.mentee_id in accepted and p.mentor_id in accepted]
    previous = latest_run(programme)
    before = _assignment(programme, previous)

    kept_pairs = set(locked)
    coordinators = {pair for pair in forbidden_pairs(programme) if pair not in kept_pairs}
    earlier = partners.earlier_pairs(programme, mentors, mentees) - kept_pairs
    forbidden = sorted(coordinators | earlier)
    objective = programme.matching_objective
    try:
        result = solve(mentors, mentees, rules, locked=locked, forbidden=forbidden, fair=fair,
                       stable=stable, objective=objective,
                       quota_rules=quotas.engine_rules(programme))
    except (QuotaError, QuotasUnmet) as error:
        raise quotas.run_refusal(programme, error) from error
    except ValueError as error:
        if objective != "wishes":
            raise
        # The rank-maximal solve has a size limit (matching.wishes): say so, do not crash.
        raise Refused(_("\"Wishes first\" cannot match a cohort this large: choose \"Best total "
                        "score\" and give wishes a weight instead.")) from error
    optimum = solve(mentors, mentees, rules, locked=locked, forbidden=forbidden) if stable \
        else None
    best_others = alternatives(result)
    notes, reasons = partners.explain(result, earlier, coordinators, best_others)

    db.session.execute(
        update(Pairing)
        .where(Pairing.programme_id == programme.id, Pairing.status == PairingStatus.PROPOSED,
               Pairing.locked.is_(False))
        .values(status=PairingStatus.SUPERSEDED)
    )
    matching_run = MatchingRun(programme_id=programme.id, run_by_id=actor.id,
                               settings={"rules": rules.to_dict(), "fair": fair,
                                         "stable": stable, "objective": objective})
    db.session.add(matching_run)
    db.session.flush()
    kept_ids = {(p.mentee_id, p.mentor_id): p.id for p in kept}
    relabelled, new_rows = [], []
    for pair in result.pairs:
        change, previous_mentor = _change(before.get(pair.mentee_id), pair.mentor_id)
        if (pair.mentee_id, pair.mentor_id) in kept_pairs:
            # A kept pair is not rewritten, but its label says what this run did with it.
            relabelled.append({"id": kept_ids[(pair.mentee_id, pair.mentor_id)],
                               "change": change, "previous_mentor_id": previous_mentor})
            continue
        new_rows.append({
            "change": change, "previous_mentor_id": previous_mentor,
            "programme_id": programme.id, "run_id": matching_run.id,
            **proposal_columns(pair, notes, best_others),
        })
    # Thousands of proposals: one executemany INSERT of plain rows on the table (no ORM
    # objects, no RETURNING; the other columns take their defaults).
    if relabelled:
        db.session.execute(update(Pairing), relabelled)
    if new_rows:
        db.session.execute(insert(Pairing.__table__), new_rows)
    after = {pair.mentee_id: pair.mentor_id for pair in result.pairs}
    matching_run.unmatched = unmatched_records(result, reasons, best_others)
    matching_run.diff = diff(before, after)
    summary = result.summary
    matching_run.summary = {
        "matched": summary.matched, "unmatched": summary.unmatched, "total": summary.total,
        "lowest": summary.lowest, "mean": summary.mean, "method": result.method,
        "mentees": len(mentees), "mentors": len(mentors), "blocking": summary.blocking,
        "not_again": len(left_out),
        **quotas.run_summary(programme, result), **wishes.summary_part(mentees, summary),
    }
    if optimum is not None:
        o = optimum.summary
        matching_run.summary["optimum"] = {"matched": o.matched, "total": o.total,
                                           "lowest": o.lowest, "blocking": o.blocking}
    db.session.flush()
    blocking.store(matching_run, result, mentors)
    matching_run.duration_ms = round((time.perf_counter() - started) * 1000)
    audit.record("matching.run", actor=actor, programme=programme, target=matching_run,
                 after={**matching_run.summary, "diff": matching_run.diff, "fair": fair})
    return matching_run


def proposal_columns(pair: Pair, notes: dict[int, dict], best_others: dict,
                     *parts: dict) -> dict:
    """The columns of a proposal for an engine's pair, as every run writes them: score, the
    explanation with the earlier partners left out (``notes``, `partners.explain`) and
    ``parts`` added, the broken rules, and the closest alternatives (``best_others``)."""
    return {"mentee_id": pair.mentee_id, "mentor_id": pair.mentor_id,
            "status": PairingStatus.PROPOSED, "score": pair.score,
            "parts": [*pair.parts, *partners.note(notes, pair.mentee_id), *parts],
            "broken": list(pair.broken),
            "alternatives": [_alternative(alt) for alt in best_others.get(pair.mentee_id, [])]}


def unmatched_records(result: Result, reasons: dict[int, dict], best_others: dict
                      ) -> list[dict]:
    """A run's records of the mentees the engine left without a mentor: the reason, its
    parameters with what the earlier partners changed (``reasons``, `partners.explain`), and
    the closest mentors (``best_others``)."""
    return [{"mentee": item.mentee_id, "reason": item.reason,
             "params": {**item.params, **reasons.get(item.mentee_id, {})},
             "alternatives": [_alternative(alt) for alt in best_others.get(item.mentee_id, [])]}
            for item in result.unmatched]


@dataclass
class LocalSolve:
    """What a local re-solve found (:func:`solve_locally`): the profiles it matched, the
    engine's result, the earlier partners it left out, and what to write of each pair."""

    mentors: list[Mentor]
    #: The mentees it matched: those asked for, still accepted, holding no place.
    mentees: list[Mentee]
    result: Result
    earlier: set[tuple[int, int]]
    best_others: dict
    notes: dict[int, dict]
    reasons: dict[int, dict]

    def proposal(self, pair: Pair, *parts: dict) -> dict:
        """:func:`proposal_columns` for one of the result's pairs."""
        return proposal_columns(pair, self.notes, self.best_others, *parts)

    def unmatched(self) -> list[dict]:
        """:func:`unmatched_records` of the result."""
        return unmatched_records(self.result, self.reasons, self.best_others)


def held_places(programme: Programme, capacity: Mapping[int, int]
                ) -> tuple[set[int], list[int]]:
    """The mentees who have a live pair or an open proposal, and the mentor of each place
    such a pair holds (once a place), given the accepted mentors' ``capacity``.

    Live pairs hold their places first, then open proposals in id order; a pair whose mentee
    or mentor is no longer accepted, or a proposal beside its mentee's live pair or beyond
    its mentor's places (she was paired by hand since), holds nothing.
    """
    taken: set[int] = set()
    holding: set[int] = set()
    held: dict[int, int] = defaultdict(int)
    places: list[int] = []
    for mentee_id, mentor_id, status, accepted in db.session.execute(
            select(Pairing.mentee_id, Pairing.mentor_id, Pairing.status,
                   Enrolment.status == EnrolmentStatus.ACCEPTED)
            .join(Enrolment, Enrolment.id == Pairing.mentee_id)
            .where(Pairing.programme_id == programme.id,
                   Pairing.status.in_([*LIVE_STATUSES, PairingStatus.PROPOSED]))
            .order_by(case((Pairing.status == PairingStatus.PROPOSED, 1), else_=0),
                      Pairing.id)):
        taken.add(mentee_id)
        if accepted and mentor_id in capacity and mentee_id not in holding and (
                status != PairingStatus.PROPOSED or held[mentor_id] < capacity[mentor_id]):
            holding.add(mentee_id)
            held[mentor_id] += 1
            places.append(mentor_id)
    return taken, places


def solve_locally(programme: Programme, mentee_ids: Collection[int], *,
                  priority: Mapping[int, int] | None = None) -> LocalSolve:
    """Match only ``mentee_ids`` without moving any other pair: a local re-solve.

    Every live pair and open proposal keeps its mentee and its place (:func:`held_places`);
    the mentees asked for who are still accepted and hold none are matched on the places
    left (the engine's ``rematch``), never with a pair a coordinator or a declining mentor
    forbade, nor with an earlier partner (``partners``: the programme's own, and earlier
    cycles' when it asks for new partners only). ``priority`` (mentee -> days waited) puts
    those waiting longest first. Reads only; the caller writes what it keeps.
    """
    rules = rules_for(programme)
    mentors, asked = applicant_profiles(programme, only_mentees=mentee_ids)
    taken, places = held_places(programme, {mentor.id: mentor.capacity for mentor in mentors})
    mentees = [mentee for mentee in asked if mentee.id not in taken]
    ids = {mentee.id for mentee in mentees}
    coordinators = {pair for pair in forbidden_pairs(programme) if pair[0] in ids}
    earlier = partners.earlier_pairs(programme, mentors, mentees)
    result = rematch(mentors, mentees, rules, taken=places,
                     forbidden=sorted(coordinators | earlier),
                     priority={m: days for m, days in (priority or {}).items() if m in ids})
    best_others = alternatives(result)
    notes, reasons = partners.explain(result, earlier, coordinators, best_others)
    return LocalSolve(mentors, mentees, result, earlier, best_others, notes, reasons)


def match_again(actor, programme: Programme, mentee_ids, *, source: str,
                previous: dict[int, int] | None = None) -> tuple[list[Pairing], list[dict]]:
    """Propose a mentor for a few mentees without changing any other pair (see
    :func:`solve_locally`).

    Each new proposal is written like a run's (score, explanation, alternatives), with
    ``source`` and, from ``previous`` (mentee -> mentor), the mentor she had before; it needs
    a coordinator's approval like any proposal. Returns the new proposals and, for mentees
    left without one, the run's unmatched records (reason and closest mentors).
    """
    local = solve_locally(programme, mentee_ids)
    if not local.mentees or not local.mentors:
        return [], []
    previous = previous or {}
    proposals = []
    for pair in local.result.pairs:
        proposal = Pairing(programme_id=programme.id, source=source,
                           previous_mentor_id=previous.get(pair.mentee_id),
                           **local.proposal(pair))
        db.session.add(proposal)
        proposals.append(proposal)
    db.session.flush()
    unmatched = local.unmatched()
    audit.record("matching.again", actor=actor, programme=programme, after={
        "mentees": sorted(mentee.id for mentee in local.mentees), "source": source,
        "proposed": [[p.mentee_id, p.mentor_id, p.score] for p in proposals],
        "unmatched": [item["mentee"] for item in unmatched]})
    return proposals, unmatched


def _change(earlier: int | None, mentor: int) -> tuple[str, int | None]:
    """A pair against the mentee's mentor before the run: its label and the previous mentor."""
    if earlier is None:
        return "new", None
    if earlier == mentor:
        return "kept", None
    return "changed", earlier


def one_run_at_a_time(programme: Programme) -> None:
    """Hold the programme's row until the run commits; a second run meanwhile is refused at
    once (PostgreSQL's NOWAIT; SQLite lets one writer in at a time anyway)."""
    try:
        with db.session.begin_nested():
            db.session.execute(select(Programme.id).where(Programme.id == programme.id)
                               .with_for_update(nowait=True))
    except OperationalError as error:
        raise Refused(run_in_progress_message()) from error


def _alternative(alt) -> dict:
    return {"mentor": alt.mentor_id, "score": alt.score, "allowed": alt.allowed,
            "broken": list(alt.broken), "full": alt.full, "lacked": list(alt.lacked)}


def _assignment(programme: Programme, run_: MatchingRun | None) -> dict[int, int]:
    """Mentee -> mentor as things stand before a run: the given run's proposals plus the kept
    pairs (approved, active or locked, including those made by hand before any run)."""
    kept = Pairing.status.in_([PairingStatus.APPROVED, PairingStatus.ACTIVE]) | Pairing.locked
    rows = db.session.execute(
        select(Pairing.mentee_id, Pairing.mentor_id).where(
            Pairing.programme_id == programme.id,
            kept if run_ is None else (Pairing.run_id == run_.id) | kept,
        ).order_by(Pairing.id)
    ).all()
    return {mentee: mentor for mentee, mentor in rows}


def diff(before: dict[int, int], after: dict[int, int]) -> dict[str, int]:
    """How a run changed the assignment: new, kept, changed and dropped mentees."""
    counts: dict[str, int] = defaultdict(int)
    for mentee, mentor in after.items():
        if mentee not in before:
            counts["new"] += 1
        elif before[mentee] == mentor:
            counts["kept"] += 1
        else:
            counts["changed"] += 1
    counts["dropped"] = sum(1 for mentee in before if mentee not in after)
    return {key: counts.get(key, 0) for key in ("new", "kept", "changed", "dropped")}
