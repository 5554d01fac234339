"""Seeded generator of realistic mentoring cohorts for the matching benchmark.

Regions follow ITU's regional groups; English and French are common everywhere, Arabic,
Russian, Spanish and Chinese are regional; topics are skewed (a few are wanted by many).
"""

from __future__ import annotations

import numpy as np

from mentoring.matching import Mentee, Mentor

REGIONS = {  # name: (share, languages with probabilities, UTC offsets)
    "Africa": (0.22, {"English": 0.6, "French": 0.5, "Arabic": 0.1, "Portuguese": 0.1},
               ["+00:00", "+01:00", "+02:00", "+03:00"]),
    "CITEL": (0.18, {"Spanish": 0.6, "English": 0.6, "Portuguese": 0.15, "French": 0.05},
              ["-08:00", "-06:00", "-05:00", "-04:00", "-03:00"]),
    "ASMG": (0.12, {"Arabic": 0.95, "English": 0.6, "French": 0.25},
             ["+01:00", "+02:00", "+03:00", "+04:00"]),
    "APT": (0.22, {"English": 0.85, "Chinese": 0.25, "French": 0.05},
            ["+05:30", "+07:00", "+08:00", "+09:00", "+10:00", "+12:00"]),
    "RCC": (0.08, {"Russian": 0.95, "English": 0.5},
            ["+02:00", "+03:00", "+05:00", "+06:00"]),
    "CEPT": (0.18, {"English": 0.8, "French": 0.35, "Spanish": 0.15, "Russian": 0.05},
             ["+00:00", "+01:00", "+02:00"]),
}
TOPICS = [
    "spectrum management", "satellite regulation", "negotiation", "drafting proposals",
    "radio regulations", "cybersecurity", "public speaking", "leadership", "coalition building",
    "technical studies", "frequency coordination", "space services", "IMT", "broadcasting",
    "maritime", "aeronautical", "science services", "policy", "economics", "gender equality",
    "conference procedures", "interference", "earth stations", "HAPS", "WRC agenda items",
    "national preparation", "regional preparation", "mentoring skills", "career planning",
    "media relations",
]


def _languages(rng: np.random.Generator, region: str) -> list[str]:
    probs = REGIONS[region][1]
    names = list(probs)
    langs = [x for x in names if rng.random() < probs[x]]
    if not langs:
        langs = [names[0]]
    rng.shuffle(langs)
    return langs


def cohort(n_mentees: int, n_mentors: int, seed: int = 1, cap=(1, 4)):
    """Mentors and mentees (string ids) of a realistic programme, reproducible from `seed`."""
    rng = np.random.default_rng(seed)
    names = list(REGIONS)
    shares = np.array([REGIONS[r][0] for r in names])
    topic_p = 1.0 / np.arange(1, len(TOPICS) + 1) ** 0.8
    topic_p /= topic_p.sum()
    orgs = [f"org{k}" for k in range(max(5, (n_mentees + n_mentors) // 8))]
    mentors = []
    for j in range(n_mentors):
        region = names[rng.choice(len(names), p=shares)]
        mentors.append(Mentor(
            id=f"M{j:05d}",
            languages=_languages(rng, region),
            expertise=list(rng.choice(TOPICS, size=rng.integers(2, 7), replace=False, p=topic_p)),
            region=region,
            years_experience=int(rng.integers(4, 31)),
            timezone=str(rng.choice(REGIONS[region][2])),
            capacity=int(rng.integers(cap[0], cap[1] + 1)),
            organisation=str(rng.choice(orgs)),
            gender="woman" if rng.random() < 0.55 else "man",
        ))
    popular = rng.permutation(n_mentors)[: max(1, n_mentors // 5)]
    mentees = []
    for i in range(n_mentees):
        region = names[rng.choice(len(names), p=shares)]
        wishes = [] if rng.random() < 0.6 else [
            f"M{int(x):05d}" for x in rng.choice(popular, size=min(3, popular.size),
                                                  replace=False)][: int(rng.integers(1, 4))]
        mentees.append(Mentee(
            id=f"E{i:06d}",
            languages=_languages(rng, region),
            topics=list(rng.choice(TOPICS, size=rng.integers(1, 6), replace=False, p=topic_p)),
            region=region,
            years_experience=int(rng.integers(0, 11)),
            timezone=str(rng.choice(REGIONS[region][2])),
            organisation=str(rng.choice(orgs)),
            region_preference=str(rng.choice(["", "same", "other", "none"], p=[.5, .25, .1, .15])),
            wants_woman_mentor=bool(rng.random() < 0.15),
            preferred_mentors=wishes,
        ))
    return mentors, mentees
