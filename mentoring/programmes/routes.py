from __future__ import annotations

from flask import render_template
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..models import Enrolment, Programme, ProgrammeStatus
from ..permissions import coordinator_scope
from ..services import NotFound
from ..services.scope import programme_by_slug
from . import bp


@bp.route("/")
def index():
    """Public list: programmes taking applications first, then running ones."""
    programmes = db.session.scalars(
        select(Programme)
        .where(Programme.status != ProgrammeStatus.DRAFT)
        .order_by(Programme.applications_close.is_(None), Programme.applications_close,
                  Programme.name)
    ).all()
    open_now = [p for p in programmes if p.accepts_applications()]
    others = [p for p in programmes if not p.accepts_applications()]
    return render_template("programmes/index.html", open_now=open_now, others=others)


@bp.route("/programmes/<slug>")
def detail(slug: str):
    programme = programme_by_slug(slug)
    # A draft is visible only to those who prepare it.
    if programme.status == ProgrammeStatus.DRAFT and coordinator_scope(programme) is None:
        raise NotFound(slug)
    mine = []
    if current_user.is_authenticated:
        mine = db.session.scalars(
            select(Enrolment).where(Enrolment.programme_id == programme.id,
                                    Enrolment.user_id == current_user.id)
        ).all()
    return render_template("programmes/detail.html", programme=programme,
                           mine={str(e.role): e for e in mine})
