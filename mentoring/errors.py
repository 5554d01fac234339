"""Error pages, in the interface language; JSON for clients that ask for it.

The services' ``NotFound`` and ``Forbidden`` become the 404 and 403 pages here, once for the
whole site, after the unit of work is rolled back.
"""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .extensions import db
from .locales import is_rtl
from .services import Forbidden, NotFound


def _messages():
    return {
        400: (_("Bad request"), _("The request could not be understood. Go back and try again.")),
        403: (_("Not allowed"), _("You do not have permission to see or change this.")),
        404: (_("Not found"), _("There is nothing at this address.")),
        405: (_("Not allowed"), _("This page cannot be used that way.")),
        413: (_("File too large"),
              _("The file is larger than the limit of 2 MB. Split it and try again.")),
        429: (_("Too many attempts"),
              _("You have tried too often in a short time. Wait a minute and try again.")),
        500: (_("Something went wrong"),
              _("An unexpected error happened. It has been logged; please try again.")),
    }


def _plain_500():
    """The 500 page without the site's layout: no database, no signed-in person."""
    from flask_babel import force_locale

    locale = request.accept_languages.best_match(current_app.config["LANGUAGES"]) or "en"
    try:
        with force_locale(locale):
            title, message = _messages()[500]
            # Straight from the environment: context processors would ask who is signed in.
            return current_app.jinja_env.get_template("errors/plain.html").render(
                title=title, message=message, home=_("Go to the programmes"), locale=locale,
                direction="rtl" if is_rtl(locale) else "ltr")
    except Exception:
        return "<!doctype html><title>Error</title><h1>Something went wrong</h1>"


def register(app: Flask) -> None:
    def render(code: int, detail: str | None = None):
        title, message = _messages().get(code, _messages()[500])
        if request.accept_mimetypes.best == "application/json":
            return {"error": title, "message": detail or message}, code
        return render_template("errors/error.html", code=code, title=title,
                               message=detail or message), code

    @app.errorhandler(CSRFError)
    def _csrf(error):
        return render(400, _("The form has expired or was sent from another site. "
                             "Reload the page and try again."))

    @app.errorhandler(NotFound)
    def _not_found(error):
        db.session.rollback()
        return render(404)

    @app.errorhandler(Forbidden)
    def _forbidden(error):
        db.session.rollback()
        return render(403)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return render(error.code)

    @app.errorhandler(500)
    def _server(error):
        try:
            db.session.rollback()
            return render(500)
        except Exception:  # the site itself is in trouble (say, the database is down)
            app.logger.exception("the error page could not be drawn; showing the plain one")
            return _plain_500(), 500
