"""Mid-programme and end-of-programme surveys, with a few questions set per programme."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._types import UTCDateTime, utcnow

#: The questions a new programme's surveys start with.
DEFAULT_QUESTIONS = [
    {"kind": "rating", "text": _l("How useful is the mentoring for you so far?")},
    {"kind": "rating", "text": _l("How well does your partner's expertise fit your needs?")},
    {"kind": "text", "text": _l("What would make the programme better?")},
]


class Survey(db.Model):
    __tablename__ = "survey"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"),
                                              index=True)
    #: "mid" or "end".
    kind: Mapped[str] = mapped_column(String(8))
    #: [{"kind": "rating" | "text", "text": "...", "translations": {"fr": "..."}}], the text
    #: in the programme's default language.
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: Coordinators see the answers without names.
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    programme: Mapped[Programme] = relationship()  # noqa: F821
    responses: Mapped[list[SurveyResponse]] = relationship(cascade="all, delete-orphan")

    __table_args__ = (UniqueConstraint("programme_id", "kind"),)


class SurveyResponse(db.Model):
    __tablename__ = "survey_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    #: Answers in question order: an int 1-5 for ratings, text otherwise ("" when skipped).
    answers: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()  # noqa: F821

    __table_args__ = (UniqueConstraint("survey_id", "user_id"),)
