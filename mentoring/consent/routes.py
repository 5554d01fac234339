"""The mentor's answer (signed in, or from the emailed link) and the coordinators' setting."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..boundary import perform
from ..permissions import Scope, coordinator_required
from ..services import Forbidden, Refused
from ..services import consent as service
from . import bp
from .forms import AnswerForm, SettingForm


def _answered(outcome) -> None:
    if outcome.value.accepted:
        flash(_("Thank you: you accepted. The coordinators will introduce you."), "success")
    else:
        flash(_("Thank you: you declined. The coordinators will find another mentor."),
              "success")


def _answer_page(asked: service.Asked, back: str):
    """The page and its POST, for the signed-in mentor and for the link alike."""
    form = AnswerForm()
    if form.validate_on_submit():
        done = perform(lambda: service.answer(asked, bool(form.accept.data),
                                              form.reason.data or ""), form=form)
        if done:
            _answered(done)
            return redirect(back)
    return render_template("consent/answer.html", asked=asked, form=form,
                           pairing=asked.pairing, mentee=asked.pairing.mentee,
                           programme=asked.pairing.mentee.programme)


@bp.route("/consent/<int:pairing_id>", methods=["GET", "POST"])
@login_required
def answer(pairing_id: int):
    asked = service.asked_of(current_user, pairing_id)
    return _answer_page(asked, url_for("consent.answer", pairing_id=pairing_id))


@bp.route("/consent/link/<token>", methods=["GET", "POST"])
def answer_by_link(token: str):
    """The emailed link: its GET only shows the page (mail scanners open links); the answer
    is the page's POST, with its CSRF token. The signed link is the authority, so a mentor
    who is not signed in can answer."""
    try:
        asked = service.asked_by_link(token)
    except Refused as error:
        return render_template("meetings/link_refused.html", message=error.message), 400
    return _answer_page(asked, url_for("consent.answer_by_link", token=token))


@bp.route("/coordinate/<slug>/consent", methods=["GET", "POST"])
@coordinator_required
def setting(scope: Scope):
    programme = scope.programme
    form = (SettingForm(data={"ask": programme.mentor_consent,
                              "deadline": programme.consent_deadline})
            if request.method == "GET" else SettingForm())
    if request.method == "POST" and scope.is_regional:
        raise Forbidden("the programme's coordinators decide whether mentors are asked")
    if form.validate_on_submit() and perform(
            lambda: service.save_setting(current_user, scope, form.ask.data,
                                         form.deadline.data), form=form):
        flash(_("Settings for mentors' consent saved."), "success")
        return redirect(url_for("consent.setting", slug=programme.slug))
    return render_template("consent/setting.html", scope=scope, programme=programme,
                           form=form, summary=service.summary(scope))
