"""Mentors' consent before announcing: a programme may send each approved pair first to its
mentor, who accepts, or declines with a reason.

With the programme's setting on, approving a pair (one, above a score, or by hand) asks its
mentor by email: a signed link shows the answer page without signing in, the same page is on
the site for a signed-in mentor, and the answer is a POST from that page. A decline rejects
the pair, forbids it (with the reason) and matches that mentee again with every other pair
kept (:func:`matching.match_again`); the new proposal needs approval, and consent, in turn.
Announcing sends only the pairs whose mentor accepted, or every approved pair once the
deadline has passed (:func:`announceable`). A pair approved while the setting was off has no
consent row and is announced as before.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired
from sqlalchemy import and_, case, exists, func, or_, select, true
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import (
    ConsentState,
    Enrolment,
    MentorConsent,
    Pairing,
    PairingStatus,
    Programme,
    User,
)
from ..models._types import utcnow
from ..models.aliases import MENTEE
from . import Forbidden, NotFound, Refused, audit, mail, pairings, revision_cache
from . import matching as matching_service
from .links import external_url
from .scope import Scope
from .tokens import signer

#: The salt of the emailed links (a token for one pair's mentor).
LINK_SALT = "mentor-consent"
#: The emailed link works this long (a deadline is weeks away, not months).
LINK_MAX_AGE = 60 * 24 * 3600
#: How many days before the deadline the unanswered mentors are reminded.
REMIND_DAYS_BEFORE = 1


def today() -> date:
    return utcnow().date()


def deadline_passed(programme: Programme, on: date | None = None) -> bool:
    """True once the programme's consent deadline (its last day) is over."""
    deadline = programme.consent_deadline
    return deadline is not None and (on or today()) > deadline


def save_setting(actor, scope: Scope, ask: bool, deadline: date | None) -> None:
    """Turn asking mentors on or off and set the deadline (the programme's coordinators only).

    On needs a deadline, and a new deadline cannot be in the past."""
    if scope.is_regional:
        raise Forbidden("regional co-chairs do not set programme-wide rules")
    programme = scope.programme
    if ask and deadline is None:
        raise Refused(_("Give the last day mentors may answer."), "deadline")
    if deadline is not None and deadline != programme.consent_deadline and deadline < today():
        raise Refused(_("The deadline cannot be in the past."), "deadline")
    before = _setting(programme)
    programme.mentor_consent = ask
    programme.consent_deadline = deadline
    audit.record("consent.settings", actor=actor, programme=programme, target=programme,
                 before=before, after=_setting(programme))


def _setting(programme: Programme) -> dict:
    deadline = programme.consent_deadline
    return {"ask_mentors": bool(programme.mentor_consent),
            "deadline": deadline.isoformat() if deadline else None}


# ---- asking ---------------------------------------------------------------------------------

def link_token(pairing_id: int, mentor_id: int) -> str:
    """The signed token of one pair's emailed link (for its mentor's application)."""
    return signer(LINK_SALT).dumps({"p": pairing_id, "m": mentor_id})


