"""Unit tests of each score part, the hard rules and the vectorised/pairwise consistency."""

from __future__ import annotations

import numpy as np
import pytest

from mentoring.matching import Mentee, Mentor, Rules, build_model, score_pair, utc_offset_minutes
from mentoring.matching.scoring import (
    combine,
    experience_part,
    timezone_part,
    topic_weights,
    whole_years,
    wish_part,
)
from tests.unit.matching.matching_helpers import random_cohort


def parts(mentor, mentee, rules=None):
    model = build_model([mentor], [mentee], rules or Rules())
    return model.parts(0, 0), model.broken(0, 0)


def test_topic_weights_rank_and_sum():
    assert topic_weights(0) == []
    assert topic_weights(1) == [1000]
    assert topic_weights(4) == [400, 300, 200, 100]
    w = topic_weights(3)
    assert sum(w) == 1000 and w[0] > w[1] > w[2]
    assert all(sum(topic_weights(n)) == 1000 for n in range(1, 30))


def test_topic_part_counts_earlier_topics_more():
    e = Mentee("e", ["English"], ["a", "b", "c", "d"])
    first = parts(Mentor("m", ["English"], ["A "]), e)[0]["topics"]
    last = parts(Mentor("m", ["English"], ["d"]), e)[0]["topics"]
    both = parts(Mentor("m", ["English"], ["a", "d", "zzz"]), e)[0]["topics"]
    assert (first, last, both) == (400, 100, 500)
    assert parts(Mentor("m", ["English"], []), e)[0]["topics"] == 0


@pytest.mark.parametrize(
    "pref, mentee_region, mentor_region, expected",
    [
        ("same", "CITEL", "citel", 1000),
        ("same", "CITEL", "APT", 0),
        ("other", "CITEL", "APT", 1000),
        ("other", "CITEL", "CITEL", 0),
        ("none", "CITEL", "APT", 1000),
        ("same", "", "APT", 500),
        ("same", "CITEL", "", 500),
        ("none", "", "", 1000),
    ],
)
def test_region_part(pref, mentee_region, mentor_region, expected):
    e = Mentee("e", ["English"], region=mentee_region, region_preference=pref)
    assert parts(Mentor("m", ["English"], region=mentor_region), e)[0]["region"] == expected


def test_region_default_preference_comes_from_rules():
    e = Mentee("e", ["English"], region="CITEL")
    m = Mentor("m", ["English"], region="APT")
    assert parts(m, e, Rules(default_region_preference="same"))[0]["region"] == 0
    assert parts(m, e, Rules(default_region_preference="other"))[0]["region"] == 1000


@pytest.mark.parametrize(
    "mentee_langs, mentor_langs, expected",
    [
        (["French", "English"], ["French"], 1000),
        (["French", "English"], ["English", "French"], 600),
        (["French", "English"], ["English"], 0),
    ],
)
def test_language_part(mentee_langs, mentor_langs, expected):
    assert parts(Mentor("m", mentor_langs), Mentee("e", mentee_langs))[0]["language"] == expected


def test_timezone_part_wraps_round_the_day():
    assert timezone_part(0) == 1000
    assert timezone_part(720) == 0
    assert timezone_part(60) == timezone_part(-60) == timezone_part(1380) == 917
    e = Mentee("e", ["English"], timezone="Pacific/Auckland")  # +13:00 in January
    m = Mentor("m", ["English"], timezone="-10:00")  # 23 h ahead = 1 h apart
    assert parts(m, e)[0]["timezone"] == timezone_part(60)
    assert parts(Mentor("m", ["English"]), e)[0]["timezone"] == 500


def test_timezone_parsing():
    assert utc_offset_minutes("+05:30") == 330
    assert utc_offset_minutes("UTC-3") == -180
    assert utc_offset_minutes("Europe/Paris") == 60
    assert utc_offset_minutes("") is None
    for bad in ("Mars/Olympus", "+25:00", "five"):
        with pytest.raises(ValueError):
            utc_offset_minutes(bad)


def test_experience_part():
    assert experience_part(3, 3.0) == 1000
    assert experience_part(10, 3.0) == 1000
    assert experience_part(1, 3.0) == 333
    assert experience_part(-2, 3.0) == 0
    assert experience_part(0, 0) == 1000 and experience_part(-1, 0) == 0
    assert whole_years(2.5) == 3 and whole_years(None) is None
    e = Mentee("e", ["English"], years_experience=2)
    assert parts(Mentor("m", ["English"], years_experience=4), e)[0]["experience"] == 667
    assert parts(Mentor("m", ["English"]), e)[0]["experience"] == 500


def test_wishes_part_uses_rank_among_known_mentors():
    assert [wish_part(r, 3) for r in range(3)] == [1000, 667, 333]
    e = Mentee("e", ["English"], preferred_mentors=["gone", "m2", "m1"])
    model = build_model([Mentor("m1", ["English"]), Mentor("m2", ["English"]),
                         Mentor("m3", ["English"])], [e], Rules())
    assert [model.parts(0, j)["wishes"] for j in range(3)] == [333, 667, 0]


