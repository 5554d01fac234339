"""What coordinators do with pairs: approve, reject, lock, forbid, pair by hand, swap, announce.

Every action checks the coordinator's scope (a regional co-chair acts on her region's mentees),
locks the two enrolment rows it changes (SELECT ... FOR UPDATE on PostgreSQL), and relies on the
database as the last word: one live pair per mentee (partial unique index) and never more live
pairs than a mentor's capacity (CHECK constraint on ``live_pairs``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer

from ..extensions import db
from ..matching import score_pair
from ..matching._gc import paused
from ..models import (
    Enrolment,
    EnrolmentLanguage,
    EnrolmentStatus,
    EnrolmentTopic,
    ForbiddenPair,
    MatchingRun,
    Pairing,
    PairingStatus,
    ProgrammeStatus,
    Role,
    Topic,
    User,
)
from ..models._types import utcnow
from . import Forbidden, NotFound, Refused, audit, consent, mail
from .links import external_url
from .matching import latest_run, rules_for, to_profile
from .scope import Scope


def _state(pairing: Pairing) -> dict:
    return {"status": str(pairing.status), "mentee": pairing.mentee_id,
            "mentor": pairing.mentor_id, "locked": pairing.locked, "score": pairing.score}


def pairing_in_scope(scope: Scope, pairing_id: int, *, for_update: bool = False) -> Pairing:
    """A pairing the coordinator may act on; NotFound if unknown, Forbidden outside."""
    query = select(Pairing).where(Pairing.id == pairing_id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    pairing = db.session.scalar(query)
    if pairing is None or pairing.programme_id != scope.programme.id:
        raise NotFound(pairing_id)
    if not scope.covers(pairing.mentee):
        raise Forbidden(pairing_id)
    return pairing


def _lock_people(*enrolment_ids: int) -> dict[int, Enrolment]:
    """Lock the enrolment rows, always in id order so that two approvals cannot deadlock."""
    rows = db.session.scalars(
        select(Enrolment).where(Enrolment.id.in_(sorted(set(enrolment_ids))))
        .order_by(Enrolment.id).with_for_update().execution_options(populate_existing=True)
    ).all()
    return {row.id: row for row in rows}


def _take_places(mentee: Enrolment, mentor: Enrolment) -> None:
    if mentee.live_pairs >= 1:
        raise Refused(_("%(name)s already has an approved mentor.", name=mentee.user.name))
    if mentor.live_pairs >= (mentor.capacity or 0):
        raise Refused(_("%(name)s has no place left (capacity: %(capacity)d).",
                             name=mentor.user.name, capacity=mentor.capacity or 0))
    mentee.live_pairs += 1
    mentor.live_pairs += 1


def release_places(pairing: Pairing) -> None:
    """Give back the mentee's and the mentor's places of a pair that stops being live
    (rejected after approval, ended early, completed); the rows are locked in id order."""
    people = _lock_people(pairing.mentee_id, pairing.mentor_id)
    people[pairing.mentee_id].live_pairs -= 1
    people[pairing.mentor_id].live_pairs -= 1


def _flush_or_explain() -> None:
    """Flush; a constraint the database holds becomes the clear message it stands for."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:
        raise Refused(_("Someone else changed these pairs at the same moment: the mentee "
                             "is already paired or the mentor is full. Reload and try again.")
                           ) from error


def check_can_change(scope: Scope) -> None:
    """Refused unless the programme's pairs can change now (matching or running)."""
    _require_running_or_matching(scope)


def _require_running_or_matching(scope: Scope) -> None:
    if scope.programme.status not in (ProgrammeStatus.MATCHING, ProgrammeStatus.RUNNING):
        raise Refused(_("Pairs can be changed only while the programme is matching or "
                             "running."))


