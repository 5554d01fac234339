"""Roles at ITU meetings read from a CSV file, checked whole, shown, then recorded at once.

One row per role held: the participant's email, the meeting (its name as the programme lists
it, case and spaces aside) and the role (the enum value, or its words in any of the interface
languages, as the forms show them). ``read_roles_file`` writes nothing: it checks every row
(a wrong row is an ``ImportError_`` with its line and column; any makes the whole file fail)
and says what would be recorded and what is there already. The coordinator confirms with the
plan it returns, sealed (``seal``): ``record_roles`` checks the plan again against the
programme as it is then and records the roles not yet recorded, all or none. Importing the same
file twice records nothing the second time.

A regional co-chair imports for her region's participants only: a row naming anyone else reads
the same whether or not that address belongs to someone elsewhere.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..labels import MEETING_ROLES
from ..models import Enrolment, EnrolmentStatus, ItuMeeting, MeetingRole, MeetingRoleKind, User
from . import Forbidden, Refused, audit
from .accounts import email_problem, normalise_email
from .csvfiles import write_csv
from .imports import ALIASES, ImportError_, ImportFailed, find_columns, read_rows
from .outcomes import meetings
from .scope import Scope
from .tokens import signer

#: The headings a roles file may use (matched as the applications import matches them).
ROLE_ALIASES: dict[str, tuple[str, ...]] = {
    "email": (*ALIASES["email"], "participant email", "courriel", "correo"),
    "meeting": ("itu meeting", "meeting name", "conference", "event", "reunion", "reunión"),
    "role": ("role held", "role at the meeting", "function", "position", "capacity"),
}
REQUIRED = ("email", "meeting", "role")
#: Words people write for a role beyond the forms' labels (compared as ``word_key`` does).
EXTRA_ROLE_WORDS = {
    "head of delegation": MeetingRoleKind.HEAD, "hod": MeetingRoleKind.HEAD,
    "chairman": MeetingRoleKind.CHAIR, "chairwoman": MeetingRoleKind.CHAIR,
    "chairperson": MeetingRoleKind.CHAIR, "vice chairman": MeetingRoleKind.VICE_CHAIR,
    "vice chairwoman": MeetingRoleKind.VICE_CHAIR,
    "vice chairperson": MeetingRoleKind.VICE_CHAIR, "vicechair": MeetingRoleKind.VICE_CHAIR,
    "deleguee": MeetingRoleKind.DELEGATE, "delegada": MeetingRoleKind.DELEGATE,
    "relatora": MeetingRoleKind.RAPPORTEUR, "intervenante": MeetingRoleKind.SPEAKER,
}
#: The purpose a preview's plan is signed under, and how long the confirmation may wait.
PLAN_PURPOSE = "itu-roles-import"
PLAN_MAX_AGE = 3600
#: How many of the roles to record a preview lists (the others are counted).
PREVIEW_ROWS = 100


@lru_cache(maxsize=4096)
def word_key(text: str) -> str:
    """"  Vice-Chair " -> "vice chair", "Délégué" -> "delegue": case, accents, dashes,
    underscores and runs of spaces do not matter (in every script)."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[-_‐‑–]", " ", text).split())


def role_words() -> dict[str, MeetingRoleKind]:
    """Every word a roles file may use for a role: the enum value, the forms' label in each
    interface language, and that label without its parenthesis ("Chair (of a committee...)"
    -> "Chair"). A word two roles share is left out rather than guessed."""
    words: dict[str, set[MeetingRoleKind]] = {}

    def add(word: str, role: MeetingRoleKind) -> None:
        if word_key(word):
            words.setdefault(word_key(word), set()).add(role)

    for role in MeetingRoleKind:
        add(role.value, role)
    for word, role in EXTRA_ROLE_WORDS.items():
        add(word, role)
    for locale in current_app.config["LANGUAGES"]:
        with force_locale(locale):
            for role, label in MEETING_ROLES.items():
                add(str(label), role)
                add(re.split(r"[(（]", str(label), maxsplit=1)[0], role)
    return {word: next(iter(roles)) for word, roles in words.items() if len(roles) == 1}


@dataclass(frozen=True)
class PlannedRole:
    """A role a file asks to record: whose (user), at which meeting, which role."""

    line: int
    user_id: int
    name: str
    email: str
    meeting_id: int
    meeting: str
    role: MeetingRoleKind


@dataclass(frozen=True)
class RolesFile:
    """What a checked file would do: the roles to record, and how many rows are recorded
    already (skipped)."""

    new: list[PlannedRole]
    already: int

    @property
    def participants(self) -> int:
        """The participants the new roles are for, each once."""
        return len({row.user_id for row in self.new})


