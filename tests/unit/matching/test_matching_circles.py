"""Mentoring circles: mentees grouped around mentors by topics, each circle in one language
(hand-checked cases)."""

from __future__ import annotations

import pytest

from mentoring.matching import Mentee, Mentor, Rules
from mentoring.matching.circles import form_circles

#: Only topics count, so the scores can be worked out by hand.
TOPICS_ONLY = Rules(topics=100, region=0, language=0, timezone=0, experience=0, wishes=0)


def members(circle) -> list[str]:
    return [member.pair.mentee_id for member in circle.members]


def test_mentees_are_grouped_around_the_mentor_whose_expertise_covers_their_topics():
    mentors = [Mentor("A", languages=["en"], expertise=["x", "y"]),
               Mentor("B", languages=["fr", "en"], expertise=["z"])]
    mentees = [Mentee("m1", languages=["en"], topics=["x"]),
               Mentee("m2", languages=["en"], topics=["y", "x"]),
               Mentee("m3", languages=["fr"], topics=["z"]),
               # z first (weight 2 of 3): 667 with B, 333 with A.
               Mentee("m4", languages=["en", "fr"], topics=["z", "x"]),
               Mentee("m5", languages=["es"], topics=["x"])]
    result = form_circles(mentors, mentees, TOPICS_ONLY, capacity=2)
    a, b = result.circles
    assert (a.mentor_id, a.language, members(a)) == ("A", "en", ["m1", "m2"])
    # B's members are m3 (French only) and m4 (both): the circle meets in French.
    assert (b.mentor_id, b.language, members(b)) == ("B", "fr", ["m3", "m4"])
    assert [m.pair.score for m in a.members + b.members] == [1000, 1000, 1000, 667]
    # Why each is there: the topics she shares with the others of her circle.
    assert [m.shared for m in a.members] == [("x",), ("x",)]
    assert [m.shared for m in b.members] == [("z",), ("z",)]
    assert a.members[1].pair.parts[0]["names"] == ["y", "x"]
    assert [(u.mentee_id, u.reason) for u in result.unmatched] == [("m5", "no_common_language")]
    assert result.solves == 2  # the languages chosen after the first solve did not change


def test_every_member_of_a_circle_speaks_its_language():
    mentors = [Mentor("C", languages=["en", "fr"], expertise=["t"])]
    mentees = [Mentee("p1", languages=["en"], topics=["t"]),
               Mentee("p2", languages=["fr"], topics=["t"]),
               Mentee("p3", languages=["en"], topics=["t"])]
    # The plain assignment puts all three with C (each shares a language with her, not with
    # each other); the circle then meets in English, which two of them speak.
    result = form_circles(mentors, mentees, TOPICS_ONLY, capacity=3)
    (circle,) = result.circles
    assert (circle.language, members(circle)) == ("en", ["p1", "p3"])
    assert [u.mentee_id for u in result.unmatched] == ["p2"]


def test_the_circle_capacity_and_the_hard_rules_hold():
    mentors = [Mentor("A", languages=["en"], expertise=["x"], organisation="ITU",
                      person="ana")]
    mentees = [Mentee(f"m{i}", languages=["en"], topics=["x"]) for i in range(5)] + [
        Mentee("same-org", languages=["en"], topics=["x"], organisation="ITU"),
        Mentee("herself", languages=["en"], topics=["x"], person="ana")]
    result = form_circles(mentors, mentees, TOPICS_ONLY, capacity=3,
                          forbidden=[("m0", "A")])
    (circle,) = result.circles
    assert members(circle) == ["m1", "m2", "m3"]
    assert {u.mentee_id for u in result.unmatched} == {"m0", "m4", "same-org", "herself"}


@pytest.mark.parametrize("capacity", [0, 21, 2.5, True])
def test_a_capacity_out_of_range_is_refused(capacity):
    with pytest.raises(ValueError):
        form_circles([], [], capacity=capacity)
