"""Forms of the coordinators' pairs at work."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField

from ..forms import ActionForm


class EndPairForm(ActionForm):
    """End a pair early, with a reason; the mentee may be matched again."""

    rematch = BooleanField(_l("Match the mentee again"), default=True)
