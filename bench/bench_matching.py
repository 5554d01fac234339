"""Matching engine benchmark: our solver vs a greedy baseline and an OR-Tools reference optimum.

Run with `make bench` or `.venv/bin/python bench/bench_matching.py`. For each seeded cohort it
prints the time to compile the profiles, to score every pair, to solve exactly and to explain
each pair (as `solve` reports them in `Result.timings`) and its wall-clock time, the time for
the alternatives (next three mentors of every mentee), peak memory above the start of the run,
and the outcome; then the greedy baseline's gap and OR-Tools' optimum (dense min-cost flow over
every allowed pair), whose total must equal ours.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matching_cohorts import cohort  # noqa: E402

from mentoring.matching import Rules, alternatives, solve  # noqa: E402

CASES = [  # label, mentees, mentors, capacity range, run OR-Tools, run fair mode, repeats
    ("200x60", 200, 60, (1, 4), True, True, 9),
    ("2000x600", 2000, 600, (1, 4), True, True, 7),
    ("10000x3000", 10000, 3000, (1, 4), True, False, 3),
    ("10000x3000 tight", 10000, 3000, (1, 5), True, False, 3),
    # No dense reference fits in memory here: the result is certified by the solver's dual.
    ("50000x15000", 50000, 15000, (1, 4), False, False, 1),
]


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def reset_peak() -> int:
    """Reset the process's peak RSS (Linux) and return the current RSS."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass
    return _status("VmRSS")


def peak_above(start: int) -> float:
    """MiB of peak RSS above `start`."""
    return (_status("VmHWM") - start) / 2**20


def greedy(model, cap):
    """First come, first served: each mentee (in id order) takes its best allowed mentor with
    room left. Returns (matched, total)."""
    room = cap.copy()
    matched = total = 0
    step = model.block_rows()
    for start in range(0, model.n, step):
        score, allowed = model.block(start, min(model.n, start + step))
        key = np.where(allowed, score.astype(np.int32), -1)
        for row in key:
            row = np.where(room > 0, row, -1)
            j = int(row.argmax())
            if row[j] >= 0:
                room[j] -= 1
                matched += 1
                total += int(row[j])
    return matched, total


def ortools_reference(model, cap):
    """Max flow with min cost over every allowed pair (OR-Tools). Returns (matched, total)."""
    from ortools.graph.python import min_cost_flow

    n, m = model.n, model.m
    flow = min_cost_flow.SimpleMinCostFlow()
    source, sink = n + m, n + m + 1
    tails, heads, caps, costs = [], [], [], []
    step = model.block_rows()
    for start in range(0, n, step):
        score, allowed = model.block(start, min(n, start + step))
        r, c = np.nonzero(allowed)
        tails.append(r + start)
        heads.append(c + n)
        caps.append(np.ones(r.size, np.int64))
        costs.append(-score[r, c].astype(np.int64))
    tails += [np.full(n, source), n + np.arange(m)]
    heads += [np.arange(n), np.full(m, sink)]
    caps += [np.ones(n, np.int64), cap.astype(np.int64)]
    costs += [np.zeros(n, np.int64), np.zeros(m, np.int64)]
    flow.add_arcs_with_capacity_and_unit_cost(
        np.concatenate(tails), np.concatenate(heads), np.concatenate(caps), np.concatenate(costs))
    flow.set_node_supply(source, n)
    flow.set_node_supply(sink, -n)
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"OR-Tools status {status}")
    return int(flow.maximum_flow()), int(-flow.optimal_cost())


