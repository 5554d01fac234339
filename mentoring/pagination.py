"""Paged lists: a page number past the end (a bookmark, a list that shrank, a number too large for
the database) goes to the last page instead of a 404 or an error; a number that is not a positive
whole number means the first page."""

from __future__ import annotations

from flask import abort, redirect, request

from .extensions import db
from .security import whole_number
from .templating import url_with


def paginate(query, **kwargs):
    page = db.paginate(query, page=whole_number(request.args.get("page"), clamp=True) or 1,
                       error_out=False, **kwargs)
    if page.pages and page.page > page.pages:
        abort(redirect(url_with(page=page.pages)))
    return page
