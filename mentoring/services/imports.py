"""Importing applications gathered elsewhere (a spreadsheet), all or nothing."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import select

from ..data import find_country, find_language, timezones
from ..extensions import db
from ..models import Enrolment, RegionPreference, Role, User
from . import ServiceError, audit
from .accounts import invite, normalise_email, user_by_email
from .csvfiles import column_separator, heading_key, match_headings, split_list
from .enrolments import Application, apply
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
    "region_preference": ("region preference",),
}
REQUIRED = ("name", "email", "role", "country", "languages", "topics")


@dataclass(frozen=True)
class ImportError_:
    line: int
    column: str
    message: str


class ImportFailed(Exception):
    def __init__(self, errors: list[ImportError_]):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


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


def import_applications(actor: User, scope: Scope, raw: bytes) -> list[Enrolment]:
    """Create an application for each row, or nothing if any row is wrong.

    Every error is collected with its line and column. People without an account get one,
    and an invitation email to set their password.
    """
    programme = scope.programme
    text = _decode(raw)
    reader = csv.reader(io.StringIO(text), delimiter=column_separator(text))
    try:
        rows = list(reader)
    except csv.Error as error:
        raise ImportFailed([ImportError_(reader.line_num, "", str(error))]) from error
    if not rows:
        raise ImportFailed([ImportError_(1, "", _("The file is empty."))])
    headings = rows[0]
    columns = match_headings(headings, ALIASES)
    missing = [field for field in REQUIRED if field not in columns]
    if missing:
        raise ImportFailed([
            ImportError_(1, field, _("No column for \"%(field)s\" was found in the heading row.",
                                     field=field))
            for field in missing
        ])
    name_of = {field: headings[index] for field, index in columns.items()}
    topics = {heading_key(t.label): t.id for t in programme.topics}
    errors: list[ImportError_] = []
    parsed: list[tuple[int, str, str, Role, Application]] = []
    seen: dict[tuple[str, Role], int] = {}

    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(field: str, row=row) -> str:
            index = columns.get(field)
            return row[index].strip() if index is not None and index < len(row) else ""

        def error(field: str, message: str, line=line) -> None:
            errors.append(ImportError_(line, name_of.get(field, field), message))

        before = len(errors)
        name = cell("name")
        if not name:
            error("name", _("A name is required."))
        email = normalise_email(cell("email"))
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError:
            error("email", _("\"%(value)s\" is not a valid email address.", value=cell("email")))
        role = _ROLE_WORDS.get(cell("role").casefold())
        if role is None:
            error("role", _("Write \"mentor\" or \"mentee\", not \"%(value)s\".",
                            value=cell("role")))
        country = find_country(cell("country"))
        if country is None:
            error("country", _("Unknown country \"%(value)s\".", value=cell("country")))
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
            else:
                languages.append(code)
        if not split_list(cell("languages")):
            error("languages", _("At least one language is required."))
        topic_ids = []
        for value in split_list(cell("topics")):
            topic_id = topics.get(heading_key(value))
            if topic_id is None:
                error("topics", _("\"%(value)s\" is not one of the programme's topics.",
                                  value=value))
            elif topic_id not in topic_ids:
                topic_ids.append(topic_id)
        if not split_list(cell("topics")):
            error("topics", _("At least one topic is required."))
        years = 0
        if cell("years_experience"):
            try:
                years = int(cell("years_experience"))
                if not 0 <= years <= 80:
                    raise ValueError
            except ValueError:
                error("years_experience", _("Years of experience must be a whole number "
                                            "between 0 and 80."))
        timezone = cell("timezone") or "UTC"
        if timezone not in timezones():
            error("timezone", _("Unknown time zone \"%(value)s\"; use a name such as "
                                "Africa/Nairobi.", value=timezone))
        capacity = None
        if role == Role.MENTOR:
            capacity = programme.mentor_capacity_default
            if cell("capacity"):
                try:
                    capacity = int(cell("capacity"))
                    if not 1 <= capacity <= programme.mentor_capacity_max:
                        raise ValueError
                except ValueError:
                    error("capacity", _("Capacity must be a whole number from 1 to %(max)d.",
                                        max=programme.mentor_capacity_max))
        preference = _PREFERENCES.get(heading_key(cell("region_preference")))
        if preference is None:
            error("region_preference", _("Write \"same\", \"other\" or \"none\"."))
        if len(errors) > before:
            continue
        key = (email, role)
        if key in seen:
            error("email", _("Duplicate of line %(line)d (same email and role).", line=seen[key]))
            continue
        seen[key] = line
        existing = user_by_email(email)
        if existing is not None and db.session.scalar(
            select(Enrolment.id).where(Enrolment.programme_id == programme.id,
                                       Enrolment.user_id == existing.id, Enrolment.role == role)
        ):
            error("email", _("This person has already applied to this programme in this role."))
            continue
        parsed.append((line, name, email, role, Application(
            country=country, languages=languages, topic_ids=topic_ids, timezone=timezone,
            organisation=cell("organisation"), years_experience=years, goals=cell("goals"),
            capacity=capacity, gender=cell("gender"),
            region_preference=preference or RegionPreference.NONE)))

    if not parsed and not errors:
        errors.append(ImportError_(2, "", _("The file has no rows after the heading.")))
    if errors:
        raise ImportFailed(errors)

    created = []
    invited: set[str] = set()
    for line, name, email, role, application in parsed:
        user = user_by_email(email)
        if user is None:
            user = User(name=name, email=email)
            db.session.add(user)
            db.session.flush()
        if not user.has_password and email not in invited:
            invite(user, programme)
            invited.add(email)
        try:
            created.append(apply(user, programme, role, application, source="import"))
        except ServiceError as failure:
            raise ImportFailed([ImportError_(line, "", failure.message)]) from failure
    audit.record("enrolment.import", actor=actor, programme=programme,
                 after={"rows": len(created)})
    return created
