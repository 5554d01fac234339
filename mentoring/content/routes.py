"""Route for a programme's content in other languages (name, description, topics, surveys)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..boundary import perform
from ..data import language_name
from ..i18n import current_locale
from ..permissions import Scope, coordinator_required
from ..services import Forbidden
from ..services import content as service
from . import bp
from .forms import TranslationsForm


@bp.route("/<slug>/translations", methods=["GET", "POST"])
@coordinator_required
def translations(scope: Scope):
    programme = scope.programme
    locales = service.target_locales(programme)
    locale = request.args.get("lang") or (locales[0] if locales else "")
    texts = service.content(programme, locale, scope.region)
    form = TranslationsForm.for_content(texts)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if scope.is_regional:
            raise Forbidden("the programme's coordinators write its content")
        if not form.validate_on_submit():
            errors[""] = " ".join(form.csrf_token.errors)
        else:
            done = perform(lambda: service.save(current_user, programme, locale,
                                                form.texts()), form=form)
            if done:
                flash(_("The %(language)s version is saved.",
                        language=language_name(locale, current_locale())), "success")
                return redirect(url_for("content.translations", slug=programme.slug,
                                        lang=locale))
            errors.update(done.refusal.errors)
        for item in texts.items():  # show what was typed, with the errors
            item.value = form.texts().get(item.key, "")
    return render_template(
        "content/translations.html", scope=scope, programme=programme, texts=texts,
        locales=locales, locale=locale, form=form, errors=errors,
        language=language_name(locale, current_locale()),
        default_language=language_name(programme.default_locale, current_locale()))
