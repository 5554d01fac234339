"""The matching engine's explanations in the reader's language.

The engine returns records (a code and parameters); ``mentoring.matching.explain`` renders them
in English for the command line, and this module renders the same records through Flask-Babel.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from babel import Locale, numbers
from flask_babel import format_date, get_locale, get_translations, ngettext
from flask_babel import gettext as _

from ..data import language_name
from ..locales import current_locale, localized


def _hours(minutes: int) -> str:
    return _decimal_hours(minutes, get_locale())


@lru_cache(maxsize=512)
def _decimal_hours(minutes: int, locale: Locale | None) -> str:
    # Babel reads the locale's number symbols again at every call (0.2 ms), for a few dozen
    # distinct values over a whole list of pairs.
    return numbers.format_decimal(round(minutes / 60, 2), locale=locale)


def _topic_name(name: str, topic_names: dict[str, str] | None) -> str:
    if topic_names is None:
        return name
    if name in topic_names:
        return topic_names[name]
    # An id whose topic was removed since the run.
    return _("a removed topic") if name.isdigit() else name


class _Phrases:
    """Flask-Babel's ``gettext`` and ``ngettext`` over translations looked up once: each call of
    theirs finds the request's domain, locale and catalogue again, and a list of pairs words
    several phrases for every row."""

    def __init__(self) -> None:
        self.translations = get_translations()

    def gettext(self, string: str, **variables: Any) -> str:
        text = self.translations.ugettext(string)
        return text % variables if variables else text

    def ngettext(self, singular: str, plural: str, num: int, **variables: Any) -> str:
        variables.setdefault("num", num)
        return self.translations.ungettext(singular, plural, num) % variables


def part_text(part: dict[str, Any], topic_names: dict[str, str] | None = None,
              phrases: _Phrases | None = None) -> str:
    """One score part as a phrase ("" when there is nothing worth saying).

    ``topic_names`` maps the topics the engine saw (ids; labels in runs stored before topics
    went in by id) to their current label in the reader's language."""
    # The same names as the module's, so that the catalogue's extraction still finds them.
    phrases = phrases or _Phrases()
    _, ngettext = phrases.gettext, phrases.ngettext  # noqa: F811
    code = part.get("code")
    if code == "topics":
        wanted, shared = part["wanted"], part["shared"]
        if wanted == 0:
            return _("no topics stated")
        if shared == 0:
            return ngettext("shares none of %(num)d wanted topic",
                            "shares none of %(num)d wanted topics", wanted)
        return ngettext("shares %(shared)d of %(num)d wanted topic: %(names)s",
                        "shares %(shared)d of %(num)d wanted topics: %(names)s", wanted,
                        shared=shared, names=", ".join(_topic_name(name, topic_names)
                                                       for name in part["names"]))
    if code == "region":
        if part["same"] is None:
            return "" if part["preference"] == "none" else _("region unknown")
        if part["same"]:
            return _("same region (%(region)s)", region=part["mentor_region"])
        return _("other region (%(region)s, mentee %(mentee_region)s)",
                 region=part["mentor_region"], mentee_region=part["mentee_region"])
    if code == "language":
        locale = current_locale()
        level = part["level"]
        if level == "same_first":
            return _("both speak %(language)s first",
                     language=language_name(part["language"], locale))
        if level == "first_spoken":
            return _("speaks the mentee's first language (%(language)s)",
                     language=language_name(part["language"], locale))
        if level == "other":
            return _("shares %(languages)s, not the mentee's first language",
                     languages=", ".join(language_name(code, locale)
                                         for code in part["shared_languages"]))
        return _("no common language")
    if code == "timezone":
        minutes = part["minutes_apart"]
        if minutes is None:
            return _("time zone unknown")
        if minutes == 0:
            return _("same time zone")
        return _("%(hours)s h apart", hours=_hours(minutes))
    if code == "experience":
        years = part["years_ahead"]
        if years is None:
            return _("experience unknown")
        if years == 0:
            return _("same years of experience")
        if years > 0:
            return ngettext("mentor %(num)d year ahead", "mentor %(num)d years ahead", years)
        return ngettext("mentor %(num)d year behind", "mentor %(num)d years behind", -years)
    if code == "wishes":
        if part["count"] == 0:
            return ""
        if part["rank"] is None:
            return _("not among the mentee's wishes")
        return _("the mentee's choice %(rank)d of %(count)d", rank=part["rank"],
                 count=part["count"])
    if code == "circle":
        language = language_name(part["language"], current_locale()) if part["language"] \
            else ""
        shared = ", ".join(_topic_name(name, topic_names) for name in part["shared"])
        if shared:
            return _("meets in %(language)s; shares %(topics)s with others of the circle",
                     language=language, topics=shared)
        return _("meets in %(language)s; shares no wanted topic with the others",
                 language=language)
    if code == "earlier_partners":
        return _("not proposed again: %(names)s (paired before)", names=", ".join(part["names"]))
    if code == "rematch":
        return _("rematched: waiting since %(date)s, %(position)d of %(waiting)d by time "
                 "waited", date=format_date(date.fromisoformat(part["since"])),
                 position=part["position"], waiting=part["waiting"])
    return str(code)


