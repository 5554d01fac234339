"""Importing applications gathered elsewhere (a spreadsheet), all or nothing."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from flask_babel import format_number
from flask_babel import gettext as _
from sqlalchemy import select

from ..data import find_country, find_language
from ..extensions import db
from ..gender import from_words
from ..models import Enrolment, RegionPreference, Role, User
from . import Refused, audit
from .accounts import email_problem, invite, name_problem, normalise_email, users_by_email
from .csvfiles import column_separator, heading_key, match_headings, split_list
from .enrolments import Application, application_problems, apply
from .scope import Scope

ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("full name", "name", "participant", "delegate"),
    "email": ("e-mail", "email address", "e-mail address", "mail"),
    "role": ("applies as", "mentor or mentee", "type"),
    "country": ("country code", "member state", "nationality"),
    "organisation": ("organization", "administration", "organisation/administration", "employer"),
    "languages": ("language", "working languages", "languages spoken"),
    "topics": ("topic", "expertise", "wanted topics", "areas", "agenda items", "interests"),
    "years_experience": ("years", "experience", "years of experience"),
    "timezone": ("time zone", "tz"),
    "capacity": ("mentees", "max mentees"),
    "goals": ("goal", "objectives", "motivation"),
    "gender": ("sex",),
    "gender_self_described": ("gender in own words", "self-described gender"),
    "itu_meetings": ("itu meetings", "meetings attended", "itu meetings attended"),
    "region_preference": ("region preference",),
}
REQUIRED = ("name", "email", "role", "country", "languages", "topics")
#: The column an application's field is read from, where their names differ.
_COLUMN_OF = {"region_id": "country", "gender_self_described": "gender"}


@dataclass(frozen=True)
class ImportError_:
    line: int
    column: str
    message: str


#: How many problems a failed import lists; the others are only counted.
LISTED_ERRORS = 100
#: Rows one import reads at most, unless the IMPORT_MAX_ROWS setting says otherwise.
MAX_ROWS = 20_000


class ImportFailed(Exception):
    """Nothing was imported: ``errors`` are the first problems (at most ``LISTED_ERRORS``),
    ``total`` how many there are in all."""

    def __init__(self, errors: list[ImportError_], total: int | None = None):
        total = len(errors) if total is None else total
        super().__init__(f"{total} errors")
        self.errors = errors[:LISTED_ERRORS]
        self.total = total

    @property
    def more(self) -> int:
        """Problems found but not listed."""
        return self.total - len(self.errors)


_ROLE_WORDS = {"mentor": Role.MENTOR, "mentee": Role.MENTEE, "protege": Role.MENTEE,
               "protégé": Role.MENTEE}
_PREFERENCES = {"same": RegionPreference.SAME, "other": RegionPreference.OTHER,
                "none": RegionPreference.NONE, "": RegionPreference.NONE,
                "nopreference": RegionPreference.NONE}


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFailed(
            [ImportError_(1, "", _("The file is not UTF-8 text. Save it as \"CSV UTF-8\"."))]
        ) from error


def _whole_number(text: str, default: int) -> int | None:
    """A cell's whole number, the default when empty, None (refused by the rules) otherwise."""
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        return None


def read_rows(raw: bytes) -> list[list[str]]:
    """An uploaded CSV file's rows, the heading first (UTF-8, "," or ";" between columns, at
    most IMPORT_MAX_ROWS rows), or ImportFailed saying why it cannot be read."""
    max_rows = current_app.config.get("IMPORT_MAX_ROWS", MAX_ROWS)
    text = _decode(raw)
    reader = csv.reader(io.StringIO(text), delimiter=column_separator(text))
    try:
        # The heading, the rows allowed, and one more to know there are too many.
        rows = list(itertools.islice(reader, max_rows + 2))
    except csv.Error as error:
        raise ImportFailed([ImportError_(reader.line_num, "", str(error))]) from error
    if len(rows) > max_rows + 1:
        raise ImportFailed([ImportError_(1, "", _(
            "The file has more than %(max)s rows: import at most %(max)s at a time, in several "
            "files.", max=format_number(max_rows)))])
    if not rows:
        raise ImportFailed([ImportError_(1, "", _("The file is empty."))])
    return rows


def find_columns(headings: list[str], aliases: dict[str, tuple[str, ...]],
                 required: tuple[str, ...]) -> dict[str, int]:
    """Each known field's column (headings matched forgivingly), or ImportFailed naming every
    required field without one."""
    columns = match_headings(headings, aliases)
    missing = [field for field in required if field not in columns]
    if missing:
        raise ImportFailed([
            ImportError_(1, field, _("No column for \"%(field)s\" was found in the heading row.",
                                     field=field))
            for field in missing
        ])
    return columns


#: How often (in rows) an import tells its ``progress`` callback how far it got.
PROGRESS_EVERY = 100


