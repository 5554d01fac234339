"""The programme's content in another language."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import TextAreaField


class TranslationsForm(FlaskForm):
    """The programme's content in one language: one text box per item of ``services.content``
    (built by :meth:`for_content`, since the items are the programme's data)."""

    @classmethod
    def for_content(cls, content) -> TranslationsForm:
        form_class = type("ContentTranslationsForm", (cls,), {
            item.key: TextAreaField() for item in content.items()})
        form = form_class()
        form.content = content
        return form

    def texts(self) -> dict[str, str]:
        """The submitted text of each item, by key."""
        return {item.key: self[item.key].data or "" for item in self.content.items()}