def parts_text(parts: list[dict[str, Any]], programme=None) -> str:
    """The parts as one sentence; topic labels in the reader's language when the programme
    is given."""
    names = None
    if programme is not None:
        # Only the topics the parts name, and the reader's language asked once: this runs for
        # every row of a list of pairs.
        wanted = {name for part in parts if part.get("code") in ("topics", "circle")
                  for name in part["names" if part["code"] == "topics" else "shared"]}
        locale = current_locale()
        names = {}
        for topic in programme.topics if wanted else ():
            for key in (topic.label, str(topic.id)):
                if key in wanted:
                    names[key] = localized(topic.label, topic.translations,
                                           programme.default_locale, locale)
    phrases = _Phrases()
    return "; ".join(text for text in (part_text(part, names, phrases) for part in parts) if text)


def part_label(code: str) -> str:
    labels = {
        "topics": _("Topics"), "region": _("Region"), "language": _("Language"),
        "timezone": _("Time zone"), "experience": _("Experience"), "wishes": _("Wishes"),
    }
    return labels.get(code, code)


def rule_text(code: str) -> str:
    """A hard rule a pair breaks."""
    texts = {
        "no_common_language": _("no common language"),
        "same_organisation": _("same organisation"),
        "experience_gap_below_minimum": _("mentor not enough years ahead"),
        "woman_mentor_required": _("the mentee asked for a woman mentor"),
        "forbidden_by_coordinator": _("forbidden by a coordinator"),
        "same_person": _("same person"),
        "earlier_partner": _("paired before"),
    }
    return texts.get(code, code)


def reason_text(code: str, params: dict[str, Any]) -> str:
    """Why a mentee is left unmatched, and the earlier partners left out for her."""
    text = _reason_text(code, params)
    if params.get("earlier_partners"):
        text = _("%(reason)s; not proposed again: %(names)s (paired before)", reason=text,
                 names=", ".join(params["earlier_partners"]))
    return text


def _reason_text(code: str, params: dict[str, Any]) -> str:
    if code == "no_mentors":
        return _("there are no mentors")
    if code == "no_common_language":
        return _("no mentor shares a language with her")
    if code == "no_compatible_mentor":
        detail = ", ".join(f"{rule_text(rule)}: {count}"
                           for rule, count in sorted(params.get("rules", {}).items()))
        return _("no mentor meets the hard rules (%(detail)s)", detail=detail)
    if code == "compatible_mentors_full":
        return ngettext("the only compatible mentor is full",
                        "every compatible mentor is full (%(num)d compatible)",
                        params.get("compatible", 0))
    if code == "not_chosen":
        return _("left unmatched by the coordinators' choices (%(free)d compatible mentors "
                 "with room)", free=params.get("free", 0))
    return str(code)


def register(app) -> None:
    app.add_template_filter(parts_text, "explain")
    app.add_template_filter(part_label, "part_label")
    app.add_template_filter(rule_text, "rule")
    app.jinja_env.globals["reason_text"] = reason_text
