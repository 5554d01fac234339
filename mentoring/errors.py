"""Error pages, in the interface language; JSON for clients that ask for it.

The services' ``NotFound`` and ``Forbidden`` become the 404 and 403 pages here, once for the
whole site, after the unit of work is rolled back.
"""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .extensions import db
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
        return render(500)
