"""The blocking pairs of a programme's latest matching run, kept for the coordinators to read.

The engine lists them in every result (`matching.stability`). A run keeps its count in its
summary and at most :data:`KEPT` of them as rows (with what makes each one block: the mentee's
own score, the mentor's free place or lowest score), and deletes the rows of the programme's
earlier runs, so the table holds one run's list per programme.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import selectinload
from sqlalchemy.sql import Select

from ..extensions import db
from ..models import BlockingPair, Enrolment, MatchingRun
from .scope import Scope

#: The most blocking pairs a run keeps as rows (the count in the summary is always whole).
KEPT = 10_000


def store(run: MatchingRun, result, mentors) -> None:
    """Write the run's blocking pairs (the first KEPT, by mentee then mentor) and delete the
    rows of the programme's earlier runs."""
    earlier = select(MatchingRun.id).where(MatchingRun.programme_id == run.programme_id,
                                           MatchingRun.id != run.id)
    db.session.execute(delete(BlockingPair).where(BlockingPair.run_id.in_(earlier))
                       .execution_options(synchronize_session=False))
    if not result.blocking:
        return
    own = {pair.mentee_id: pair.score for pair in result.pairs}
    places = {mentor.id: mentor.capacity for mentor in mentors}
    used = Counter(pair.mentor_id for pair in result.pairs)
    lowest: dict = {}
    for pair in result.pairs:
        if not pair.locked:  # a locked mentee cannot be moved: she is no one's bar
            lowest[pair.mentor_id] = min(pair.score, lowest.get(pair.mentor_id, pair.score))
    rows = [{"run_id": run.id, "mentee_id": b.mentee_id, "mentor_id": b.mentor_id,
             "score": b.score, "mentee_score": own.get(b.mentee_id),
             "mentor_lowest": None if used[b.mentor_id] < places.get(b.mentor_id, 0)
             else lowest.get(b.mentor_id)}
            for b in result.blocking[:KEPT]]
    db.session.execute(insert(BlockingPair.__table__), rows)


def listing(scope: Scope, run: MatchingRun) -> Select:
    """The run's blocking pairs by mentee then mentor; a regional co-chair's, those whose
    mentee is in her region (the mentors are the programme's common pool)."""
    query = (select(BlockingPair).where(BlockingPair.run_id == run.id)
             .options(selectinload(BlockingPair.mentee).selectinload(Enrolment.user),
                      selectinload(BlockingPair.mentor).selectinload(Enrolment.user))
             .order_by(BlockingPair.mentee_id, BlockingPair.mentor_id))
    if scope.region is not None:
        query = query.join(Enrolment, Enrolment.id == BlockingPair.mentee_id).where(
            Enrolment.region_id == scope.region.id)
    return query
