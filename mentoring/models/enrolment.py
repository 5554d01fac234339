"""An application to a programme, as mentor or as mentee (someone doing both has two)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..gender import SELF_DESCRIBED_MAX, Gender, describe
from ._types import UTCDateTime, enum_type, utcnow


class Role(enum.StrEnum):
    MENTOR = "mentor"
    MENTEE = "mentee"


class EnrolmentStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    WAITLISTED = "waitlisted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class RegionPreference(enum.StrEnum):
    NONE = "none"
    SAME = "same"
    OTHER = "other"


#: Decisions a coordinator can take on an application.
DECISIONS = (EnrolmentStatus.ACCEPTED, EnrolmentStatus.WAITLISTED, EnrolmentStatus.DECLINED)


class Enrolment(db.Model):
    __tablename__ = "enrolment"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(enum_type(Role, "role", 8))
    status: Mapped[EnrolmentStatus] = mapped_column(
        enum_type(EnrolmentStatus, "enrolment_status", 16),
        default=EnrolmentStatus.SUBMITTED,
        index=True,
    )
    #: ISO 3166 alpha-2.
    country: Mapped[str] = mapped_column(String(2))
    region_id: Mapped[int | None] = mapped_column(
        ForeignKey("region.id", ondelete="SET NULL"), index=True
    )
    #: Organisation or administration the delegate represents.
    organisation: Mapped[str] = mapped_column(String(200), default="")
    years_experience: Mapped[int] = mapped_column(Integer, default=0)
    #: ITU meetings attended, free text (optional).
    itu_meetings: Mapped[str] = mapped_column(Text, default="")
    #: IANA time zone name.
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    goals: Mapped[str] = mapped_column(Text, default="")
    #: Mentees a mentor can take (mentors only).
    capacity: Mapped[int | None] = mapped_column(Integer)
    region_preference: Mapped[RegionPreference] = mapped_column(
        enum_type(RegionPreference, "region_preference", 8),
        default=RegionPreference.NONE,
    )
    wants_woman_mentor: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Optional (None: not given); seen only by coordinators, used for statistics and for a
    #: mentee's wish for a woman mentor. `mentoring.gender` says what each answer counts as.
    gender: Mapped[Gender | None] = mapped_column(enum_type(Gender, "gender", 16))
    #: The person's own words when `gender` is self-described, else "".
    gender_self_described: Mapped[str] = mapped_column(String(SELF_DESCRIBED_MAX), default="")
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The message sent with the coordinator's last decision.
    decision_message: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: Live pairs (approved or active) this person is in; the database keeps it within capacity.
    live_pairs: Mapped[int] = mapped_column(Integer, default=0)
    #: A mentor who lets the programme's accepted mentees see her and ask for her (mentors
    #: only; off unless she chooses it). See `services.wishes`.
    listed: Mapped[bool] = mapped_column(Boolean, default=False)
    #: A mentor's few words about herself, shown to mentees when she is listed.
    bio: Mapped[str] = mapped_column(Text, default="")
    #: "form" or "import".
    source: Mapped[str] = mapped_column(String(16), default="form")
    #: Set when its free text was erased (the person's erasure or the retention command).
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    programme: Mapped[Programme] = relationship()  # noqa: F821
    user: Mapped[User] = relationship(foreign_keys=[user_id])  # noqa: F821
    region: Mapped[Region | None] = relationship()  # noqa: F821
    languages: Mapped[list[EnrolmentLanguage]] = relationship(
        cascade="all, delete-orphan", order_by="EnrolmentLanguage.code"
    )
    topics: Mapped[list[EnrolmentTopic]] = relationship(
        cascade="all, delete-orphan", order_by="EnrolmentTopic.rank"
    )
    #: A mentee's ranked wishes for mentors (`MentorWish`), first wish first.
    wishes: Mapped[list[MentorWish]] = relationship(
        foreign_keys="MentorWish.mentee_id", cascade="all, delete-orphan",
        order_by="MentorWish.rank", passive_deletes=True,
    )

    __table_args__ = (
        UniqueConstraint("programme_id", "user_id", "role"),
        # The applications list sorts a programme's applications newest first and keeps 25:
        # read in this index's order instead of sorting thousands of rows.
        Index("ix_enrolment_programme_newest", "programme_id", "created_at", "id"),
        CheckConstraint("years_experience >= 0 AND years_experience <= 80", name="years_range"),
        CheckConstraint(
            "(role = 'mentor' AND capacity >= 1) OR (role = 'mentee' AND capacity IS NULL)",
            name="capacity_for_mentors",
        ),
        CheckConstraint(
            "live_pairs >= 0 AND ((role = 'mentor' AND live_pairs <= capacity)"
            " OR (role = 'mentee' AND live_pairs <= 1))",
            name="live_pairs_within_capacity",
        ),
    )

    @property
    def language_codes(self) -> list[str]:
        return [language.code for language in self.languages]

    @property
    def topic_labels(self) -> list[str]:
        return [link.topic.label for link in self.topics]

    @property
    def gender_text(self) -> str:
        """The gender answer in the reader's language, or the person's own words."""
        return describe(self.gender, self.gender_self_described)

    @property
    def is_editable(self) -> bool:
        """The applicant may change it until a coordinator decides."""
        return self.status in (EnrolmentStatus.SUBMITTED, EnrolmentStatus.WAITLISTED)

    @property
    def can_withdraw(self) -> bool:
        return self.status != EnrolmentStatus.WITHDRAWN


class EnrolmentLanguage(db.Model):
    __tablename__ = "enrolment_language"

    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolment.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(16), primary_key=True)


class EnrolmentTopic(db.Model):
    """A topic of an application: a mentor's expertise or a mentee's wish, ranked from 1."""

    __tablename__ = "enrolment_topic"

    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolment.id", ondelete="CASCADE"), primary_key=True
    )
    topic_id: Mapped[int] = mapped_column(
        ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    #: 1 is the mentee's most wanted topic; mentors' topics are ranked in list order.
    rank: Mapped[int] = mapped_column(Integer, default=1)

    topic: Mapped[Topic] = relationship(lazy="joined")  # noqa: F821


#: How many mentors a mentee may rank.
MAX_WISHES = 5


class MentorWish(db.Model):
    """A mentor an accepted mentee would like, ranked from 1 (her first wish)."""

    __tablename__ = "mentor_wish"

    mentee_id: Mapped[int] = mapped_column(
        ForeignKey("enrolment.id", ondelete="CASCADE"), primary_key=True
    )
    mentor_id: Mapped[int] = mapped_column(
        ForeignKey("enrolment.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    rank: Mapped[int] = mapped_column(Integer)

    mentor: Mapped[Enrolment] = relationship(foreign_keys=[mentor_id])

    __table_args__ = (
        UniqueConstraint("mentee_id", "rank"),
        CheckConstraint(f"rank >= 1 AND rank <= {MAX_WISHES}", name="rank_range"),
        CheckConstraint("mentee_id <> mentor_id", name="not_oneself"),
    )
