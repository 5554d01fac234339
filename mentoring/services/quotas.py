"""A programme's quotas: rules on the matched pairs every matching run must meet.

Each quota is a row of its own (`MatchingQuota`); the engine's parser
(`matching.quotas.parse_rules`) is the one judge of what a valid rule is: a row is turned into
the engine's JSON (:func:`engine_json`) and parsed, and what the parser refuses is shown on the
form field it names, in the reader's language. A run passes the parsed rules to the engine; the
run's summary keeps each rule's reached value and the price of the quotas, and rules that
cannot all be met refuse the run with each broken rule's best reachable value.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from ..extensions import db
from ..gender import Gender
from ..matching.quotas import QuotaError, QuotasUnmet, Rule, parse_rules
from ..models import CrossRegion, MatchingQuota, Programme, QuotaUnit
from ..templating import amount
from . import Forbidden, NotFound, Refused, audit
from .scope import Scope


@dataclass
class QuotaValues:
    """What a coordinator chose for one quota (the form's data; 0, None or "" = any)."""

    name: str
    mentee_region_id: int | None = None
    mentee_gender: Gender | None = None
    mentee_language: str = ""
    mentee_topic_id: int | None = None
    mentor_region_id: int | None = None
    mentor_gender: Gender | None = None
    mentor_language: str = ""
    mentor_topic_id: int | None = None
    cross_region: CrossRegion = CrossRegion.ANY
    at_least: bool = True
    value: int | None = None
    unit: QuotaUnit = QuotaUnit.COUNT
    of_group: bool = False

    @classmethod
    def of(cls, quota: MatchingQuota) -> QuotaValues:
        """The values a stored quota holds (to fill the edit form)."""
        return cls(**{f.name: getattr(quota, f.name) for f in fields(cls)})


def quotas_of(programme: Programme) -> list[MatchingQuota]:
    """The programme's quotas, in the order they were added."""
    return list(db.session.scalars(select(MatchingQuota).where(
        MatchingQuota.programme_id == programme.id).order_by(MatchingQuota.id)))


def quota_in_programme(scope: Scope, quota_id: int) -> MatchingQuota:
    """One quota of the scope's programme; NotFound otherwise."""
    quota = db.session.get(MatchingQuota, quota_id)
    if quota is None or quota.programme_id != scope.programme.id:
        raise NotFound(f"quota {quota_id}")
    return quota


def engine_json(quota: MatchingQuota | QuotaValues, region_codes: dict[int, str]) -> dict:
    """The quota as the engine's rule: filters by region code, gender answer, language code
    and topic id (the profiles' own values, see `services.matching`)."""

    def side(prefix: str) -> dict:
        region_id = getattr(quota, f"{prefix}_region_id")
        gender = getattr(quota, f"{prefix}_gender")
        language = getattr(quota, f"{prefix}_language")
        topic_id = getattr(quota, f"{prefix}_topic_id")
        filters = {}
        if region_id:
            filters["region"] = region_codes.get(region_id, "")
        if gender:
            filters["gender"] = Gender(gender).value
        if language:
            filters["language"] = language
        if topic_id:
            filters["topic"] = str(topic_id)
        return filters

    percent = quota.unit == QuotaUnit.PERCENT
    bound = ("min" if quota.at_least else "max") + ("_share" if percent else "")
    value = quota.value / 100 if percent and quota.value is not None else quota.value
    rule: dict = {"name": quota.name, "mentee": side("mentee"), "mentor": side("mentor"),
                  bound: value}
    if quota.cross_region != CrossRegion.ANY:
        rule["cross_region"] = quota.cross_region == CrossRegion.DIFFERENT
    if quota.of_group:
        rule["of"] = "group"
    return rule


def _codes(programme: Programme) -> dict[int, str]:
    return {region.id: region.code for region in programme.regions}


#: The engine's field names (QuotaError.field) -> the form's.
_FORM_FIELDS = {"name": "name", "cross_region": "cross_region", "of": "of",
                **{bound: "value" for bound in ("min", "max", "min_share", "max_share")},
                **{f"{side}.{what}": f"{side}_{what}" for side in ("mentee", "mentor")
                   for what in ("region", "gender", "language", "topic")}}


def _refusal(error: QuotaError, values: QuotaValues) -> Refused:
    """The parser's verdict in the reader's language, on the form field it concerns."""
    field = _FORM_FIELDS.get(error.field or "", "")
    if field == "name":
        message = _("Give the quota a name.")
    elif field == "value" and values.unit == QuotaUnit.PERCENT:
        message = _("Give a percentage from 0 to 100.")
    elif field == "value":
        message = _("Give a whole number of pairs, 0 or more.")
    elif field == "of":
        message = _("Only a percentage can count against the group of mentees; a number "
                    "counts pairs.")
    else:
        message = _("This choice cannot be used: %(detail)s", detail=error.message)
    return Refused(message, field or None)


def _check_choices(programme: Programme, values: QuotaValues) -> None:
    """The regions, topics and languages named are the programme's own."""
    regions = {region.id for region in programme.regions}
    topics = {topic.id for topic in programme.topics}
    for side in ("mentee", "mentor"):
        if (getattr(values, f"{side}_region_id") or 0) not in regions | {0}:
            raise Refused(_("Choose one of the programme's regions."), f"{side}_region")
        if (getattr(values, f"{side}_topic_id") or 0) not in topics | {0}:
            raise Refused(_("Choose one of the programme's topics."), f"{side}_topic")
        if getattr(values, f"{side}_language") not in {*programme.language_codes, ""}:
            raise Refused(_("Choose one of the programme's languages."), f"{side}_language")


def _snapshot(quota: MatchingQuota, codes: dict[int, str]) -> dict:
    """What the audit trail keeps of a quota: the engine's rule (names, codes, topic ids)."""
    return engine_json(quota, codes)


def save(actor, scope: Scope, values: QuotaValues, quota_id: int | None = None
         ) -> MatchingQuota:
    """Add a quota (or change the one with ``quota_id``) once the engine's parser accepts it;
    a regional co-chair may not (Forbidden)."""
    if scope.is_regional:
        raise Forbidden("the programme's coordinators set the quotas")
    programme = scope.programme
    values.name = (values.name or "").strip()
    _check_choices(programme, values)
    codes = _codes(programme)
    try:
        parse_rules([engine_json(values, codes)])
    except QuotaError as error:
        raise _refusal(error, values) from error
    taken = db.session.scalar(select(MatchingQuota.id).where(
        MatchingQuota.programme_id == programme.id, MatchingQuota.name == values.name,
        MatchingQuota.id != (quota_id or 0)))
    if taken is not None:
        raise Refused(_("Another quota of this programme has this name."), "name")
    quota = quota_in_programme(scope, quota_id) if quota_id else MatchingQuota(
        programme_id=programme.id)
    before = _snapshot(quota, codes) if quota_id else None
    for f in fields(QuotaValues):
        value = getattr(values, f.name)
        setattr(quota, f.name, value or None if f.name.endswith("_id") else value)
    db.session.add(quota)
    db.session.flush()
    audit.record("matching.quota_edit" if quota_id else "matching.quota_add", actor=actor,
                 programme=programme, target=quota, before=before,
                 after=_snapshot(quota, codes))
    return quota


def delete(actor, scope: Scope, quota_id: int) -> None:
    """Delete a quota of the programme; a regional co-chair may not (Forbidden)."""
    if scope.is_regional:
        raise Forbidden("the programme's coordinators set the quotas")
    quota = quota_in_programme(scope, quota_id)
    audit.record("matching.quota_delete", actor=actor, programme=scope.programme,
                 target=quota, before=_snapshot(quota, _codes(scope.programme)))
    db.session.delete(quota)
    db.session.flush()


def check_options(programme: Programme, *, fair: bool, stable: bool) -> None:
    """Refuse what the engine cannot combine: fair with stable, quotas with either, and
    "wishes first" with the stable matching or quotas (both answer by score alone)."""
    if fair and stable:
        raise Refused(_("Choose fair mode or the stable matching, not both."))
    if programme.matching_objective == "wishes" and (stable or db.session.scalar(
            select(MatchingQuota.id).where(MatchingQuota.programme_id == programme.id)
            .limit(1)) is not None):
        raise Refused(_("\"Wishes first\" cannot be combined with the stable matching or with "
                        "quotas: choose \"Best total score\" on the settings page, or run "
                        "without them."))
    if (fair or stable) and db.session.scalar(select(MatchingQuota.id).where(
            MatchingQuota.programme_id == programme.id).limit(1)) is not None:
        raise Refused(_("The programme's quotas cannot be combined with fair mode or the "
                        "stable matching: run without these options, or delete the quotas."))


def engine_rules(programme: Programme) -> list[Rule]:
    """The programme's quotas as the engine's rules (a rule that no longer parses refuses the
    run, naming it)."""
    quotas = quotas_of(programme)
    codes = _codes(programme)
    try:
        return parse_rules([engine_json(quota, codes) for quota in quotas])
    except QuotaError as error:
        raise Refused(_("The quota “%(name)s” is not valid any more; edit it before running.",
                        name=error.name or "")) from error


_FILTER_WORDS = {"region": lambda: _("region"), "gender": lambda: _("gender"),
                 "language": lambda: _("language"), "topic": lambda: _("topic")}


def run_refusal(programme: Programme, error: QuotaError | QuotasUnmet) -> Refused:
    """Why a run with these quotas writes nothing: the rule naming what no accepted applicant
    has, or each rule that cannot be met with the best value it can reach."""
    if isinstance(error, QuotaError):
        side, _dot, what = (error.field or "").partition(".")
        words = _FILTER_WORDS.get(what, lambda: "")()
        if side == "mentor":
            message = _("The quota “%(name)s” cannot be counted: no accepted mentor has its "
                        "%(filter)s. Nothing was changed.", name=error.name or "", filter=words)
        else:
            message = _("The quota “%(name)s” cannot be counted: no accepted mentee has its "
                        "%(filter)s. Nothing was changed.", name=error.name or "", filter=words)
        return Refused(message)
    by_name = {quota.name: quota for quota in quotas_of(programme)}
    head = (_("The quotas cannot all be met together (each can be on its own), so nothing was "
              "changed. The matching that comes closest misses:") if error.together
            else _("Some quotas cannot be met, so nothing was changed:"))
    errors = {"": head}
    for k, (rule, count, base) in enumerate(error.broken, start=1):
        quota = by_name.get(rule.name)
        bound = bound_text(quota) if quota is not None else rule.describe_bound()
        errors[f"quota-{k}"] = _("“%(name)s” (%(bound)s): at best %(best)s.", name=rule.name,
                                 bound=bound, best=reached_text(count, base, rule.share))
    return Refused(head, errors=errors)


def bound_text(quota) -> str:
    """A quota's bound in words: "at least 40 % of all matched pairs" (a row or a run's
    stored outcome, which carry the same names)."""
    at_least, value = _get(quota, "at_least"), _get(quota, "value")
    if str(_get(quota, "unit")) != QuotaUnit.PERCENT.value:
        return (ngettext("at least %(num)d pair", "at least %(num)d pairs", value) if at_least
                else ngettext("at most %(num)d pair", "at most %(num)d pairs", value))
    share = _percent(value)
    if _get(quota, "of_group"):
        return (_("at least %(share)s of the accepted mentees it counts", share=share)
                if at_least else
                _("at most %(share)s of the accepted mentees it counts", share=share))
    return (_("at least %(share)s of all matched pairs", share=share) if at_least
            else _("at most %(share)s of all matched pairs", share=share))


def reached_text(count: int, base: int, share: bool) -> str:
    """A rule's value: "12 of 40 (30 %)" for a share, "12 pairs" for a count."""
    if share and base:
        return _("%(count)d of %(base)d (%(share)s)", count=count, base=base,
                 share=_percent(100 * count / base))
    return ngettext("%(num)d pair", "%(num)d pairs", count)


def _percent(value: float) -> str:
    """A percentage out of 100 as the reader's language writes it, to one decimal."""
    rounded = round(value, 1)
    return amount(int(rounded) if rounded == int(rounded) else rounded, "%")


def _get(item, name: str):
    return item[name] if isinstance(item, dict) else getattr(item, name)


def run_summary(programme: Programme, result) -> dict:
    """What a run's summary keeps of its quotas: each rule's reached value against its bound
    (as the rule read when the run was made), and the same run's figures without them."""
    if not result.quotas:
        return {}
    by_name = {quota.name: quota for quota in quotas_of(programme)}
    outcomes = []
    for outcome in result.quotas:
        quota = by_name[outcome.name]
        outcomes.append({"name": outcome.name, "count": outcome.count, "base": outcome.base,
                         "met": outcome.met, "at_least": quota.at_least, "value": quota.value,
                         "unit": quota.unit.value, "of_group": quota.of_group})
    price = result.without_quotas
    return {"quotas": outcomes, "without_quotas": {
        "matched": price.matched, "total": price.total, "lowest": price.lowest}}