def test_hard_rules():
    e = Mentee("e", ["English"], organisation="ITU", years_experience=5, wants_woman_mentor=True)
    ok = Mentor("m", ["english"], organisation="UN", years_experience=9, gender="Woman")
    assert parts(ok, e, Rules(min_experience_gap=3))[1] == []
    assert "no_common_language" in parts(Mentor("m", ["French"], gender="woman"), e)[1]
    same_org = Mentor("m", ["English"], organisation="itu", gender="woman")
    assert parts(same_org, e)[1] == ["same_organisation"]
    assert parts(same_org, e, Rules(forbid_same_organisation=False))[1] == []
    junior = Mentor("m", ["English"], years_experience=6, gender="woman")
    assert parts(junior, e, Rules(min_experience_gap=3))[1] == ["experience_gap_below_minimum"]
    assert parts(junior, e)[1] == []
    man = Mentor("m", ["English"], gender="man")
    assert parts(man, e)[1] == ["woman_mentor_required"]
    assert parts(man, e, Rules(require_woman_mentor_when_asked=False))[1] == []
    assert score_pair(ok, e, forbidden=True).broken == ("forbidden_by_coordinator",)


def test_score_is_weighted_mean_of_parts():
    rules = Rules(topics=1, region=0, language=0, timezone=0, experience=0, wishes=0)
    p = score_pair(Mentor("m", ["English"], ["a"]), Mentee("e", ["English"], ["a", "b"]), rules)
    assert p.score == 667
    assert [x["code"] for x in p.parts] == ["topics"]


def test_block_pairs_and_parts_agree():
    mentors, mentees = random_cohort(7, 40, 15, people=8)
    for rules in (Rules(), Rules(topics=7, region=3, language=0, timezone=99, experience=1,
                                 wishes=13, min_experience_gap=2)):
        model = build_model(mentors, mentees, rules, forbidden=[("e0001", "m002")])
        score, allowed = model.dense()
        rows, cols = np.indices(score.shape)
        s2, a2 = model.pairs(rows.ravel(), cols.ravel())
        assert (s2 == score.ravel()).all() and (a2 == allowed.ravel()).all()
        half, half_allowed = model.block(10, 25)
        assert (half == score[10:25]).all() and (half_allowed == allowed[10:25]).all()
        some = np.arange(1, model.n, 3)
        assert (model.rows(some)[1] == allowed[some]).all()
        assert (model.allowed_rows(some) == allowed[some]).all()
        for i in range(model.n):
            for j in range(model.m):
                assert combine(model.parts(i, j), rules) == score[i, j]
                assert (not model.broken(i, j)) == allowed[i, j]
        assert not allowed[1, 2]


@pytest.mark.parametrize("weights", [(1, 0, 0, 0, 0, 0), (1, 1, 0, 0, 0, 0),
                                     (40, 10, 15, 10, 10, 15), (7, 3, 0, 99, 1, 13),
                                     (100, 100, 100, 100, 100, 99), (100,) * 6])
def test_float_rounding_equals_integer_half_up_for_every_weighted_sum(weights):
    # Scores are rounded as trunc((S + W/2 + 1/4) x float32(1/W)); every whole weighted sum S
    # a pair can reach (0..1000 W) must give round-half-up(S / W), halves included.
    rules = Rules(**dict(zip(("topics", "region", "language", "timezone", "experience",
                              "wishes"), weights, strict=True)))
    model = build_model([Mentor("m", ["English"])], [Mentee("e", ["English"])], rules)
    w = rules.total_weight
    s = np.arange(0, 1000 * w + 1, dtype=np.int64)
    got = model._rounded((s + (w / 2 + 0.25)).astype(np.float32))
    assert (got == (2 * s + w) // (2 * w)).all()


def test_score_pair_matches_solver_scores():
    mentors, mentees = random_cohort(3, 12, 5)
    model = build_model(mentors, mentees, Rules())
    score, _ = model.dense()
    for i, e in enumerate(model.mentees):
        for j, m in enumerate(model.mentors):
            assert score_pair(m, e).score == score[i, j]


def test_rules_round_trip_and_validation():
    r = Rules(topics=50, min_experience_gap=2, default_region_preference="same")
    assert Rules.from_dict(r.to_dict()) == r
    assert Rules.from_dict({"weights": {"topics": 5}}).topics == 5
    for bad in ({"topics": 101}, {"topics": -1}, {"region": 1.5}, {"colour": 1},
                {"default_region_preference": "near"}, {"forbid_same_organisation": "yes"},
                {"topics": 0, "region": 0, "language": 0, "timezone": 0, "experience": 0,
                 "wishes": 0}):
        with pytest.raises(ValueError):
            Rules.from_dict(bad)


def test_profile_validation():
    with pytest.raises(ValueError):
        Mentor("m", ["English"], capacity=-1)
    with pytest.raises(ValueError):
        Mentee("e", ["English"], region_preference="near")
    assert Mentee("e", "English; French ;").languages == ("English", "French")
