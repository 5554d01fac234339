"""Route for a programme's content in other languages (name, description, topics, surveys)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..data import language_name
from ..extensions import db
from ..forms import ConfirmForm
from ..i18n import current_locale
from ..permissions import Scope, coordinator_required
from ..services import ServiceError
from ..services import content as service
from . import bp


@bp.route("/<slug>/translations", methods=["GET", "POST"])
@coordinator_required
def translations(scope: Scope):
    programme = scope.programme
    locales = service.target_locales(programme)
    locale = request.args.get("lang") or (locales[0] if locales else "")
    if locale not in locales:
        abort(404)
    texts = service.content(programme, locale)
    db.session.commit()  # the default surveys, created on first visit
    form = ConfirmForm()
    errors: dict[str, str] = {}
    if request.method == "POST":
        if scope.is_regional:
            abort(403)
        if form.validate_on_submit():
            try:
                service.save(current_user, programme, locale, request.form.to_dict())
            except ServiceError as error:
                db.session.rollback()
                errors.update(error.errors)
            else:
                db.session.commit()
                flash(_("The %(language)s version is saved.",
                        language=language_name(locale, current_locale())), "success")
                return redirect(url_for("coordination.translations", slug=programme.slug,
                                        lang=locale))
        else:
            errors[""] = " ".join(form.csrf_token.errors)
        for item in texts.items():  # show what was typed, with the errors
            item.value = request.form.get(item.key, "")
    return render_template(
        "coordination/translations.html", scope=scope, programme=programme, texts=texts,
        locales=locales, locale=locale, form=form, errors=errors,
        language=language_name(locale, current_locale()),
        default_language=language_name(programme.default_locale, current_locale()))