def ask(actor, programme: Programme, pairing_ids) -> int:
    """After approval: when the programme asks its mentors, record each pair as asked and
    email its mentor (in her language). Pairs already asked are not asked twice. Returns how
    many mentors were asked. Thousands at once (approving above a score) are read as plain
    rows and written with one INSERT each for the emails and the audit trail."""
    ids = sorted(set(pairing_ids))
    if not programme.mentor_consent or not ids:
        return 0
    rows = db.session.execute(
        select(Pairing.id, Pairing.mentee_id, Pairing.mentor_id)
        .where(Pairing.id.in_(ids), Pairing.status == PairingStatus.APPROVED,
               ~exists().where(MentorConsent.pairing_id == Pairing.id))
        .order_by(Pairing.id)).all()
    if not rows:
        return 0
    now = utcnow()
    db.session.add_all([MentorConsent(pairing_id=row.id, programme_id=programme.id,
                                      state=ConsentState.ASKED, asked_at=now, reason="")
                        for row in rows])
    people = pairings.introduced({row.mentee_id for row in rows} | {row.mentor_id
                                                                    for row in rows})
    messages = []
    for row in rows:
        mentor, mentee = people[row.mentor_id], people[row.mentee_id]
        messages.append((mentor.user, {
            "me": mentor, "partner": mentee, "programme": programme,
            "deadline": programme.consent_deadline,
            "link": external_url("consent.answer_by_link",
                                 token=link_token(row.id, row.mentor_id)),
            "page": external_url("consent.answer", pairing_id=row.id)}))
    mail.queue_templates("consent_request", messages, kind="consent-request",
                         locale=programme.default_locale)
    audit.record_many("consent.ask", "pairing", [row.id for row in rows], actor=actor,
                      programme=programme, after={"consent": str(ConsentState.ASKED)})
    return len(rows)


# ---- the mentor's answer ------------------------------------------------------------------

@dataclass
class Asked:
    """What the mentor's page shows: the pair, its consent, and who answers."""

    pairing: Pairing
    consent: MentorConsent
    mentor_user: User

    @property
    def open(self) -> bool:
        """The mentor can still answer: asked, and the pair approved but not announced."""
        return (self.consent.state == ConsentState.ASKED
                and self.pairing.status == PairingStatus.APPROVED)

    @property
    def deadline(self) -> date | None:
        return self.pairing.mentee.programme.consent_deadline


