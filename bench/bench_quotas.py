"""Quotas benchmark (issue #16): six rules on the benchmark cohorts, each figure printed with
its target and met / NOT met.

Run with `make bench` or `.venv/bin/python bench/bench_quotas.py`. Each programme HiGHS
solves is given LIMIT seconds (a run that needs more is reported as NOT met, not waited for).
For a solved run it prints the time (wall, judged against the target, and CPU, which a busy
machine does not inflate as much), the rules' outcomes and the price of the quotas against
the same run without them (which the quotas can never beat).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matching_cohorts import cohort  # noqa: E402

from mentoring.matching import quotas, solve  # noqa: E402

LIMIT = 30.0
CASES = [(200, 60, None), (2000, 600, 2.0), (10000, 3000, 15.0)]  # mentees, mentors, target s


def six_rules(n: int) -> list[quotas.Rule]:
    """The issue's kinds of rules, sized to the cohort."""
    return quotas.parse_rules([
        {"name": "Africa served", "mentee": {"region": "Africa"}, "min_share": 0.8,
         "of": "group"},
        {"name": "woman mentors", "mentor": {"gender": "woman"}, "min_share": 0.6},
        {"name": "Arabic pairs", "mentee": {"language": "Arabic"},
         "mentor": {"language": "Arabic"}, "min": n // 20},
        {"name": "CITEL abroad", "mentee": {"region": "CITEL"}, "cross_region": True,
         "max_share": 0.3, "of": "group"},
        {"name": "RCC served", "mentee": {"region": "RCC"}, "min_share": 0.7, "of": "group"},
        {"name": "IMT", "mentee": {"topic": "IMT"}, "mentor": {"topic": "IMT"}, "min": n // 50},
    ])


def main() -> int:
    quotas.TIME_LIMIT = LIMIT
    for n, m, goal in CASES:
        mentors, mentees = cohort(n, m, seed=42, cap=(1, 4))
        rules = six_rules(n)
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            result = solve(mentors, mentees, quota_rules=rules)
        except RuntimeError as exc:  # HiGHS ran out of its time limit
            print(f"quotas {n}x{m}, six rules: not solved within {LIMIT:.0f} s per programme "
                  f"({exc})   target <= {goal} s   NOT met", flush=True)
            continue
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        met = "" if goal is None else (f"   target <= {goal} s   "
                                       f"{'met' if wall <= goal else 'NOT met'}")
        w, s = result.without_quotas, result.summary
        print(f"quotas {n}x{m}, six rules: {wall:.2f} s (CPU {cpu:.2f} s){met}", flush=True)
        print(f"  matched {w.matched} -> {s.matched}, total {w.total} -> {s.total} (the quotas "
              f"cost {w.total - s.total} points; never better than without: "
              f"{(s.matched, s.total) <= (w.matched, w.total)})", flush=True)
        for q in result.quotas:
            print(f"  {q.text}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