def run_case(label, n, m, cap_range, with_ortools, with_fair, repeats):
    mentors, mentees = cohort(n, m, seed=42, cap=cap_range)
    rules = Rules()
    row = {"case": label, "places": sum(p.capacity for p in mentors)}
    start = reset_peak()
    parts = {"compile": [], "score": [], "solve": [], "audit": [], "explain": []}
    walls, alts = [], []
    for _ in range(repeats):  # medians: the machine is shared and the first run is cold
        t0 = time.perf_counter()
        result = solve(mentors, mentees, rules)
        t1 = time.perf_counter()
        alternatives(result)
        t2 = time.perf_counter()
        walls.append(t1 - t0)
        alts.append(t2 - t1)
        for key, seconds in result.timings.items():
            parts[key].append(seconds)
    row.update({key: float(np.median(v)) for key, v in parts.items()})
    row.update(wall=float(np.median(walls)), alternatives=float(np.median(alts)),
               mem=peak_above(start), method=f"{result.method}/{result.rounds}",
               matched=result.summary.matched, total=result.summary.total,
               lowest=result.summary.lowest)
    model = result.model
    cap = np.array([p.capacity for p in model.mentors], np.int64)
    g_matched, g_total = greedy(model, cap)
    gap = 100 * (result.summary.total - g_total) / result.summary.total
    row["greedy"] = f"{g_matched}/{gap:.2f}%"
    if with_fair:
        fair = solve(mentors, mentees, rules, fair=True)
        row["fair"] = f"{result.summary.lowest}->{fair.summary.lowest}"
    else:
        row["fair"] = "skipped"
    if with_ortools:
        t = time.perf_counter()
        ref = reset_peak()
        o_matched, o_total = ortools_reference(model, cap)
        row["ref_time"] = time.perf_counter() - t
        row["ref_mem"] = peak_above(ref)
        row["equal"] = (o_matched, o_total) == (result.summary.matched, result.summary.total)
        # `solve` starts from the profiles (it compiles its own model, so `compile` is a part
        # of it, shown on its own): scoring + exact solve + per-pair explanations against the
        # reference, then with the alternatives (the target: score + solve + explain).
        row["ratio"] = row["wall"] / row["ref_time"]
        row["ratio_alt"] = (row["wall"] + row["alternatives"]) / row["ref_time"]
    return row


def target(label: str, figure: str, goal: str, met: bool) -> None:
    """One target line: what, the figure measured, the target, met or NOT met."""
    print(f"{label:<52}{figure:>12}   target {goal:<28}{'met' if met else 'NOT met'}",
          flush=True)


def targets(repeats: int = 3) -> None:
    """Issue #16's engine targets at 10,000 x 3,000, each with its figure and met / NOT met
    (medians of `repeats` runs: the machine is shared)."""
    mentors, mentees = cohort(10000, 3000, seed=42, cap=(1, 4))
    audits, walls = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = solve(mentors, mentees)
        walls.append(time.perf_counter() - t0)
        audits.append(result.timings["audit"])
    audit = float(np.median(audits))
    target(f"stability audit 10000x3000 ({result.summary.blocking} blocking pairs)",
           f"{audit:.3f} s", "<= 0.5 s", audit <= 0.5)
    t0 = time.perf_counter()
    stable = solve(mentors, mentees, stable=True)
    print(f"  stable matching 10000x3000: {time.perf_counter() - t0:.2f} s, matched "
          f"{stable.summary.matched}, total {stable.summary.total}, blocking pairs "
          f"{stable.summary.blocking}; optimum matched {result.summary.matched}, total "
          f"{result.summary.total} (stability costs "
          f"{result.summary.total - stable.summary.total} points)", flush=True)


    # The wishes objective against the default at the same size, by CPU time (process_time,
    # every thread of this process): the machine is shared, so wall-clock time says more
    # about the neighbours than about the solver. Runs alternate; medians of `repeats`.
    for n, m in ((2000, 600), (10000, 3000)):
        mentors, mentees = cohort(n, m, seed=42, cap=(1, 4))
        plain, ranked = [], []
        try:
            for _ in range(repeats):
                t0 = time.process_time()
                by_score = solve(mentors, mentees)
                plain.append(time.process_time() - t0)
                t0 = time.process_time()
                by_wish = solve(mentors, mentees, objective="wishes")
                ranked.append(time.process_time() - t0)
        except ValueError as exc:
            target(f"wishes objective {n}x{m} / default objective (CPU)", "refused",
                   "<= 1.5 x", False)
            print(f"  {exc}", flush=True)
            continue
        ratio = float(np.median(ranked)) / float(np.median(plain))
        target(f"wishes objective {n}x{m} / default objective (CPU)", f"{ratio:.2f} x",
               "<= 1.5 x", ratio <= 1.5)
        print(f"  CPU {np.median(ranked):.2f} s against {np.median(plain):.2f} s (process_time,"
              f" medians of {repeats}); solved by {by_wish.method}/{by_wish.rounds} rounds; "
              f"1st wishes {by_score.summary.wishes[0]} -> {by_wish.summary.wishes[0]}, "
              f"profile {by_wish.summary.wishes} none {by_wish.summary.wishes_none}, total "
              f"{by_score.summary.total} -> {by_wish.summary.total}", flush=True)
        if n * m <= 2000 * 600:  # one set of lexicographic weights on the dense solver
            ref = solve(mentors, mentees, objective="wishes", method="dense")
            same = (ref.summary.matched, ref.summary.wishes, ref.summary.total) == (
                by_wish.summary.matched, by_wish.summary.wishes, by_wish.summary.total)
            print(f"  dense reference (one set of exact weights): "
                  f"{'equal' if same else 'DIFFERENT'}", flush=True)