def approve(actor, scope: Scope, pairing_id: int) -> bool:
    """Approve a proposal; returns False when it already was (a double submission)."""
    _require_running_or_matching(scope)
    pairing = pairing_in_scope(scope, pairing_id, for_update=True)
    if pairing.status in (PairingStatus.APPROVED, PairingStatus.ACTIVE):
        return False
    if pairing.status == PairingStatus.SUPERSEDED:
        raise Refused(_("A newer matching run replaced this proposal. Review the new one."))
    if pairing.status == PairingStatus.REJECTED:
        raise Refused(_("This pair was rejected."))
    if pairing.broken:
        raise Refused(_("This pair breaks a hard rule; pair them by hand with a reason."))
    people = _lock_people(pairing.mentee_id, pairing.mentor_id)
    before = _state(pairing)
    _take_places(people[pairing.mentee_id], people[pairing.mentor_id])
    pairing.status = PairingStatus.APPROVED
    pairing.decided_at = utcnow()
    pairing.decided_by_id = actor.id
    _flush_or_explain()
    audit.record("pairing.approve", actor=actor, programme=scope.programme, target=pairing,
                 before=before, after=_state(pairing))
    consent.ask(actor, scope.programme, [pairing.id])
    return True


def check_can_approve_above(scope: Scope, threshold: int) -> MatchingRun:
    """The latest run, whose proposals at or above ``threshold`` can be approved now; Refused
    when there is none, the score is out of range, or the programme's pairs cannot change."""
    if not 0 <= threshold <= 1000:
        raise Refused(_("The score must be between 0 and 1000."))
    run_ = latest_run(scope.programme)
    if run_ is None:
        raise Refused(_("Run matching first."))
    _require_running_or_matching(scope)
    return run_


def approve_above(actor, scope: Scope, threshold: int) -> tuple[int, int]:
    """Approve every proposal of the latest run in scope scoring at least ``threshold``.

    Returns (approved, skipped); a proposal whose mentee or mentor is taken meanwhile is skipped.
    """
    run_ = check_can_approve_above(scope, threshold)
    query = (select(Pairing).join(Enrolment, Pairing.mentee_id == Enrolment.id)
             .where(Pairing.run_id == run_.id, Pairing.status == PairingStatus.PROPOSED,
                    Pairing.score >= threshold)
             .order_by(Pairing.score.desc(), Pairing.id)
             # The explanation and alternatives are not needed to approve.
             .options(defer(Pairing.parts), defer(Pairing.alternatives))
             .with_for_update(of=Pairing).execution_options(populate_existing=True))
    if scope.region is not None:
        query = query.where(Enrolment.region_id == scope.region.id)
    proposals = db.session.scalars(query).all()
    # Every person concerned is locked once, in id order (as every action does), and the
    # places are counted here: thousands of approvals are one flush, not one each.
    people = _lock_people(*(pid for p in proposals for pid in (p.mentee_id, p.mentor_id)))
    now = utcnow()
    skipped = 0
    changes: dict[int, tuple[dict, dict]] = {}
    for pairing in proposals:
        mentee, mentor = people[pairing.mentee_id], people[pairing.mentor_id]
        if pairing.broken or mentee.live_pairs >= 1 or \
                mentor.live_pairs >= (mentor.capacity or 0):
            skipped += 1
            continue
        before = _state(pairing)
        mentee.live_pairs += 1
        mentor.live_pairs += 1
        pairing.status = PairingStatus.APPROVED
        pairing.decided_at = now
        pairing.decided_by_id = actor.id
        changes[pairing.id] = (before, _state(pairing))
    _flush_or_explain()
    audit.record_many("pairing.approve", "pairing", list(changes), actor=actor,
                      programme=scope.programme, changes=changes)
    consent.ask(actor, scope.programme, list(changes))
    return len(changes), skipped


