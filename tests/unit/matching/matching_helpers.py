"""Seeded random cohorts and a brute-force optimum for the matching engine tests."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace

import numpy as np
from hypothesis import strategies as st

from mentoring.matching import Mentee, Mentor, Rules

LANGS = ["English", "French", "Arabic", "Spanish"]
TOPICS = ["spectrum", "satellites", "negotiation", "drafting", "cyber", "policy"]
REGIONS = ["CITEL", "APT", "ASMG", ""]
RULES = [Rules(), Rules(min_experience_gap=2, forbid_same_organisation=False),
         Rules(topics=100, region=0, language=0, timezone=0, experience=0, wishes=1)]
ZONES = ["", "UTC", "+01:00", "Europe/Paris", "Asia/Tokyo", "-05:00", "+05:30", "America/Lima"]


def random_cohort(seed: int, n: int, m: int, cap: tuple[int, int] = (1, 3), people: int = 0):
    """A reproducible random cohort of n mentees and m mentors (ids are strings). With
    `people`, about half of each side get one of that many person keys, so some people are in
    both lists (the rest of the cohort is the same as without)."""
    mentors, mentees = _cohort(seed, n, m, cap)
    if people:
        rnd = random.Random(-seed - 1)

        def key():
            return f"p{rnd.randrange(people)}" if rnd.random() < 0.5 else None

        mentors = [replace(p, person=key()) for p in mentors]
        mentees = [replace(e, person=key()) for e in mentees]
    return mentors, mentees


def _cohort(seed: int, n: int, m: int, cap: tuple[int, int]):
    rnd = random.Random(seed)
    mentors = [
        Mentor(
            id=f"m{j:03d}",
            languages=rnd.sample(LANGS, rnd.randint(1, 2)),
            expertise=rnd.sample(TOPICS, rnd.randint(1, 4)),
            region=rnd.choice(REGIONS),
            years_experience=rnd.choice([None, *range(0, 25)]),
            timezone=rnd.choice(ZONES),
            capacity=rnd.randint(*cap),
            organisation=rnd.choice(["", "A", "B", "C"]),
            gender=rnd.choice(["woman", "man", "", "non_binary"]),
        )
        for j in range(m)
    ]
    mentees = [
        Mentee(
            id=f"e{i:04d}",
            languages=rnd.sample(LANGS, rnd.randint(1, 2)),
            topics=rnd.sample(TOPICS, rnd.randint(0, 4)),
            region=rnd.choice(REGIONS),
            years_experience=rnd.choice([None, *range(0, 10)]),
            timezone=rnd.choice(ZONES),
            organisation=rnd.choice(["", "A", "B"]),
            region_preference=rnd.choice(["", "same", "other", "none"]),
            wants_woman_mentor=rnd.random() < 0.2,
            preferred_mentors=[f"m{rnd.randrange(m):03d}" for _ in range(rnd.randint(0, 2))]
            if m else [],
        )
        for i in range(n)
    ]
    return mentors, mentees


def matchings(allowed: np.ndarray, cap: np.ndarray):
    """Every matching of the rows of `allowed` (allowed pairs only, at most cap[j] rows per
    column), as lists of (row, column)."""
    n, m = allowed.shape
    for choice in itertools.product(range(-1, m), repeat=n):
        pairs = [(i, j) for i, j in enumerate(choice) if j >= 0]
        if all(allowed[i, j] for i, j in pairs) and (
                np.bincount([j for _, j in pairs], minlength=m) <= cap).all():
            yield pairs


def brute_force(score: np.ndarray, allowed: np.ndarray, cap: np.ndarray, fair: bool = False):
    """Best (matched, total) - or (matched, lowest, total) when fair - by trying everything."""
    best = None
    for pairs in matchings(allowed, cap):
        vals = [int(score[i, j]) for i, j in pairs]
        low = min(vals) if vals else 10**9
        key = (len(vals), low, sum(vals)) if fair else (len(vals), sum(vals))
        if best is None or key > best:
            best = key
    return best


@st.composite
def problems(draw):
    seed = draw(st.integers(0, 10**6))
    n = draw(st.integers(0, 6))
    m = draw(st.integers(0, 3))
    mentors, mentees = random_cohort(seed, n, m, cap=(1, 2), people=draw(st.integers(0, 3)))
    rnd = random.Random(seed)
    forbidden = [(e.id, p.id) for e in mentees for p in mentors if rnd.random() < 0.15]
    locked, room = [], {p.id: p.capacity for p in mentors}
    for e in mentees:
        if mentors and rnd.random() < 0.15:
            p = rnd.choice(mentors)
            if room[p.id] > 0 and (e.id, p.id) not in forbidden:
                room[p.id] -= 1
                locked.append((e.id, p.id))
    rules = RULES[draw(st.integers(0, len(RULES) - 1))]
    return mentors, mentees, rules, locked, forbidden


def free_rows(mentors, mentees, rules, locked, forbidden):
    """The dense model of a problem, the places left by its locked pairs and the rows of the
    mentees who are not locked: (model, score, allowed, cap, free)."""
    from mentoring.matching import build_model
    from mentoring.matching.profiles import id_key

    model = build_model(mentors, mentees, rules, forbidden)
    score, allowed = model.dense()
    cap = np.array([p.capacity for p in model.mentors], int)
    lock_rows = {model.mentee_index[id_key(e)] for e, _ in locked}
    for _, p in locked:
        cap[model.mentor_index[id_key(p)]] -= 1
    return model, score, allowed, cap, [i for i in range(model.n) if i not in lock_rows]
