"""A survey's questions (coordinators) and the answers to it (participants)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..forms import options


class SurveyForm(FlaskForm):
    """A survey's questions and anonymity; the button pressed says whether to send it too."""

    kind = HiddenField(validators=[DataRequired()])
    questions = TextAreaField(_l("Questions, one per line"), validators=[Length(max=5000)])
    anonymous = BooleanField(_l("Show the answers to coordinators without names"))
    action = StringField()

    @property
    def sends(self) -> bool:
        return self.action.data == "send"


class SurveyAnswersForm(FlaskForm):
    """Answers to a survey: a 1-5 rating or a comment per question (``q0``, ``q1``...), built
    from the survey's own questions by :meth:`for_survey`."""

    @classmethod
    def for_survey(cls, survey) -> SurveyAnswersForm:
        fields = {}
        for index, question in enumerate(survey.questions):
            if question["kind"] == "rating":
                fields[f"q{index}"] = RadioField(
                    coerce=int, validators=[Optional()],
                    choices=options([(value, str(value)) for value in range(5, 0, -1)]))
            else:
                fields[f"q{index}"] = TextAreaField(validators=[Length(max=4000)])
        form = type("SurveyQuestionsForm", (cls,), fields)()
        form.questions = survey.questions
        return form

    def answers(self) -> list:
        """One answer per question, in order: an int 1-5 or None, or the comment's text."""
        out = []
        for index, question in enumerate(self.questions):
            value = self[f"q{index}"].data
            out.append(value if question["kind"] == "rating" else (value or "").strip())
        return out