def reject(actor, scope: Scope, pairing_id: int, reason: str = "") -> None:
    """Reject a proposed or approved pair: the mentee goes back to the pool, and no later run
    proposes this pair again."""
    _require_running_or_matching(scope)
    pairing = pairing_in_scope(scope, pairing_id, for_update=True)
    if pairing.status in (PairingStatus.REJECTED, PairingStatus.SUPERSEDED):
        raise Refused(_("This proposal is no longer open."))
    if pairing.status == PairingStatus.ACTIVE:
        raise Refused(_("This pair is already announced and at work."))
    before = _state(pairing)
    if pairing.status == PairingStatus.APPROVED:
        release_places(pairing)
    pairing.status = PairingStatus.REJECTED
    pairing.locked = False
    pairing.decided_at = utcnow()
    pairing.decided_by_id = actor.id
    forbid_pair(actor, scope.programme, pairing.mentee_id, pairing.mentor_id, reason)
    _flush_or_explain()
    audit.record("pairing.reject", actor=actor, programme=scope.programme, target=pairing,
                 before=before, after={**_state(pairing), "reason": reason})


def set_locked(actor, scope: Scope, pairing_id: int, locked: bool) -> None:
    """Lock a proposal so that re-running keeps it (or unlock it)."""
    _require_running_or_matching(scope)
    pairing = pairing_in_scope(scope, pairing_id, for_update=True)
    if pairing.status != PairingStatus.PROPOSED:
        raise Refused(_("Only an open proposal can be locked or unlocked; approved pairs "
                             "are always kept."))
    before = _state(pairing)
    pairing.locked = locked
    audit.record("pairing.lock" if locked else "pairing.unlock", actor=actor,
                 programme=scope.programme, target=pairing, before=before, after=_state(pairing))


def forbid_pair(actor, programme, mentee_id: int, mentor_id: int, reason: str) -> None:
    """Record that no run may propose this pair (once; ``actor`` a coordinator, or the
    mentor who declined it)."""
    exists = db.session.scalar(select(ForbiddenPair).where(
        ForbiddenPair.mentee_id == mentee_id, ForbiddenPair.mentor_id == mentor_id))
    if exists is None:
        db.session.add(ForbiddenPair(programme_id=programme.id, mentee_id=mentee_id,
                                     mentor_id=mentor_id, reason=reason.strip(),
                                     created_by_id=actor.id))


def _people_in_programme(scope: Scope, mentee_id: int, mentor_id: int) -> tuple[Enrolment,
                                                                                 Enrolment]:
    mentee = db.session.get(Enrolment, mentee_id)
    mentor = db.session.get(Enrolment, mentor_id)
    if mentee is None or mentor is None or mentee.role != Role.MENTEE \
            or mentor.role != Role.MENTOR or mentor.programme_id != scope.programme.id:
        raise NotFound((mentee_id, mentor_id))
    if not scope.covers(mentee):
        raise Forbidden(mentee_id)
    return mentee, mentor


def forbid(actor, scope: Scope, mentee_id: int, mentor_id: int, reason: str = "") -> None:
    """Never propose this mentee with this mentor; an open proposal of them is rejected."""
    _people_in_programme(scope, mentee_id, mentor_id)
    open_proposal = db.session.scalar(select(Pairing.id).where(
        Pairing.mentee_id == mentee_id, Pairing.mentor_id == mentor_id,
        Pairing.status == PairingStatus.PROPOSED))
    if open_proposal is not None:
        reject(actor, scope, open_proposal, reason)
        return
    forbid_pair(actor, scope.programme, mentee_id, mentor_id, reason)
    audit.record("pairing.forbid", actor=actor, programme=scope.programme,
                 after={"mentee": mentee_id, "mentor": mentor_id, "reason": reason})


@dataclass
class Preview:
    """What a manual pairing would be: its score, parts and the hard rules it breaks."""

    mentee: Enrolment
    mentor: Enrolment
    score: int
    parts: list[dict]
    broken: list[str]
    mentor_full: bool


def preview(scope: Scope, mentee_id: int, mentor_id: int) -> Preview:
    """Score a pair a coordinator is about to make by hand, as the engine would.

    Someone who applied in both roles cannot be her own mentor: no override makes that pair."""
    mentee, mentor = _people_in_programme(scope, mentee_id, mentor_id)
    if mentee.user_id == mentor.user_id:
        raise Refused(_("%(name)s cannot be her own mentor.", name=mentee.user.name),
                           "mentor")
    forbidden = db.session.scalar(select(ForbiddenPair.id).where(
        ForbiddenPair.mentee_id == mentee_id, ForbiddenPair.mentor_id == mentor_id)) is not None
    pair = score_pair(to_profile(mentor), to_profile(mentee), rules_for(scope.programme),
                      forbidden=forbidden)
    return Preview(mentee, mentor, pair.score, list(pair.parts), list(pair.broken),
                   mentor.live_pairs >= (mentor.capacity or 0))