def import_applications(actor: User, scope: Scope, raw: bytes, *,
                        progress: Callable[[int, int], None] | None = None
                        ) -> list[Enrolment]:
    """Create an application for each row, or nothing if any row is wrong.

    ``progress(checked, total)`` is called as rows are checked (every ``PROGRESS_EVERY``
    rows, and once all are), for a background job's page.

    Every error is collected with its line and column. People without an account get one,
    and an invitation email to set their password. The row of an existing account whose owner
    set a password but never confirmed the address is refused.
    """
    programme = scope.programme
    rows = read_rows(raw)
    headings = rows[0]
    columns = find_columns(headings, ALIASES, REQUIRED)
    name_of = {field: headings[index] for field, index in columns.items()}
    position = {headings[index]: index for index in columns.values()}
    topics = {heading_key(t.label): t.id for t in programme.topics}
    errors: list[ImportError_] = []
    unlisted = 0  # problems counted beyond the first LISTED_ERRORS, which alone are kept
    parsed: list[tuple[int, str, str, Role, Application]] = []
    seen: dict[tuple[str, Role], int] = {}

    total = len(rows) - 1
    # The accounts the file names and their applications here, read once (not twice a row).
    email_column = columns.get("email")
    known = users_by_email(
        normalise_email(row[email_column]) for row in rows[1:]
        if email_column is not None and email_column < len(row))
    applied = set(db.session.execute(
        select(Enrolment.user_id, Enrolment.role).where(
            Enrolment.programme_id == programme.id,
            Enrolment.user_id.in_([user.id for user in known.values()]))).all()) \
        if known else set()
    for line, row in enumerate(rows[1:], start=2):
        if progress is not None and (line - 2) % PROGRESS_EVERY == 0:
            progress(line - 2, total)
        if len(errors) > LISTED_ERRORS:
            unlisted += len(errors) - LISTED_ERRORS
            del errors[LISTED_ERRORS:]
        if not any(cell.strip() for cell in row):
            continue

        def cell(field: str, row=row) -> str:
            index = columns.get(field)
            return row[index].strip() if index is not None and index < len(row) else ""

        def error(field: str, message: str, line=line) -> None:
            errors.append(ImportError_(line, name_of.get(field, field), message))

        before = len(errors)
        name = cell("name")
        problem = name_problem(name)
        if problem:
            error("name", problem)
        email = normalise_email(cell("email"))
        problem = email_problem(cell("email"))
        if problem:
            error("email", problem)
        role = _ROLE_WORDS.get(cell("role").casefold())
        if role is None:
            error("role", _("Write \"mentor\" or \"mentee\", not \"%(value)s\".",
                            value=cell("role")))
        # Words that name nothing are the import's own errors; the rules of an application
        # (limits, ranges, lists) are the form's and the service's, checked once below.
        unread: set[str] = set()
        country = find_country(cell("country"))
        if country is None:
            error("country", _("Unknown country \"%(value)s\".", value=cell("country")))
            unread.add("country")
        elif scope.region is not None:
            region = programme.region_for_country(country)
            if region is None or region.id != scope.region.id:
                error("country", _("This country is outside your region."))
        languages = []
        for value in split_list(cell("languages")):
            code = find_language(value, programme.language_codes)
            if code is None:
                error("languages", _("\"%(value)s\" is not one of the programme's languages.",
                                     value=value))
                unread.add("languages")
            else:
                languages.append(code)
        topic_ids = []
        for value in split_list(cell("topics")):
            topic_id = topics.get(heading_key(value))
            if topic_id is None:
                error("topics", _("\"%(value)s\" is not one of the programme's topics.",
                                  value=value))
                unread.add("topics")
            elif topic_id not in topic_ids:
                topic_ids.append(topic_id)
        years = _whole_number(cell("years_experience"), 0)
        capacity = None
        if role == Role.MENTOR:
            capacity = _whole_number(cell("capacity"), programme.mentor_capacity_default)
        preference = _PREFERENCES.get(heading_key(cell("region_preference")))
        if preference is None:
            error("region_preference", _("Write \"same\", \"other\" or \"none\"."))
        gender, described = from_words(cell("gender"), cell("gender_self_described"))
        application = Application(
            country=country or "", languages=languages, topic_ids=topic_ids,
            timezone=cell("timezone") or "UTC", organisation=cell("organisation"),
            years_experience=years, itu_meetings=cell("itu_meetings"), goals=cell("goals"),
            capacity=capacity, gender=gender, gender_self_described=described,
            region_preference=preference or RegionPreference.NONE)
        if role is not None:
            for field, problem in application_problems(programme, role, application).items():
                column = _COLUMN_OF.get(field, field)
                if column not in unread:
                    error(column, problem)
        # A row's problems read left to right, as the spreadsheet shows its columns.
        errors[before:] = sorted(errors[before:], key=lambda e: position.get(e.column, 0))
        if len(errors) > before:
            continue
        key = (email, role)
        if key in seen:
            error("email", _("Duplicate of line %(line)d (same email and role).", line=seen[key]))
            continue
        seen[key] = line
        existing = known.get(email)
        if existing is not None and existing.has_password and not existing.is_verified:
            # Someone chose a password for this address without proving she holds it: the
            # application (and the person's data) must not go to that account. An account
            # without a password (an earlier import) opens only from the emailed invitation.
            error("email", _("This person has not confirmed this email address yet: ask them "
                             "to open the link we sent them, then import this row again."))
            continue
        if existing is not None and (existing.id, role) in applied:
            error("email", _("This person has already applied to this programme in this role."))
            continue
        parsed.append((line, name, email, role, application))

    if progress is not None:
        progress(total, total)
    if not parsed and not errors:
        errors.append(ImportError_(2, "", _("The file has no rows after the heading.")))
    if errors:
        raise ImportFailed(errors, len(errors) + unlisted)

    # New people's accounts in one flush; then each application, without the flush a query
    # would otherwise make first (the rows were checked against each other above).
    for _line, name, email, _role, _application in parsed:
        if email not in known:
            known[email] = User(name=name, email=email)
            db.session.add(known[email])
    db.session.flush()
    created = []
    invited: set[str] = set()
    with db.session.no_autoflush:
        for line, _name, email, role, application in parsed:
            user = known[email]
            if not user.has_password and email not in invited:
                invite(user, programme)
                invited.add(email)
            try:
                created.append(apply(user, programme, role, application, source="import"))
            except Refused as failure:
                raise ImportFailed([ImportError_(line, "", failure.message)]) from failure
    audit.record("enrolment.import", actor=actor, programme=programme,
                 after={"rows": len(created)})
    return created