def _participants(scope: Scope, column, values: Iterable) -> list[tuple[str, int, str, int]]:
    """(email, user id, name, application id) of the accepted applications of the scope (a
    co-chair: her region's) whose ``column`` (``User.email`` or ``User.id``) is one of
    ``values``, oldest application first, a thousand values a query."""
    values = sorted(set(values))
    found: list[tuple[str, int, str, int]] = []
    for start in range(0, len(values), 1000):
        query = (select(User.email, User.id, User.name, Enrolment.id)
                 .join(Enrolment, Enrolment.user_id == User.id)
                 .where(Enrolment.programme_id == scope.programme.id,
                        Enrolment.status == EnrolmentStatus.ACCEPTED,
                        column.in_(values[start:start + 1000]))
                 .order_by(Enrolment.id))
        if scope.is_regional:
            query = query.where(Enrolment.region_id == scope.region.id)
        found.extend(tuple(row) for row in db.session.execute(query))
    return found


def _recorded(scope: Scope, user_ids: Iterable[int]) -> set[tuple[int, int, MeetingRoleKind]]:
    """(user id, meeting id, role) of the roles recorded for these people at the programme's
    meetings."""
    user_ids = sorted(set(user_ids))
    found: set[tuple[int, int, MeetingRoleKind]] = set()
    for start in range(0, len(user_ids), 1000):
        found.update((user_id, meeting_id, MeetingRoleKind(role)) for user_id, meeting_id, role
                     in db.session.execute(
            select(MeetingRole.user_id, MeetingRole.itu_meeting_id, MeetingRole.role)
            .join(ItuMeeting).where(ItuMeeting.programme_id == scope.programme.id,
                                    MeetingRole.user_id.in_(user_ids[start:start + 1000]))))
    return found


