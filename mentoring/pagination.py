"""Paged lists: a page number past the end (a bookmark, a list that shrank) goes to the last page
instead of a 404; a number that is not a positive whole number means the first page."""

from __future__ import annotations

from flask import abort, redirect

from .extensions import db
from .templating import url_with


def paginate(query, **kwargs):
    page = db.paginate(query, error_out=False, **kwargs)
    if page.pages and page.page > page.pages:
        abort(redirect(url_with(page=page.pages)))
    return page