def pair_by_hand(actor, scope: Scope, mentee_id: int, mentor_id: int, *, reason: str = "",
                 confirm: bool = False) -> Pairing:
    """Approve a pair the coordinator chose. A pair that breaks a hard rule needs ``confirm``
    and a reason; a full mentor is always refused (capacity is never exceeded)."""
    _require_running_or_matching(scope)
    view = preview(scope, mentee_id, mentor_id)
    if view.mentee.status != EnrolmentStatus.ACCEPTED or view.mentor.status != \
            EnrolmentStatus.ACCEPTED:
        raise Refused(_("Both people must be accepted in the programme."))
    if view.broken and not (confirm and reason.strip()):
        raise Refused(_("This pair breaks a hard rule. Confirm the override and give a "
                             "reason."))
    people = _lock_people(mentee_id, mentor_id)
    _take_places(people[mentee_id], people[mentor_id])
    for proposal in db.session.scalars(select(Pairing).where(
            Pairing.mentee_id == mentee_id, Pairing.status == PairingStatus.PROPOSED)):
        proposal.status = PairingStatus.SUPERSEDED
    pairing = Pairing(programme_id=scope.programme.id, mentee_id=mentee_id,
                      mentor_id=mentor_id, status=PairingStatus.APPROVED, locked=True,
                      score=view.score, parts=view.parts, broken=view.broken, source="manual",
                      override_reason=reason.strip(), decided_at=utcnow(),
                      decided_by_id=actor.id)
    db.session.add(pairing)
    _flush_or_explain()
    audit.record("pairing.manual", actor=actor, programme=scope.programme, target=pairing,
                 after={**_state(pairing), "broken": view.broken, "reason": reason.strip()})
    consent.ask(actor, scope.programme, [pairing.id])
    return pairing


def swap(actor, scope: Scope, first_id: int, second_id: int) -> None:
    """Exchange the mentors of two open proposals, rescored; refused if either new pair
    breaks a hard rule."""
    if first_id == second_id:
        raise Refused(_("Choose two different pairs."))
    first = pairing_in_scope(scope, first_id, for_update=True)
    second = pairing_in_scope(scope, second_id, for_update=True)
    if PairingStatus.PROPOSED != first.status or PairingStatus.PROPOSED != second.status:
        raise Refused(_("Only open proposals can be swapped."))
    before = [_state(first), _state(second)]
    new = [preview(scope, first.mentee_id, second.mentor_id),
           preview(scope, second.mentee_id, first.mentor_id)]
    if any(view.broken for view in new):
        raise Refused(_("After the swap a pair would break a hard rule."))
    for pairing, view in zip((first, second), new, strict=True):
        pairing.mentor_id = view.mentor.id
        pairing.score, pairing.parts, pairing.broken = view.score, view.parts, []
        pairing.alternatives = []
        pairing.source = "swap"
    audit.record("pairing.swap", actor=actor, programme=scope.programme, before={"pairs": before},
                 after={"pairs": [_state(first), _state(second)]})


@dataclass(frozen=True, slots=True)
class Recipient:
    """What an email needs of a person: read as a plain row, not an ORM object."""

    id: int
    name: str
    email: str
    locale: str
    erased_at: object


@dataclass(frozen=True, slots=True)
class Introduced:
    """What ``templates/emails/introduction.txt`` reads of an application (the names of
    :class:`Enrolment`'s), loaded for thousands with four plain queries instead of an ORM
    object, its user, languages and topics each. An attribute the template would read and
    this lacks renders as nothing: add it here (``test_email_links`` reads a whole email)."""

    id: int
    role: Role
    country: str
    organisation: str
    timezone: str
    user: Recipient
    language_codes: list[str] = field(default_factory=list)
    topic_labels: list[str] = field(default_factory=list)


