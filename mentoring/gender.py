"""Gender, the one definition: the answers the application form offers, what each counts as.

The matching rule, the dashboard, the exports and the pages all read `Enrolment.gender`, one of
`Gender` (or None when not given); the engine gets the plain value (`"woman"`) from
`services.matching.to_profile`. Words written freely (a spreadsheet's column) become an answer
through `from_words`; what they cannot map stays as the person's own description.
"""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class Gender(enum.StrEnum):
    WOMAN = "woman"
    MAN = "man"
    NON_BINARY = "non_binary"
    UNDISCLOSED = "undisclosed"
    SELF_DESCRIBED = "self_described"


#: The longest self-description kept.
SELF_DESCRIBED_MAX = 60

#: Words people write for themselves that mean "woman" or "man" (compared case- and
#: space-insensitively). The 0006 migration holds a copy, as data, for the answers given before.
WOMAN_WORDS = frozenset({"woman", "women", "female", "f", "w", "femme", "mujer", "mulher",
                         "donna", "امرأة", "أنثى", "女", "女性", "женщина", "жен"})
MAN_WORDS = frozenset({"man", "men", "male", "m", "homme", "hombre", "homem", "uomo", "رجل",
                       "ذكر", "男", "男性", "мужчина", "муж"})
_WORDS = {
    **{word: Gender.WOMAN for word in WOMAN_WORDS},
    **{word: Gender.MAN for word in MAN_WORDS},
    **{word: member for member in Gender for word in (member.value, member.value.replace("_", "-"),
                                                      member.value.replace("_", " "))},
    "nonbinary": Gender.NON_BINARY,
    "prefer not to say": Gender.UNDISCLOSED,
}


def from_words(text: str | None, described: str = "") -> tuple[Gender | None, str]:
    """The answer that free text means, and the self-description to keep (else "").

    "女性" -> (WOMAN, ""), "Male" -> (MAN, ""), "" -> (None, ""),
    "genderqueer" -> (SELF_DESCRIBED, "genderqueer"); "self_described" takes its words from
    `described` (an export's gender_self_described column).
    """
    text, described = (text or "").strip(), (described or "").strip()
    if not text:
        return (Gender.SELF_DESCRIBED, described) if described else (None, "")
    answer = _WORDS.get(" ".join(text.casefold().split()))
    if answer is None:
        return Gender.SELF_DESCRIBED, text
    if answer == Gender.SELF_DESCRIBED:
        return answer, described
    return answer, ""


#: The form's choices and the pages' words, in the reader's language.
LABELS = {
    Gender.WOMAN: _l("Woman"),
    Gender.MAN: _l("Man"),
    Gender.NON_BINARY: _l("Non-binary"),
    Gender.SELF_DESCRIBED: _l("I describe myself as…"),
    Gender.UNDISCLOSED: _l("Prefer not to say"),
}


def describe(gender: Gender | None, self_described: str = "") -> str:
    """The answer as a coordinator reads it: the label, or the person's own words."""
    if gender is None:
        return ""
    if gender == Gender.SELF_DESCRIBED:
        return self_described
    return str(LABELS[gender])


#: The dashboard's groups: women, men, other (who gave another answer), not given.
STATISTICS_GROUPS = ("women", "men", "other", "not given")


def statistics_group(gender: Gender | None) -> str:
    """The group of the dashboard's gender chart an answer counts in."""
    if gender == Gender.WOMAN:
        return "women"
    if gender == Gender.MAN:
        return "men"
    if gender in (Gender.NON_BINARY, Gender.SELF_DESCRIBED):
        return "other"
    return "not given"