def _asked(pairing_id: int, *, for_update: bool = False) -> tuple[Pairing, MentorConsent]:
    query = select(Pairing).where(Pairing.id == pairing_id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    pairing = db.session.scalar(query)
    consent = db.session.scalar(select(MentorConsent).where(
        MentorConsent.pairing_id == pairing_id)) if pairing is not None else None
    if pairing is None or consent is None:
        raise NotFound(pairing_id)
    return pairing, consent


def asked_of(user: User, pairing_id: int) -> Asked:
    """The pair a signed-in mentor was asked about; NotFound for anyone else (another
    mentor's pair is not hers to see, nor to answer)."""
    pairing, consent = _asked(pairing_id)
    if pairing.mentor.user_id != user.id:
        raise NotFound(pairing_id)
    return Asked(pairing, consent, user)


def asked_by_link(token: str) -> Asked:
    """The pair an emailed link is for; Refused for a forged or expired link (the page says
    so and offers signing in)."""
    try:
        payload = signer(LINK_SALT).loads(token, max_age=LINK_MAX_AGE)
    except SignatureExpired as error:
        raise Refused(_("This link has expired. Sign in to answer from the site.")) from error
    except BadSignature as error:
        raise Refused(_("This link is not valid.")) from error
    try:
        pairing, consent = _asked(int(payload.get("p")))
    except (NotFound, TypeError, ValueError) as error:
        raise Refused(_("This link is not valid.")) from error
    if pairing.mentor_id != payload.get("m"):
        raise Refused(_("This link is not valid."))
    return Asked(pairing, consent, pairing.mentor.user)


@dataclass
class Answer:
    accepted: bool
    #: After a decline: the mentee's new proposal, or none when no mentor could take her.
    proposal: Pairing | None = None


def answer(asked: Asked, accept: bool, reason: str = "") -> Answer:
    """The mentor accepts, or declines with a reason: the pair is then rejected and
    forbidden (with the reason), her place freed, and the mentee matched again locally."""
    pairing, consent = _asked(asked.pairing.id, for_update=True)
    user = asked.mentor_user
    if consent.state != ConsentState.ASKED:
        raise Refused(_("You have already answered."))
    if pairing.status == PairingStatus.ACTIVE:
        raise Refused(_("This pair has already been announced."))
    if pairing.status != PairingStatus.APPROVED:
        raise Refused(_("The coordinators have changed this pair: there is nothing to "
                        "answer any more."))
    reason = reason.strip()
    if not accept and not reason:
        raise Refused(_("Tell the coordinators why, in a few words."), "reason")
    programme = db.session.get(Programme, pairing.programme_id)
    consent.answered_at = utcnow()
    if accept:
        consent.state = ConsentState.ACCEPTED
        audit.record("consent.accept", actor=user, programme=programme, target=pairing,
                     after={"consent": str(ConsentState.ACCEPTED)})
        return Answer(True)
    consent.state = ConsentState.DECLINED
    consent.reason = reason
    pairings.release_places(pairing)
    pairing.status = PairingStatus.REJECTED
    pairing.locked = False
    pairing.decided_at = consent.answered_at
    pairings.forbid_pair(user, programme, pairing.mentee_id, pairing.mentor_id, reason)
    db.session.flush()
    audit.record("consent.decline", actor=user, programme=programme, target=pairing,
                 before={"status": str(PairingStatus.APPROVED)},
                 after={"status": str(PairingStatus.REJECTED),
                        "consent": str(ConsentState.DECLINED), "reason": reason})
    proposals, _unmatched = matching_service.match_again(
        user, programme, [pairing.mentee_id], source="consent",
        previous={pairing.mentee_id: pairing.mentor_id})
    consent.next_pairing_id = proposals[0].id if proposals else None
    return Answer(False, proposals[0] if proposals else None)


def waiting_for(user: User) -> list[Pairing]:
    """The approved pairs a mentor has been asked about and not answered yet (her "My
    programmes" page links to each), with their mentees' names loaded."""
    mine = select(Enrolment.id).where(Enrolment.user_id == user.id)
    return list(db.session.scalars(
        select(Pairing).join(MentorConsent, MentorConsent.pairing_id == Pairing.id)
        .where(Pairing.mentor_id.in_(mine), Pairing.status == PairingStatus.APPROVED,
               MentorConsent.state == ConsentState.ASKED)
        .options(joinedload(Pairing.mentee).joinedload(Enrolment.user))
        .order_by(Pairing.id)))


# ---- what coordinators see ----------------------------------------------------------------

def announceable(programme: Programme):
    """The SQL condition on ``Pairing`` of an approved pair that may be announced now: every
    one while the programme does not ask or once its deadline has passed, else those whose
    mentor was not asked (approved before) or accepted."""
    if not programme.mentor_consent or deadline_passed(programme):
        return true()
    return ~exists().where(MentorConsent.pairing_id == Pairing.id,
                           MentorConsent.state == ConsentState.ASKED).correlate(Pairing)


@dataclass
class Summary:
    """The consent figures of a scope's pairs (the pairs and announce pages)."""

    asking: bool
    deadline: date | None
    passed: bool
    #: Approved pairs whose mentor was asked, by answer (lapsed: no answer by the deadline).
    asked: int = 0
    accepted: int = 0
    declined: int = 0
    lapsed: int = 0
    #: Approved pairs announcing would send now, and those that wait for an answer.
    ready: int = 0
    waiting: int = 0
    #: pairing id -> its consent, for the pairs on the page.
    of: dict[int, MentorConsent] = field(default_factory=dict)
    #: proposal id -> the decline it replaces (a re-solve's proposals on the page).
    replacing: dict[int, MentorConsent] = field(default_factory=dict)

    @property
    def shown(self) -> bool:
        return self.asking or bool(self.asked or self.accepted or self.declined or self.lapsed)


def _counts(scope: Scope, passed: bool) -> list[tuple]:
    """(consent state, pair status, pairs, announceable pairs) of the scope's approved pairs
    and of its pairs whose mentor was asked: one GROUP BY (``passed``: the deadline's)."""
    programme = scope.programme
    counted = (select(MentorConsent.state, Pairing.status, func.count(),
                      func.sum(case((announceable(programme), 1), else_=0)))
               .select_from(Pairing)
               .outerjoin(MentorConsent, MentorConsent.pairing_id == Pairing.id)
               .where(Pairing.programme_id == programme.id,
                      or_(Pairing.status == PairingStatus.APPROVED,
                          MentorConsent.id.is_not(None)))
               .group_by(MentorConsent.state, Pairing.status))
    if scope.region is not None:
        counted = counted.join(MENTEE, MENTEE.id == Pairing.mentee_id).where(
            MENTEE.region_id == scope.region.id)
    return [tuple(row) for row in db.session.execute(counted)]


_CODE = revision_cache.code_of(sys.modules[__name__])


def counts(scope: Scope, found=revision_cache.READ) -> list[tuple]:
    """`_counts`, cached under the programme's data revision (consents are watched) and
    whether the deadline has passed (what may be announced changes with it)."""
    passed = deadline_passed(scope.programme)
    return revision_cache.cached(scope, f"consent-counts:{_CODE}",
                                 lambda: _counts(scope, passed), passed, found=found)


def summary(scope: Scope, pairing_ids=(), found=revision_cache.READ) -> Summary:
    """Counts of the scope's consents and approved pairs (one GROUP BY query, cached) and the
    consents of the given pairs (one query): a fixed number of queries at any size.
    ``found``: the programme's revision, when the caller has read it."""
    programme = scope.programme
    passed = deadline_passed(programme)
    view = Summary(bool(programme.mentor_consent), programme.consent_deadline, passed)
    for state, status, count, ready in counts(scope, found):
        if status == PairingStatus.APPROVED:
            view.ready += ready or 0
            view.waiting += count - (ready or 0)
        if state is None:
            continue
        if state == ConsentState.DECLINED:
            view.declined += count
        elif status == PairingStatus.APPROVED:
            if state == ConsentState.ACCEPTED:
                view.accepted += count
            elif passed:
                view.lapsed += count
            else:
                view.asked += count
    ids = sorted(set(pairing_ids))
    if ids:
        for row in db.session.scalars(select(MentorConsent).where(
                MentorConsent.pairing_id.in_(ids) | MentorConsent.next_pairing_id.in_(ids))):
            if row.pairing_id in ids:
                view.of[row.pairing_id] = row
            if row.next_pairing_id in ids:
                view.replacing[row.next_pairing_id] = row
    return view


# ---- the reminder -------------------------------------------------------------------------

def due_reminders(programme: Programme, on: date) -> list[MentorConsent]:
    """The unanswered consents of approved pairs whose mentor is reminded ``on`` this day:
    the day before the deadline (or the deadline itself, when the day before was missed;
    ``reminder_sent`` keeps it to one)."""
    deadline = programme.consent_deadline
    if not programme.mentor_consent or deadline is None or not (
            deadline - timedelta(days=REMIND_DAYS_BEFORE) <= on <= deadline):
        return []
    return list(db.session.scalars(
        select(MentorConsent).join(Pairing, Pairing.id == MentorConsent.pairing_id)
        .where(and_(MentorConsent.programme_id == programme.id,
                    MentorConsent.state == ConsentState.ASKED,
                    Pairing.status == PairingStatus.APPROVED))
        .order_by(MentorConsent.id)))


def remind(consent: MentorConsent) -> None:
    """Email the mentor of an unanswered pair that the deadline is tomorrow."""
    pairing = consent.pairing
    programme = pairing.mentee.programme
    mail.queue_template(
        pairing.mentor.user, "consent_reminder", kind="consent-reminder",
        locale=programme.default_locale, programme=programme, partner=pairing.mentee,
        deadline=programme.consent_deadline,
        link=external_url("consent.answer_by_link",
                          token=link_token(pairing.id, pairing.mentor_id)),
        page=external_url("consent.answer", pairing_id=pairing.id))
