"""A mentoring programme (one cycle, such as NOW4WRC23), its regions, languages and topics."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..locales import current_locale, localized
from ._types import UTCDateTime, enum_type, utcnow


class ProgrammeStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    MATCHING = "matching"
    RUNNING = "running"
    CLOSED = "closed"


#: The order a programme moves through; an admin may also step back one status.
STATUS_ORDER = list(ProgrammeStatus)


class Programme(db.Model):
    __tablename__ = "programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    #: The network running it, e.g. "ITU Network of Women" or "ITU, FIRST and EQUALS".
    network: Mapped[str] = mapped_column(String(160), default="")
    status: Mapped[ProgrammeStatus] = mapped_column(
        enum_type(ProgrammeStatus, "programme_status", 16),
        default=ProgrammeStatus.DRAFT,
    )
    applications_open: Mapped[date | None] = mapped_column(Date)
    applications_close: Mapped[date | None] = mapped_column(Date)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    mentor_capacity_default: Mapped[int] = mapped_column(Integer, default=2)
    mentor_capacity_max: Mapped[int] = mapped_column(Integer, default=4)
    #: Sessions a pair is expected to hold each month (the cadence shown to pairs).
    min_sessions_per_month: Mapped[int] = mapped_column(Integer, default=1)
    #: Interface language of emails to people who set none.
    default_locale: Mapped[str] = mapped_column(String(10), default="en")
    #: The women's share (percent) the programme aims for among mentees and mentors.
    women_target_percent: Mapped[int] = mapped_column(Integer, default=30)
    #: Days without a session after which a pair is reminded (and shown as silent).
    reminder_interval_days: Mapped[int] = mapped_column(Integer, default=30)
    #: Guidance sent to every pair when it is announced (first steps, cadence, contacts).
    guidance: Mapped[str] = mapped_column(Text, default="")
    #: Approved pairs go first to their mentor, who accepts or declines, before announcing.
    mentor_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The last day mentors answer; after it, unanswered approved pairs may be announced.
    consent_deadline: Mapped[date | None] = mapped_column(Date)
    #: Weights and rules for the matching engine (matching.Rules.to_dict()); empty = defaults.
    matching_rules: Mapped[dict] = mapped_column(JSON, default=dict)
    #: What a matching run puts first: "score" (the best total) or "wishes" (the mentees'
    #: ranked wishes first, `matching.wishes`).
    matching_objective: Mapped[str] = mapped_column(String(16), default="score")
    #: Content in other languages: {"fr": {"name": ..., "description": ..., "guidance": ...}}.
    #: The columns above hold the version in ``default_locale``.
    translations: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Matching never pairs two people who were a pair in an earlier cycle of this programme
    #: (the programme it was copied from and its ancestors), in either role.
    new_partners_only: Mapped[bool] = mapped_column(Boolean, default=True)
    #: The programme this one was copied from ("copy to a new cycle").
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("programme.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    regions: Mapped[list[Region]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="Region.position"
    )
    languages: Mapped[list[ProgrammeLanguage]] = relationship(
        back_populates="programme",
        cascade="all, delete-orphan",
        order_by="ProgrammeLanguage.position",
    )
    topics: Mapped[list[Topic]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="Topic.position"
    )
    coordinators: Mapped[list[Coordinator]] = relationship(
        back_populates="programme", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint(
            "mentor_capacity_default >= 1 AND mentor_capacity_default <= mentor_capacity_max",
            name="capacity_range",
        ),
        CheckConstraint("min_sessions_per_month >= 0", name="sessions_nonnegative"),
        CheckConstraint("matching_objective IN ('score', 'wishes')", name="matching_objective"),
        CheckConstraint("reminder_interval_days >= 1", name="reminder_interval_positive"),
        CheckConstraint("women_target_percent >= 0 AND women_target_percent <= 100",
                        name="women_target_range"),
        CheckConstraint(
            "applications_close IS NULL OR applications_open IS NULL"
            " OR applications_close >= applications_open",
            name="window_order",
        ),
        CheckConstraint(
            "ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on", name="period_order"
        ),
    )

    def accepts_applications(self, today: date | None = None) -> bool:
        """Open status, and today inside the application window where one is set."""
        today = today or utcnow().date()
        if self.status != ProgrammeStatus.OPEN:
            return False
        if self.applications_open and today < self.applications_open:
            return False
        return not (self.applications_close and today > self.applications_close)

    def region_for_country(self, country: str) -> Region | None:
        for region in self.regions:
            if country in region.country_codes:
                return region
        return None

    @property
    def language_codes(self) -> list[str]:
        return [language.code for language in self.languages]

    def text(self, field: str, locale: str | None = None) -> str:
        """``name``, ``description`` or ``guidance`` in the page's language, else the default."""
        return localized(getattr(self, field), self.translations, self.default_locale,
                         locale or current_locale(), field)

    @property
    def display_name(self) -> str:
        return self.text("name")

    def __repr__(self) -> str:
        return f"<Programme {self.slug}>"


class Region(db.Model):
    """A region of a programme, e.g. one of the six regional telecommunication organisations."""

    __tablename__ = "region"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(160))
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: ISO 3166 alpha-2 codes of the countries in this region, space-separated.
    countries: Mapped[str] = mapped_column(Text, default="")
    #: The name in other languages: {"fr": "..."}.
    translations: Mapped[dict] = mapped_column(JSON, default=dict)

    programme: Mapped[Programme] = relationship(back_populates="regions")

    @property
    def display_name(self) -> str:
        return localized(self.name, self.translations, self.programme.default_locale,
                         current_locale())

    __table_args__ = (UniqueConstraint("programme_id", "code"),)

    @property
    def country_codes(self) -> set[str]:
        return set(self.countries.split())


class ProgrammeLanguage(db.Model):
    """A language the programme works in (ISO 639-1 code)."""

    __tablename__ = "programme_language"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer, default=0)

    programme: Mapped[Programme] = relationship(back_populates="languages")

    __table_args__ = (UniqueConstraint("programme_id", "code"),)


class Topic(db.Model):
    """An expertise area or wanted topic, from the programme's own list."""

    __tablename__ = "topic"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(160))
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: The label in other languages: {"fr": "..."}.
    translations: Mapped[dict] = mapped_column(JSON, default=dict)

    programme: Mapped[Programme] = relationship(back_populates="topics")

    @property
    def display_label(self) -> str:
        return localized(self.label, self.translations, self.programme.default_locale,
                         current_locale())

    __table_args__ = (UniqueConstraint("programme_id", "label"),)


class Coordinator(db.Model):
    """A user who coordinates a programme, or only one region of it (a regional co-chair)."""

    __tablename__ = "coordinator"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    #: Set for a regional co-chair: she sees and acts only on this region's applicants.
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id", ondelete="CASCADE"))

    programme: Mapped[Programme] = relationship(back_populates="coordinators")
    user: Mapped[User] = relationship(back_populates="coordinator_roles")  # noqa: F821
    region: Mapped[Region | None] = relationship()

    __table_args__ = (UniqueConstraint("programme_id", "user_id"),)
