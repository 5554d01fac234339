"""The programme's mid-programme and end-of-programme surveys: questions, sending, answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import (
    DEFAULT_QUESTIONS,
    Enrolment,
    Pairing,
    PairingStatus,
    Programme,
    Survey,
    SurveyResponse,
    User,
)
from ..models._types import utcnow
from ..models.aliases import MENTEE
from . import Forbidden, NotFound, Refused, audit, found, mail
from . import dashboard as figures
from .links import external_url
from .scope import Scope

KINDS = ("mid", "end")
MAX_QUESTIONS = 10


def survey_for(programme: Programme, kind: str) -> Survey:
    """The programme's survey of this kind; until it is first saved, an unsaved one with the
    default questions (reading a page writes nothing)."""
    if kind not in KINDS:
        raise NotFound(kind)
    survey = db.session.scalar(select(Survey).where(Survey.programme_id == programme.id,
                                                    Survey.kind == kind))
    if survey is None:
        survey = Survey(programme_id=programme.id, kind=kind,
                        questions=default_questions(programme.default_locale), anonymous=True)
    return survey


def stored(survey: Survey) -> Survey:
    """The survey, saved if it was not yet (the work that changes it calls this)."""
    if survey.id is None:
        db.session.add(survey)
        db.session.flush()
    return survey


def default_questions(default_locale: str) -> list[dict]:
    """The starting questions in the programme's language, with every interface language's
    version as their translations."""
    questions = []
    for question in DEFAULT_QUESTIONS:
        versions = {}
        for locale in current_app.config["LANGUAGES"]:
            with force_locale(locale):
                versions[locale] = str(question["text"])
        questions.append({"kind": question["kind"], "text": versions.get(default_locale,
                                                                         str(question["text"])),
                          "translations": {k: v for k, v in versions.items()
                                           if k != default_locale}})
    return questions


def parse_questions(text: str, previous: list[dict] | None = None) -> list[dict]:
    """One question a line: "rating: ..." (1 to 5) or "text: ..." (a comment).

    A question whose text is unchanged from ``previous`` keeps its translations."""
    kept = {q["text"]: q.get("translations") for q in previous or [] if q.get("translations")}
    questions = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        kind, _sep, question = line.partition(":")
        kind = kind.strip().lower()
        if kind not in ("rating", "text") or not question.strip():
            raise Refused(_("Line %(line)d: start with \"rating:\" or \"text:\" and then "
                                 "the question.", line=number), "questions")
        entry = {"kind": kind, "text": question.strip()[:300]}
        if kept.get(entry["text"]):
            entry["translations"] = kept[entry["text"]]
        questions.append(entry)
    if not 1 <= len(questions) <= MAX_QUESTIONS:
        raise Refused(_("Ask from 1 to %(max)d questions.", max=MAX_QUESTIONS), "questions")
    return questions


def update(actor, survey: Survey, questions_text: str, anonymous: bool) -> None:
    if survey.sent_at is not None:
        raise Refused(_("This survey has been sent: its questions can no longer change."))
    stored(survey)
    before = {"questions": survey.questions, "anonymous": survey.anonymous}
    survey.questions = parse_questions(questions_text, survey.questions)
    survey.anonymous = anonymous
    audit.record("survey.update", actor=actor,
                 programme=db.session.get(Programme, survey.programme_id), target=survey,
                 before=before, after={"questions": survey.questions, "anonymous": anonymous})


def participants(programme: Programme, kind: str) -> list[User]:
    """Everyone in an announced pair (completed pairs too, for the end survey)."""
    statuses = [PairingStatus.ACTIVE] + ([PairingStatus.COMPLETED] if kind == "end" else [])
    ids = set()
    for mentee_id, mentor_id in db.session.execute(select(Pairing.mentee_id, Pairing.mentor_id)
                                                   .where(Pairing.programme_id == programme.id,
                                                          Pairing.status.in_(statuses))):
        ids.update((mentee_id, mentor_id))
    if not ids:
        return []
    return list(db.session.scalars(select(User).join(Enrolment, Enrolment.user_id == User.id)
                                   .where(Enrolment.id.in_(ids)).distinct().order_by(User.id)))


def send(actor, survey: Survey) -> int:
    """Email the survey to every participant once; returns how many were emailed."""
    if survey.sent_at is not None:
        raise Refused(_("This survey has already been sent."))
    programme = db.session.get(Programme, survey.programme_id)
    people = participants(programme, survey.kind)
    if not people:
        raise Refused(_("No pair is at work yet: there is nobody to send the survey to."))
    stored(survey)
    link = external_url("surveys.answer", survey_id=survey.id)
    for person in people:
        mail.queue_template(person, "survey", kind="survey", locale=programme.default_locale,
                            programme=programme, survey=survey, link=link)
    survey.sent_at = utcnow()
    audit.record("survey.send", actor=actor, programme=programme, target=survey,
                 after={"kind": survey.kind, "recipients": len(people)})
    return len(people)


def may_answer(user: User, survey: Survey) -> bool:
    programme = db.session.get(Programme, survey.programme_id)
    return survey.sent_at is not None and user.id in {p.id for p in participants(
        programme, survey.kind)}


def survey_to_answer(user: User, survey_id: int) -> Survey:
    """A survey sent to the person: NotFound when there is none, Forbidden when not hers."""
    survey = found(Survey, survey_id)
    if not may_answer(user, survey):
        raise Forbidden(survey_id)
    return survey


def has_answered(user: User, survey: Survey) -> bool:
    return db.session.scalar(select(SurveyResponse.id).where(
        SurveyResponse.survey_id == survey.id, SurveyResponse.user_id == user.id)) is not None


def answer(user: User, survey: Survey, answers: list) -> SurveyResponse:
    """Record one person's answers, once."""
    if not may_answer(user, survey):
        raise Forbidden(survey.id)
    if has_answered(user, survey):
        raise Refused(_("You have already answered this survey. Thank you!"))
    clean = []
    for question, value in zip(survey.questions, answers, strict=True):
        if question["kind"] == "rating":
            if value not in (None, "") and not (isinstance(value, int) and 1 <= value <= 5):
                raise Refused(_("Give ratings from 1 to 5."))
            clean.append(value if value not in ("",) else None)
        else:
            clean.append(str(value or "").strip()[:4000])
    response = SurveyResponse(survey_id=survey.id, user_id=user.id, answers=clean)
    db.session.add(response)
    db.session.flush()
    return response


