"""Tests of explanations: part records, their English, unmatched reasons, alternatives."""

from __future__ import annotations

from mentoring.matching import (
    Mentee,
    Mentor,
    Rules,
    alternatives,
    render,
    render_part,
    render_reason,
    score_pair,
    solve,
)


def test_pair_text_reads_like_the_issue():
    m = Mentor("M", ["English", "Spanish"], ["satellite regulation", "negotiation", "drafting"],
               region="CITEL", timezone="-05:00", years_experience=15)
    e = Mentee("E", ["Spanish", "English"],
               ["satellite regulation", "negotiation", "drafting", "spectrum"],
               region="CITEL", timezone="-04:00", years_experience=3, region_preference="same",
               preferred_mentors=["Z", "M"])
    p = score_pair(m, e)
    topics = p.parts[0]
    assert topics == {"code": "topics", "value": 900, "weight": 40, "wanted": 4, "shared": 3,
                      "names": ["satellite regulation", "negotiation", "drafting"],
                      "missing": ["spectrum"]}
    assert p.text == (
        "shares 3 of 4 wanted topics: satellite regulation, negotiation, drafting; "
        "same region (CITEL); speaks the mentee's first language (Spanish); 1 h apart; "
        "mentor 12 years ahead; the mentee's choice 2 of 2"
    )


def test_render_variants():
    assert render_part({"code": "timezone", "minutes_apart": 330}) == "5.5 h apart"
    assert render_part({"code": "timezone", "minutes_apart": 0}) == "same time zone"
    assert render_part({"code": "experience", "years_ahead": -1}) == "mentor 1 year behind"
    assert render_part({"code": "topics", "wanted": 2, "shared": 0}) == (
        "shares none of 2 wanted topics")
    assert render([{"code": "wishes", "count": 0, "rank": None},
                   {"code": "timezone", "minutes_apart": None}]) == "time zone unknown"
    assert render_reason("compatible_mentors_full", {"compatible": 4}) == (
        "every compatible mentor is full (4 compatible)")


def test_unmatched_reasons():
    mentors = [Mentor("X", ["English"], ["a"], organisation="ITU", capacity=1),
               Mentor("Y", ["English"], ["a"], gender="man", capacity=1)]
    mentees = [Mentee("A", ["Arabic"], ["a"]),
               Mentee("B", ["English"], ["a"], organisation="itu", wants_woman_mentor=True),
               Mentee("C", ["English"], ["a"]), Mentee("D", ["English"], ["a"]),
               Mentee("E", ["English"], ["a"])]
    r = solve(mentors, mentees)
    reasons = {u.mentee_id: (u.reason, u.params, u.text) for u in r.unmatched}
    assert reasons["A"][0] == "no_common_language"
    assert reasons["A"][2] == "no mentor shares a language"
    assert reasons["B"][:2] == ("no_compatible_mentor", {
        "rules": {"same_organisation": 1, "woman_mentor_required": 2}, "speaking": 2})
    assert "no mentor meets the hard rules" in reasons["B"][2]
    assert r.summary.matched == 2
    full = [k for k, v in reasons.items() if v[0] == "compatible_mentors_full"]
    assert len(full) == 1
    assert reasons[full[0]][2] == "every compatible mentor is full (2 compatible)"


def test_alternatives_are_next_best_and_say_what_they_lack():
    mentors = [Mentor(f"M{k}", ["English"], ["a", "b", "c"][: 3 - k % 3], capacity=1,
                      timezone=f"+0{k}:00") for k in range(5)]
    mentees = [Mentee("A", ["English"], ["a", "b", "c"], timezone="+00:00"),
               Mentee("B", ["English"], ["c"], timezone="+04:00")]
    r = solve(mentors, mentees, Rules())
    alts = alternatives(r)
    assert set(alts) == {"A", "B"}
    mine = r.mentor_of("A")
    a = alts["A"]
    assert len(a) == 3 and mine not in [x.mentor_id for x in a]
    assert [x.score for x in a] == sorted((x.score for x in a), reverse=True)
    best_alt = a[0]
    assert best_alt.lacked and all(p["code"] in ("topics", "timezone") for p in best_alt.lacked)
    assert any(x.full for x in alts["A"] + alts["B"]) == (r.mentor_of("B") in
               [x.mentor_id for x in a])
    assert alternatives(r, ["B"], count=10)["B"].__len__() == 4
    assert alts["A"][0].text.startswith(f"{best_alt.mentor_id} ({best_alt.score})")
