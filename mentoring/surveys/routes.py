"""Surveys: a coordinator sets the questions and sends them; a participant answers once."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from ..boundary import perform
from ..permissions import Scope, coordinator_required
from ..services import Forbidden, surveys
from . import bp
from .forms import SurveyAnswersForm, SurveyForm


@bp.route("/coordinate/<slug>/surveys", methods=["GET", "POST"])
@coordinator_required
def surveys_page(scope: Scope):
    items = {kind: surveys.survey_for(scope.programme, kind) for kind in surveys.KINDS}
    form = SurveyForm()
    if form.validate_on_submit():
        if scope.is_regional:
            raise Forbidden("the programme's coordinators set the surveys")
        survey = items.get(form.kind.data)
        if survey is None:
            abort(400)

        def save():
            surveys.update(current_user, survey, form.questions.data or "", form.anonymous.data)
            return surveys.send(current_user, survey) if form.sends else None

        done = perform(save)
        if done and form.sends:
            flash(ngettext("The survey is sent to %(num)d person.",
                           "The survey is sent to %(num)d people.", done.value), "success")
        elif done:
            flash(_("Survey saved."), "success")
        return redirect(url_for("surveys.surveys_page", slug=scope.programme.slug))
    answers = {kind: surveys.responses_in_scope(item, scope) for kind, item in items.items()}
    return render_template(
        "surveys/surveys.html", scope=scope, programme=scope.programme, items=items,
        answers=answers, results={
            kind: surveys.results(item, answers[kind],
                                  hide_small=surveys.hides_small_means(scope))
            for kind, item in items.items()}, form=form)


@bp.route("/surveys/<int:survey_id>", methods=["GET", "POST"])
@login_required
def answer(survey_id: int):
    item = surveys.survey_to_answer(current_user, survey_id)
    answered = surveys.has_answered(current_user, item)
    form = SurveyAnswersForm.for_survey(item)
    if not answered and form.validate_on_submit() and perform(
            lambda: surveys.answer(current_user, item, form.answers())):
        flash(_("Thank you: your answers are saved."), "success")
        return redirect(url_for("enrolment.my_programmes"))
    return render_template("surveys/answer.html", survey=item, programme=item.programme,
                           answered=answered, form=form)