@dataclass
class QuestionResult:
    question: dict
    ratings: list[int] = field(default_factory=list)
    comments: list[tuple[str | None, str]] = field(default_factory=list)
    #: Whether a mean of 1 to 4 ratings is hidden (see `shown_mean`).
    hide_small: bool = True

    @property
    def mean(self) -> float | None:
        return round(sum(self.ratings) / len(self.ratings), 1) if self.ratings else None

    @property
    def shown_mean(self) -> float | str | None:
        """The mean as the reader may see it: None without any rating; with 1 to 4 ratings
        (the dashboard's rule 1, `dashboard.SUPPRESS_BELOW`) `dashboard.SMALL`, "fewer than
        5", since the mean of so few can tell one person's answer (two answers in a
        co-chair's region, and she knows one of them); else the mean."""
        if self.hide_small and figures.is_small(len(self.ratings)):
            return figures.SMALL
        return self.mean


def hides_small_means(scope: Scope) -> bool:
    """Whether the surveys page hides means of 1 to 4 ratings: for a regional co-chair. The
    programme's coordinators read every answer there (with names, when the survey is not
    anonymous), so a mean hides nothing from them; the report hides them for everyone."""
    return scope.is_regional


def responses_in_scope(survey: Survey, scope: Scope) -> list[SurveyResponse]:
    """The answers a coordinator may read: all of them, or for a regional co-chair those of
    people in a pair whose mentee is in her region (a mentor with mentees in two regions
    counts in both: her name is on both co-chairs' pages already)."""
    if scope.region is None:
        return list(survey.responses)
    mentee = MENTEE
    pairs = (select(Pairing.mentee_id, Pairing.mentor_id)
             .join(mentee, Pairing.mentee_id == mentee.id)
             .where(Pairing.programme_id == survey.programme_id,
                    mentee.region_id == scope.region.id))
    enrolment_ids = {i for row in db.session.execute(pairs) for i in row}
    people = set(db.session.scalars(select(Enrolment.user_id).where(
        Enrolment.id.in_(enrolment_ids)))) if enrolment_ids else set()
    return [response for response in survey.responses if response.user_id in people]


def results(survey: Survey, responses: list[SurveyResponse] | None = None,
            comments: bool = True, hide_small: bool = True) -> list[QuestionResult]:
    """Answers per question: ratings and comments (without names when anonymous), of
    ``responses`` (by default every response); ``comments=False`` leaves the comments out
    (and reads no names); ``hide_small=False`` shows the mean of 1 to 4 ratings (see
    `hides_small_means`)."""
    out = [QuestionResult(question, hide_small=hide_small) for question in survey.questions]
    for response in survey.responses if responses is None else responses:
        for result, value in zip(out, response.answers, strict=False):
            if result.question["kind"] == "rating" and isinstance(value, int):
                result.ratings.append(value)
            elif comments and result.question["kind"] == "text" and value:
                name = None if survey.anonymous else response.user.name
                result.comments.append((name, value))
    return out


@dataclass(frozen=True)
class SurveyRatings:
    """A sent survey's figures for a report: how many answered, and each rating question's
    ratings (its comments are not part of it)."""

    kind: str
    survey: Survey
    responses: int
    questions: list[QuestionResult]


def ratings(scope: Scope) -> list[SurveyRatings]:
    """Each survey sent, with the answers the scope may read (``responses_in_scope``, as the
    surveys page: a co-chair's region only) counted and their ratings per question; the
    comments are left out, since they are people's own words. A mean of 1 to 4 ratings is
    hidden for every reader (`QuestionResult.shown_mean`): the report is shown to others."""
    out = []
    for kind in KINDS:
        survey = survey_for(scope.programme, kind)
        if survey.sent_at is None:
            continue
        responses = responses_in_scope(survey, scope)
        out.append(SurveyRatings(kind, survey, len(responses), [
            result for result in results(survey, responses, comments=False)
            if result.question["kind"] == "rating"]))
    return out


def due(programme: Programme, today: date) -> list[str]:
    """Surveys whose time has come: "mid" from the programme's middle, "end" from its end."""
    if not (programme.starts_on and programme.ends_on):
        return []
    middle = programme.starts_on + (programme.ends_on - programme.starts_on) / 2
    kinds = []
    if today >= middle:
        kinds.append("mid")
    if today >= programme.ends_on:
        kinds.append("end")
    return kinds