def read_roles_file(scope: Scope, raw: bytes) -> RolesFile:
    """Check a roles file for the scope; nothing is written. ImportFailed lists every wrong row
    (with the import's cap) when any row is wrong."""
    rows = read_rows(raw)
    headings = rows[0]
    columns = find_columns(headings, ROLE_ALIASES, REQUIRED)
    heading = {field: headings[index] for field, index in columns.items()}
    listed = {word_key(meeting.name): meeting for meeting in meetings(scope.programme)}
    words = role_words()
    email_column = columns["email"]
    people = {email: (user_id, name) for email, user_id, name, _application in _participants(
        scope, User.email, (normalise_email(row[email_column]) for row in rows[1:]
                            if email_column < len(row)))}
    errors: list[ImportError_] = []
    wanted: list[PlannedRole] = []
    seen: dict[tuple[int, int, MeetingRoleKind], int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(field: str, row=row) -> str:
            index = columns[field]
            return row[index].strip() if index < len(row) else ""

        def error(field: str, message: str, line=line) -> None:
            errors.append(ImportError_(line, heading[field], message))

        before = len(errors)
        email = normalise_email(cell("email"))
        # A participant's address was checked when she signed up: only others are checked
        # here (two thirds of the time a large file takes otherwise).
        person = people.get(email)
        problem = None if person is not None else email_problem(cell("email"))
        if problem:
            error("email", problem)
        elif person is None:
            if scope.is_regional:
                # The same words whether the address is someone's elsewhere or nobody's.
                error("email", _("%(email)s is not an accepted participant of your region.",
                                 email=email))
            else:
                error("email", _("%(email)s is not an accepted participant of the programme.",
                                 email=email))
        meeting = listed.get(word_key(cell("meeting")))
        if not cell("meeting"):
            error("meeting", _("Write the meeting's name as the list of ITU meetings has it."))
        elif meeting is None:
            error("meeting", _("\"%(value)s\" is not on the programme's list of ITU meetings: "
                               "add it there first, or write its name as listed.",
                               value=cell("meeting")))
        role = words.get(word_key(cell("role")))
        if role is None:
            error("role", _("\"%(value)s\" is not a role: write one of %(roles)s.",
                            value=cell("role"),
                            roles=", ".join(kind.value for kind in MeetingRoleKind)))
        # A row's problems read left to right, as the spreadsheet shows its columns.
        errors[before:] = sorted(errors[before:], key=lambda e: headings.index(e.column))
        if len(errors) > before:
            continue
        key = (person[0], meeting.id, role)
        if key in seen:
            error("role", _("Line %(line)d has the same participant, meeting and role.",
                            line=seen[key]))
            continue
        seen[key] = line
        wanted.append(PlannedRole(line, person[0], person[1], email, meeting.id, meeting.name,
                                  role))
    if not wanted and not errors:
        errors.append(ImportError_(2, "", _("The file has no rows after the heading.")))
    if errors:
        raise ImportFailed(errors)
    there = _recorded(scope, (row.user_id for row in wanted))
    new = [row for row in wanted if (row.user_id, row.meeting_id, row.role) not in there]
    return RolesFile(new, len(wanted) - len(new))


def seal(scope: Scope, plan: RolesFile) -> str:
    """The plan's roles, signed for the scope, for the confirmation to carry back."""
    return signer(PLAN_PURPOSE).dumps({
        "programme": scope.programme.id, "region": scope.region.id if scope.region else None,
        "roles": [[row.user_id, row.meeting_id, row.role.value] for row in plan.new],
        "already": plan.already})


@dataclass(frozen=True)
class Imported:
    """What a confirmed import did: roles recorded, for how many participants, and how many
    were recorded already (skipped)."""

    recorded: int
    participants: int
    skipped: int


def _unsealed(scope: Scope, sealed: str) -> tuple[list[tuple[int, int, MeetingRoleKind]], int]:
    """The plan's roles, and how many of the file's roles were recorded already then."""
    again = _("Read the file again: this preview is more than an hour old or was changed.")
    try:
        plan = signer(PLAN_PURPOSE).loads(sealed or "", max_age=PLAN_MAX_AGE)
        roles = [(int(user_id), int(meeting_id), MeetingRoleKind(role))
                 for user_id, meeting_id, role in plan["roles"]]
        already = int(plan["already"])
    except (SignatureExpired, BadSignature, KeyError, TypeError, ValueError) as error:
        raise Refused(again) from error
    if plan.get("programme") != scope.programme.id or \
            plan.get("region") != (scope.region.id if scope.region else None):
        # A plan read for another programme or another coordinator's scope.
        raise Forbidden(scope.programme.slug)
    return roles, already


def record_roles(actor: User, scope: Scope, sealed: str) -> Imported:
    """Record the roles of a confirmed plan (``seal``) that are not recorded yet, all or none.

    The plan is checked again against the programme as it is now: every person still an
    accepted participant of the scope, every meeting still on the list, else nothing is
    recorded and the file is to be read again. One audit event per participant (targeting her
    application, so a co-chair's audit log shows it) lists the roles recorded for her.
    """
    roles, already = _unsealed(scope, sealed)
    listed = {meeting.id: meeting.name for meeting in meetings(scope.programme)}
    user_ids = {user_id for user_id, _meeting, _role in roles}
    holders: dict[int, int] = {}  # user id -> her first accepted application in the scope
    for _email, user_id, _name, application in _participants(scope, User.id, user_ids):
        holders.setdefault(user_id, application)
    if not user_ids <= set(holders) or any(meeting_id not in listed
                                           for _user, meeting_id, _role in roles):
        raise Refused(_("The participants or the ITU meetings changed since the file was read: "
                        "read it again. Nothing was recorded."))
    there = _recorded(scope, user_ids)
    new = [role for role in dict.fromkeys(roles) if role not in there]
    if new:
        try:
            db.session.execute(insert(MeetingRole), [
                {"user_id": user_id, "itu_meeting_id": meeting_id, "role": role,
                 "recorded_by_id": actor.id, "baseline": False}
                for user_id, meeting_id, role in new])
        except IntegrityError as error:
            # Someone recorded one of these roles between the check and the insert; the
            # boundary rolls the whole import back (no savepoint: there is nothing to keep).
            raise Refused(_("Some of these roles were recorded meanwhile: import the file "
                            "again. Nothing was recorded.")) from error
        per_person: dict[int, list[list[str]]] = {}
        for user_id, meeting_id, role in new:
            per_person.setdefault(user_id, []).append([listed[meeting_id], role.value])
        audit.record_many(
            "meeting_role.import", "enrolment", [holders[user] for user in per_person],
            actor=actor, programme=scope.programme,
            changes={holders[user]: (None, {"user_id": user, "roles": held})
                     for user, held in per_person.items()})
    return Imported(len(new), len({user_id for user_id, _m, _r in new}),
                    already + len(roles) - len(new))


def template_csv(scope: Scope) -> bytes:
    """A roles file to fill in: the headings and one example row (formula-safe)."""
    listed = meetings(scope.programme)
    return write_csv(list(REQUIRED), [["participant@example.org",
                                       listed[0].name if listed else "WRC-23",
                                       MeetingRoleKind.DELEGATE.value]])
