"""The catalogues: every language complete, none fuzzy, placeholders intact, nothing unextracted.

English is the source language (the messages are written in it), so it has no catalogue.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from mentoring.config import DefaultConfig

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "mentoring" / "translations"
TRANSLATED = [code for code in DefaultConfig.LANGUAGES
              if code != DefaultConfig.BABEL_DEFAULT_LOCALE]
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifr]")


def catalogue(locale: str):
    path = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def messages(locale: str):
    return [message for message in catalogue(locale) if message.id]


def msgids(message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


def msgstrs(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


@pytest.fixture(scope="module")
def extracted() -> set[str]:
    """Every message the source code and templates use, extracted as `make translations` does."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    found = set()

    # As `make translations` does: Babel's default would skip folders starting with "_", and
    # templates/_macros holds messages.
    def directory_filter(path: str) -> bool:
        name = Path(path).name
        return not name.startswith(".") and name != "__pycache__"

    for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords,
            directory_filter=directory_filter):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_the_six_un_languages_are_offered():
    assert sorted(DefaultConfig.LANGUAGES) == ["ar", "en", "es", "fr", "ru", "zh"]


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_message_is_translated_and_none_is_fuzzy(locale):
    cat = catalogue(locale)
    fuzzy = [msgids(m)[0] for m in cat if m.id and m.fuzzy]
    missing = [msgids(m)[0] for m in cat if m.id and not all(s.strip() for s in msgstrs(m))]
    wrong_forms = [msgids(m)[0] for m in cat
                   if m.id and m.pluralizable and len(msgstrs(m)) != cat.num_plurals]
    assert not fuzzy, f"{locale}: {len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"
    assert not missing, f"{locale}: {len(missing)} untranslated, e.g. {missing[:5]}"
    assert not wrong_forms, f"{locale}: wrong number of plural forms in {wrong_forms[:5]}"


@pytest.mark.parametrize("locale", TRANSLATED)
def test_translations_keep_the_placeholders(locale):
    """A translation names the same %(placeholders)s as its message (a plural form may leave
    out the number, as in Arabic's own words for one and two), and formats without error."""
    broken = []
    for message in messages(locale):
        wanted = set(PLACEHOLDER.findall(" ".join(msgids(message))))
        for index, text in enumerate(msgstrs(message)):
            if not text:
                continue  # reported as untranslated
            used = set(PLACEHOLDER.findall(text))
            allowed_missing = {"num"} if message.pluralizable else set()
            if used - wanted or (wanted - used) - allowed_missing:
                broken.append((msgids(message)[0], index, text))
                continue
            if "python-format" in message.flags:
                try:
                    text % _AnyValue()
                except (ValueError, TypeError, KeyError) as error:
                    broken.append((msgids(message)[0], index, f"{text!r}: {error}"))
    assert not broken, f"{locale}: {len(broken)} broken, e.g. {broken[:5]}"


class _AnyValue(dict):
    def __missing__(self, key):
        return 1


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_string_in_the_code_and_templates_is_in_the_catalogue(locale, extracted):
    known = {msgids(m)[0] for m in messages(locale)}
    absent = sorted(extracted - known)
    assert not absent, (f"{locale}: {len(absent)} messages are not in the catalogue (run "
                        f"`make translations` and translate them), e.g. {absent[:5]}")


def test_templates_have_no_text_outside_the_translation_function():
    """Words a reader sees are in ``_()``: strip Jinja and HTML tags, and no word is left."""
    left = {}
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = path.read_text()
        for pattern in (r"{#.*?#}", r"{%.*?%}", r"{{.*?}}", r"<script.*?</script>", r"<[^>]*>"):
            text = re.sub(pattern, " ", text, flags=re.S)
        words = re.findall(r"[^\W\d_]{2,}", text)
        if words:
            left[str(path.relative_to(ROOT))] = words[:5]
    assert not left, f"text not wrapped for translation: {left}"


def test_attributes_people_read_are_translated():
    """aria-label, title, placeholder and alt are written with ``_()`` too."""
    literal = re.compile(r'\b(aria-label|title|placeholder|alt)="[^"{]*[^\W\d_][^"{]*"')
    found = {str(p.relative_to(ROOT)): literal.findall(p.read_text())
             for p in (ROOT / "templates").rglob("*.html")}
    assert not {k: v for k, v in found.items() if v}