def introduced(enrolment_ids: set[int]) -> dict[int, Introduced]:
    """The applications, by id, as the introduction shows them."""
    wanted = sorted(enrolment_ids)
    languages: dict[int, list[str]] = {}
    for enrolment_id, code in db.session.execute(
            select(EnrolmentLanguage.enrolment_id, EnrolmentLanguage.code)
            .where(EnrolmentLanguage.enrolment_id.in_(wanted))
            .order_by(EnrolmentLanguage.enrolment_id, EnrolmentLanguage.code)):
        languages.setdefault(enrolment_id, []).append(code)
    topics: dict[int, list[str]] = {}
    for enrolment_id, label in db.session.execute(
            select(EnrolmentTopic.enrolment_id, Topic.label)
            .join(Topic, Topic.id == EnrolmentTopic.topic_id)
            .where(EnrolmentTopic.enrolment_id.in_(wanted))
            .order_by(EnrolmentTopic.enrolment_id, EnrolmentTopic.rank)):
        topics.setdefault(enrolment_id, []).append(label)
    rows = db.session.execute(
        select(Enrolment.id, Enrolment.role, Enrolment.country, Enrolment.organisation,
               Enrolment.timezone, User.id, User.name, User.email, User.locale, User.erased_at)
        .join(User, User.id == Enrolment.user_id).where(Enrolment.id.in_(wanted)))
    return {row[0]: Introduced(*row[:5], user=Recipient(*row[5:]),
                               language_codes=languages.get(row[0], []),
                               topic_labels=topics.get(row[0], []))
            for row in rows}


def announce(actor, scope: Scope) -> int:
    """Email every approved pair in scope an introduction and mark it active.

    Nobody hears of a pair before this. Returns how many pairs were announced.

    Thousands at once (2,500 pairs, 5,000 emails): the pairs are locked and read as plain
    rows, the people loaded in a few queries, the emails rendered language by language and
    written with one INSERT (:func:`mail.queue_templates`), the pairs changed with one UPDATE
    and the audit trail written with one INSERT. A second announce (a retried job) waits for
    the lock, then finds no approved pair left: nobody is emailed twice.
    """
    _require_running_or_matching(scope)
    # Tens of thousands of short-lived rows, strings and dicts: collections they would
    # trigger walk every object of the application again and again.
    with paused():
        return _announce(actor, scope)


def _announce(actor, scope: Scope) -> int:
    query = select(Pairing.id, Pairing.mentee_id, Pairing.mentor_id).join(
        Enrolment, Pairing.mentee_id == Enrolment.id).where(
        Pairing.programme_id == scope.programme.id, Pairing.status == PairingStatus.APPROVED,
        consent.announceable(scope.programme),  # pairs waiting for their mentor's answer wait
    ).order_by(Pairing.id).with_for_update(of=Pairing)
    if scope.region is not None:
        query = query.where(Enrolment.region_id == scope.region.id)
    pairs = db.session.execute(query).all()
    if not pairs:
        return 0
    ids = [pair.id for pair in pairs]
    people = introduced({pair.mentee_id for pair in pairs} | {pair.mentor_id for pair in pairs})
    messages = []
    for pair in pairs:
        mentee, mentor = people[pair.mentee_id], people[pair.mentor_id]
        link = external_url("meetings.pair", pairing_id=pair.id)
        for me, partner in ((mentee, mentor), (mentor, mentee)):
            messages.append((me.user, {"link": link, "me": me, "partner": partner,
                                       "programme": scope.programme}))
    mail.queue_templates("introduction", messages, kind="introduction",
                         locale=scope.programme.default_locale)
    db.session.execute(update(Pairing).where(Pairing.id.in_(ids)).values(
        status=PairingStatus.ACTIVE, announced_at=utcnow()))
    audit.record_many("pairing.announce", "pairing", ids, actor=actor,
                      programme=scope.programme, before={"status": "approved"},
                      after={"status": "active"})
    return len(pairs)