def main() -> int:
    print("Issue #16 targets")
    targets()
    try:
        import ortools  # noqa: F401
    except ImportError:
        print("OR-Tools is not installed: pip install 'ortools>=9.10' (the [bench] extra)")
        return 1
    head = (f"{'case':<18}{'places':>7}{'compile':>9}{'score':>8}{'solve':>8}{'audit':>8}"
            f"{'explain':>9}"
            f"{'wall':>8}{'altern.':>9}{'MiB':>6}"
            f"{'method':>10}{'matched':>8}{'total':>10}{'low':>5}{'greedy n/gap':>15}"
            f"{'fair low':>10}{'OR-Tools':>9}{'MiB':>6}{'equal':>6}{'ours/ref':>9}{'+alt/ref':>9}")
    print(head)
    print("-" * len(head))
    ok = True
    for case in CASES:
        r = run_case(*case)
        ok &= r.get("equal", True)
        if "ref_time" in r:
            ref = (f"{r['ref_time']:>8.2f}s{r['ref_mem']:>6.0f}{'yes' if r['equal'] else 'NO':>6}"
                   f"{r['ratio']:>9.3f}{r['ratio_alt']:>9.3f}")
        else:
            ref = f"{'skipped':>9}{'-':>6}{'cert.':>6}{'-':>9}{'-':>9}"
        print(f"{r['case']:<18}{r['places']:>7}{r['compile']:>8.3f}s{r['score']:>7.3f}s"
              f"{r['solve']:>7.3f}s{r['audit']:>7.3f}s{r['explain']:>8.3f}s{r['wall']:>7.3f}s"
              f"{r['alternatives']:>8.3f}s{r['mem']:>6.0f}{r['method']:>10}{r['matched']:>8}"
              f"{r['total']:>10}{r['lowest']:>5}{r['greedy']:>15}{r['fair']:>10}" + ref,
              flush=True)
    print("wall = solve()'s wall-clock time from profiles to result; its parts: compile "
          "(profiles to feature matrices), score (every pair scored, and the sparse solver's "
          "candidates chosen), solve (exact assignment and its certificate), audit (the "
          "blocking pairs, over every pair) and explain (per-"
          "pair explanations and unmatched reasons); altern. = next three mentors of every "
          "mentee; every time is the median of 9, 7 or 3 runs (one run at 50000x15000); method "
          "= dense or sparse/rounds of candidate growth; total = total score; greedy = first "
          "come first served, matched/gap to optimum; OR-Tools time includes building its arcs "
          "from our scores; ours/ref = wall / OR-Tools, +alt/ref = (wall + altern.) / OR-Tools;"
          " cert. = exact by the sparse solver's dual certificate (no dense reference fits in "
          "memory); fair low = lowest score plain -> fair mode.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
