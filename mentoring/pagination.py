"""Paged lists: a page number past the end (a bookmark, a list that shrank, a number too large for
the database) goes to the last page instead of a 404 or an error; a number that is not a positive
whole number means the first page."""

from __future__ import annotations

from flask import abort, redirect, request
from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy import func, select

from .extensions import db
from .security import whole_number
from .templating import url_with


class KeysFirst(SelectPagination):
    """A page of model rows in two steps: the page's primary keys (the filters and the order
    over the narrow rows only), then those rows with what the page shows loaded by ``load``.
    Sorting thousands of rows joined to their people and regions only to keep 50 cost most of
    a list page; now only the page's rows are joined. ``load`` may also choose plain columns
    (the key among them): the page then holds rows, not model objects, which are quicker to
    read when the page only shows columns."""

    def _keys(self):
        query = self._query_args["select"]
        entity = query.column_descriptions[0]["entity"]
        key = entity.__mapper__.primary_key[0]
        return entity, key, query.with_only_columns(key, maintain_column_froms=True)

    def _query_items(self) -> list:
        entity, key, keys = self._keys()
        session = self._query_args["session"]
        ids = session.scalars(keys.limit(self.per_page).offset(self._query_offset)).all()
        if not ids:
            return []
        query = self._query_args["load"](select(entity).where(key.in_(ids)))
        described = query.column_descriptions
        if len(described) == 1 and described[0]["expr"] is entity:
            found = session.scalars(query).unique()
        else:  # plain columns, one of them the key
            found = session.execute(query)
        rows = {getattr(row, key.key): row for row in found}
        return [rows[i] for i in ids]

    def _query_count(self) -> int:
        if self._query_args["total"] is not None:
            return self._query_args["total"]
        _entity, _key, keys = self._keys()
        return self._query_args["session"].scalar(
            select(func.count()).select_from(keys.order_by(None).subquery()))


def _page_number() -> int:
    """The page asked for: a positive whole number, else the first."""
    return whole_number(request.args.get("page"), clamp=True) or 1


def paginate(query, load=None, total=None, **kwargs):
    """``db.paginate`` of ``query``; with ``load`` (a function adding loader options to a
    select of the same model, or choosing its columns), the page's keys first and then its
    rows (see KeysFirst).
    ``total``, when the caller already counted the rows (a list's counts by status), spares
    counting them again."""
    page_number = _page_number()
    if load is None:
        page = db.paginate(query, page=page_number, error_out=False, **kwargs)
    else:
        page = KeysFirst(select=query, session=db.session(), load=load, total=total,
                         page=page_number, error_out=False, **kwargs)
    if page.pages and page.page > page.pages:
        abort(redirect(url_with(page=page.pages)))
    return page


class ListPage(Pagination):
    """A page of a list already in memory (worked out in Python, not by one query)."""

    def _query_items(self) -> list:
        rows = self._query_args["rows"]
        return list(rows[self._query_offset:self._query_offset + self.per_page])

    def _query_count(self) -> int:
        return len(self._query_args["rows"])


def paginate_list(rows: list, per_page: int = 50):
    """A page of ``rows``, numbered as ``paginate``'s (a number past the end: the last)."""
    page_number = _page_number()
    page = ListPage(rows=rows, page=page_number, per_page=per_page, error_out=False)
    if page.pages and page.page > page.pages:
        abort(redirect(url_with(page=page.pages)))
    return page


class KnownPage(Pagination):
    """A page whose items and total are known already (a list's rows cached with their ids):
    numbered as ``paginate``'s, asking the database nothing."""

    def _query_items(self) -> list:
        return list(self._query_args["items"])

    def _query_count(self) -> int:
        return self._query_args["total"]


def known_page(items: list, total: int, **kwargs):
    """The page ``paginate`` gave with these ``items`` and ``total`` (same ``per_page`` and
    ``max_per_page``), for the cached rows of a list."""
    page_number = _page_number()
    return KnownPage(items=items, total=total, page=page_number, error_out=False, **kwargs)
