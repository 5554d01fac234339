"""What a finished job did, in one sentence of the reader's language: the job's page shows it,
and a page whose job finished in its own request (no worker) flashes it, as before jobs."""

from __future__ import annotations

from typing import Any, NamedTuple

from flask_babel import gettext as _
from flask_babel import ngettext

from ..models import JobKind


class Said(NamedTuple):
    message: str
    #: The flash category: "success" when something changed, "info" when nothing did.
    category: str


def outcome(kind: JobKind, result: dict[str, Any]) -> Said:
    """The sentence for a finished job of ``kind`` with ``result`` (announce, approve above,
    decide applications)."""
    if kind == JobKind.ANNOUNCE_PAIRS:
        # When mentors are asked, the pairs still waiting for an answer are said too.
        waiting = [ngettext("%(num)d approved pair waits for its mentor's answer.",
                            "%(num)d approved pairs wait for their mentor's answer.",
                            result["waiting"])] if result.get("waiting") else []
        if result["announced"]:
            return Said(" ".join([ngettext(
                "%(num)d pair announced: both people have been emailed.",
                "%(num)d pairs announced: both people in each have been emailed.",
                result["announced"]), *waiting]), "success")
        return Said(" ".join([_("There was no approved pair to announce."), *waiting]),
                    "info")
    if kind == JobKind.APPROVE_ABOVE:
        message = ngettext("%(num)d pair approved.", "%(num)d pairs approved.",
                           result["approved"])
        if result["skipped"]:
            message += " " + ngettext(
                "%(num)d skipped: the mentee or mentor was already taken.",
                "%(num)d skipped: the mentee or mentor was already taken.", result["skipped"])
        return Said(message, "success")
    if kind == JobKind.DECIDE_APPLICATIONS:
        if result["decided"]:
            return Said(ngettext(
                "Decision saved for %(num)d application; the applicant is emailed.",
                "Decision saved for %(num)d applications; each applicant is emailed.",
                result["decided"]), "success")
        return Said(_("Nothing changed: these applications already had this decision."), "info")
    raise ValueError(f"no sentence for {kind}")  # pragma: no cover - a kind's own partial
