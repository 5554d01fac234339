"""Reference data a new programme starts from: regions, countries, languages, time zones."""

from __future__ import annotations

from functools import cache, lru_cache
from zoneinfo import available_timezones

import pycountry
from babel import Locale

#: The six UN languages, the default languages of a new programme.
UN_LANGUAGES = ["ar", "zh", "en", "fr", "ru", "es"]

#: Other languages delegates commonly work in, offered when an admin edits a programme.
OTHER_LANGUAGES = ["pt", "de", "it", "ja", "ko", "hi", "sw", "fa", "tr", "id", "ms", "uk"]

# Each ITU member state is placed in the one regional telecommunication organisation a
# programme counts it under; states in two (e.g. Arab states of Africa) go to ASMG.
_ASMG = "DZ BH KM DJ EG IQ JO KW LB LY MR MA OM PS QA SA SO SD SY TN AE YE"
_RCC = "AM AZ BY KZ KG RU TJ TM UZ"
_ATU = (
    "AO BJ BW BF BI CV CM CF TD CD CG CI GQ ER SZ ET GA GM GH GN GW KE LS LR MG MW ML MU MZ NA"
    " NE NG RW ST SN SC SL ZA SS TZ TG UG ZM ZW EH RE YT SH"
)
_CITEL = (
    "AG AR BS BB BZ BO BR CA CL CO CR CU DM DO EC SV GD GT GY HT HN JM MX NI PA PY PE KN LC VC"
    " SR TT US UY VE AI AW BM BQ KY CW FK GF GL GP MQ MS PR BL MF PM SX TC VG VI"
)
_CEPT = (
    "AL AD AT BE BA BG HR CY CZ DK EE FI FR GE DE GR HU IS IE IT LV LI LT LU MT MD MC ME NL MK"
    " NO PL PT RO SM RS SK SI ES SE CH TR UA GB VA AX FO GI GG IM JE SJ"
)
_APT = (
    "AF AU BD BT BN KH CN FJ IN ID IR JP KI KP KR LA MY MV MH FM MN MM NR NP NZ PK PW PG PH WS"
    " SG SB LK TH TL TO TV VU VN HK MO TW AS CK GU NC NF NU MP PF PN TK WF IO CX CC HM"
)

#: The six regional telecommunication organisations, with the countries each counts.
REGIONAL_ORGANISATIONS = [
    ("APT", "Asia-Pacific Telecommunity (APT)", _APT),
    ("ASMG", "Arab Spectrum Management Group (ASMG)", _ASMG),
    ("ATU", "African Telecommunications Union (ATU)", _ATU),
    ("CEPT", "European Conference of Postal and Telecommunications Administrations (CEPT)", _CEPT),
    ("CITEL", "Inter-American Telecommunication Commission (CITEL)", _CITEL),
    ("RCC", "Regional Commonwealth in the field of Communications (RCC)", _RCC),
]


@cache
def country_codes() -> tuple[str, ...]:
    """Every ISO 3166-1 alpha-2 code."""
    return tuple(sorted(country.alpha_2 for country in pycountry.countries))


@lru_cache(maxsize=8192)
def country_name(code: str, locale: str = "en") -> str:
    """The country's name in the interface language (Babel's CLDR names, else ISO's);
    remembered, as lists name the same few countries on every row."""
    name = Locale.parse(locale).territories.get(code)
    if name:
        return name
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code


def country_choices(locale: str = "en") -> list[tuple[str, str]]:
    """(code, name) for every country, sorted by name in the interface language."""
    return sorted(((code, country_name(code, locale)) for code in country_codes()),
                  key=lambda item: item[1].casefold())


@lru_cache(maxsize=8192)
def language_name(code: str, locale: str = "en") -> str:
    """A language's own name in the interface language, e.g. "Arabic" for "ar"
    (remembered, like country names)."""
    name = Locale.parse(locale).languages.get(code)
    return name[:1].upper() + name[1:] if name else code


def find_country(value: str) -> str | None:
    """The alpha-2 code for a code, alpha-3 code or English name; None when unknown."""
    value = value.strip()
    if not value:
        return None
    if len(value) == 2 and value.upper() in country_codes():
        return value.upper()
    try:
        return pycountry.countries.lookup(value).alpha_2
    except LookupError:
        return _codes_by_english_name().get(value.casefold())


@cache
def _codes_by_english_name() -> dict[str, str]:
    # Built once: a CSV import may look up thousands of unknown names.
    names: dict[str, str] = {}
    for code in country_codes():
        names.setdefault(country_name(code).casefold(), code)
    return names


def find_language(value: str, allowed: list[str]) -> str | None:
    """The code among ``allowed`` for a code or an English name ("French", "fr")."""
    folded = value.strip().casefold()
    for code in allowed:
        if folded in (code.casefold(), language_name(code).casefold()):
            return code
    return None


@cache
def timezones() -> tuple[str, ...]:
    """IANA time zone names for people to pick from (no legacy aliases)."""
    names = {
        name
        for name in available_timezones()
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/"))
    }
    names.add("UTC")
    return tuple(sorted(names))
