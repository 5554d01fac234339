"""Writing to the audit trail."""

from __future__ import annotations

from typing import Any

from ..extensions import db
from ..models import AuditEvent


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
