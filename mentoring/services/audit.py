"""Writing to the audit trail."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert

from ..extensions import db
from ..models import AuditEvent
from ..models._types import utcnow


def record(
    action: str,
    *,
    actor=None,
    programme=None,
    target=None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one event to the trail (flushed with the work it describes)."""
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor is not None and actor.is_authenticated else None,
        programme_id=getattr(programme, "id", None),
        target_type=type(target).__name__.lower() if target is not None else "",
        target_id=getattr(target, "id", None),
        before=before,
        after=after,
    )
    db.session.add(event)
    return event


def record_many(action: str, target_type: str, target_ids, *, actor=None, programme=None,
                before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
                changes: dict[int, tuple[dict, dict]] | None = None) -> None:
    """Add one event per target id in one multi-row INSERT (thousands of pairs approved or
    announced at once); each is the row :func:`record` would write. ``changes`` gives a target
    its own (before, after) in place of the common ones."""
    now = utcnow()
    common = {"action": action, "target_type": target_type, "before": before, "after": after,
              "actor_id": actor.id if actor is not None and actor.is_authenticated else None,
              "programme_id": getattr(programme, "id", None), "created_at": now}
    changes = changes or {}
    rows = [{**common, "target_id": target_id,
             **({"before": changes[target_id][0], "after": changes[target_id][1]}
                if target_id in changes else {})}
            for target_id in target_ids]
    if rows:
        db.session.execute(insert(AuditEvent), rows)
