"""A programme's quotas (rules on the matched pairs every run must meet) and the blocking
pairs of its latest matching run."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..gender import Gender
from ._types import UTCDateTime, enum_type, utcnow


class CrossRegion(enum.StrEnum):
    """Which pairs a quota counts by the two people's regions."""

    ANY = "any"
    DIFFERENT = "different"
    SAME = "same"


class QuotaUnit(enum.StrEnum):
    """A quota's value: a number of pairs, or a percentage of all pairs or of the group."""

    COUNT = "count"
    PERCENT = "percent"


class MatchingQuota(db.Model):
    """One quota of a programme: the pairs it counts (filters on the mentee and the mentor, and
    their regions) and its bound. `services.quotas.engine_json` turns it into the engine's rule
    (`matching.quotas`), whose parser is the one judge of what is valid."""

    __tablename__ = "matching_quota"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    #: Filters on each side; None (or "") counts everyone. A removed region or topic takes
    #: the rules naming it along (a rule on something gone cannot be counted).
    mentee_region_id: Mapped[int | None] = mapped_column(
        ForeignKey("region.id", ondelete="CASCADE"))
    mentee_gender: Mapped[Gender | None] = mapped_column(enum_type(Gender, "quota_mentee_gender"))
    mentee_language: Mapped[str] = mapped_column(String(16), default="")
    mentee_topic_id: Mapped[int | None] = mapped_column(ForeignKey("topic.id", ondelete="CASCADE"))
    mentor_region_id: Mapped[int | None] = mapped_column(
        ForeignKey("region.id", ondelete="CASCADE"))
    mentor_gender: Mapped[Gender | None] = mapped_column(enum_type(Gender, "quota_mentor_gender"))
    mentor_language: Mapped[str] = mapped_column(String(16), default="")
    mentor_topic_id: Mapped[int | None] = mapped_column(ForeignKey("topic.id", ondelete="CASCADE"))
    cross_region: Mapped[CrossRegion] = mapped_column(
        enum_type(CrossRegion, "quota_cross_region", 9), default=CrossRegion.ANY)
    #: True: at least `value`; False: at most.
    at_least: Mapped[bool] = mapped_column(Boolean, default=True)
    #: A number of pairs, or a whole percentage (of `of_group`'s base).
    value: Mapped[int] = mapped_column(Integer)
    unit: Mapped[QuotaUnit] = mapped_column(enum_type(QuotaUnit, "quota_unit", 7),
                                            default=QuotaUnit.COUNT)
    #: A percentage of the accepted mentees passing the mentee filters (True) or of all
    #: matched pairs (False).
    of_group: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    mentee_region = relationship("Region", foreign_keys=[mentee_region_id])
    mentor_region = relationship("Region", foreign_keys=[mentor_region_id])
    mentee_topic = relationship("Topic", foreign_keys=[mentee_topic_id])
    mentor_topic = relationship("Topic", foreign_keys=[mentor_topic_id])

    __table_args__ = (
        UniqueConstraint("programme_id", "name"),
        CheckConstraint("value >= 0", name="value_not_negative"),
    )


class BlockingPair(db.Model):
    """A blocking pair of a programme's latest matching run: a mentee and a mentor, not
    paired, who would both rather be together (`matching.stability`). Earlier runs' rows are
    deleted by the next run, and a run keeps at most `services.blocking.KEPT` of them."""

    __tablename__ = "blocking_pair"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("matching_run.id", ondelete="CASCADE"), primary_key=True)
    mentee_id: Mapped[int] = mapped_column(
        ForeignKey("enrolment.id", ondelete="CASCADE"), primary_key=True)
    mentor_id: Mapped[int] = mapped_column(
        ForeignKey("enrolment.id", ondelete="CASCADE"), primary_key=True, index=True)
    #: The pair's score.
    score: Mapped[int] = mapped_column(Integer)
    #: The mentee's score with her own mentor in the run; None when she was unmatched.
    mentee_score: Mapped[int | None] = mapped_column(Integer)
    #: The lowest score among the mentor's mentees the run could move; None when she had a
    #: free place.
    mentor_lowest: Mapped[int | None] = mapped_column(Integer)

    mentee = relationship("Enrolment", foreign_keys=[mentee_id])
    mentor = relationship("Enrolment", foreign_keys=[mentor_id])
