"""`python -m mentoring.matching MENTORS.csv MENTEES.csv ...`: match a cohort from CSV files."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .csvio import InputError, read_mentees, read_mentors, write_pairs, write_scores
from .quotas import QuotaError, QuotasUnmet, Rule, parse_rules
from .result import Result
from .rules import Rules
from .solver import solve

EXIT_BAD_INPUT = 2
EXIT_QUOTAS_UNMET = 3


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m mentoring.matching",
        description="Optimal, explainable mentee-mentor matching from two CSV files.",
    )
    p.add_argument("mentors", help="mentors CSV (id, languages, expertise, capacity, ...)")
    p.add_argument("mentees", help="mentees CSV (id, languages, topics, ...)")
    p.add_argument("--weights", help="JSON file of rules and weights (see Rules)")
    p.add_argument("--fair", action="store_true", help="first raise the lowest pair score")
    p.add_argument("--objective", choices=("score", "wishes"), default="score",
                   help="score: most mentees matched, then the best total (default); wishes: "
                        "most matched, then most first wishes, then second, ..., then the "
                        "best total")
    p.add_argument("--quotas", help="JSON file of quota rules every matching must meet (see "
                                    "mentoring.matching.quotas)")
    p.add_argument("--stable", action="store_true",
                   help="the stable matching (mentee-proposing deferred acceptance) instead "
                        "of the optimum; the summary shows the optimum's figures beside it")
    p.add_argument("--out", help="write pairs here instead of standard output")
    p.add_argument("--scores", help="also write every pair's score and whether it is allowed")
    return p


def _json(path: str):
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise InputError(path, None, None, f"cannot read file: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise InputError(path, None, None, "not valid UTF-8 text") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(path, exc.lineno, None, f"invalid JSON: {exc.msg}") from exc


def _rules(path: str | None) -> Rules:
    if path is None:
        return Rules()
    data = _json(path)
    try:
        return Rules.from_dict(data)
    except (TypeError, ValueError) as exc:
        raise InputError(path, None, None, str(exc)) from exc


def _quotas(path: str | None) -> list[Rule]:
    if path is None:
        return []
    try:
        return parse_rules(_json(path))
    except QuotaError as exc:
        raise InputError(path, None, None, str(exc)) from exc


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 bad input, 3 quotas that
    cannot all be met)."""
    args = _parser().parse_args(argv)
    started = time.perf_counter()
    try:
        rules = _rules(args.weights)
        mentors = read_mentors(args.mentors)
        quota_rules = _quotas(args.quotas)
        mentees = read_mentees(args.mentees, {str(p.id) for p in mentors})
        try:
            result = solve(mentors, mentees, rules, fair=args.fair, stable=args.stable,
                           objective=args.objective, quota_rules=quota_rules)
        except QuotaError as exc:  # a value the cohort does not have
            raise InputError(args.quotas, None, None, str(exc)) from exc
        optimum = solve(mentors, mentees, rules) if args.stable else None
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except QuotasUnmet as exc:
        print(f"error: {args.quotas}: the quotas cannot all be met"
              + (" together" if exc.together else "") + "; no pairs written", file=sys.stderr)
        for rule, count, base in exc.broken:
            share = f" of {base} ({100 * count / base:.1f} %)" if rule.share and base else ""
            print(f"  {rule.name} ({rule.describe_bound()}): best reachable {count}{share}",
                  file=sys.stderr)
        return EXIT_QUOTAS_UNMET
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.out:
        with open(args.out, "w", encoding="utf-8", newline="") as f:
            write_pairs(result, f)
    else:
        write_pairs(result, sys.stdout)
    if args.scores:
        with open(args.scores, "w", encoding="utf-8", newline="") as f:
            write_scores(result.model, f)
    lines = summary_lines(result, optimum)
    lines[0] += f", time {time.perf_counter() - started:.2f} s"
    for line in lines:
        print(line, file=sys.stderr)
    return 0


def summary_lines(result: Result, optimum: Result | None = None) -> list[str]:
    """The run's summary for standard error: counts and scores, then the blocking pairs,
    then (for a stable matching) the optimum's figures beside its own."""
    s = result.summary
    lowest = "-" if s.lowest is None else s.lowest
    mean = "-" if s.mean is None else f"{s.mean:.1f}"
    lines = [f"matched {s.matched}, unmatched {s.unmatched}, total {s.total}, lowest {lowest}, "
             f"mean {mean}" + (f", fair threshold {result.threshold}" if result.fair else "")]
    lines.append(f"blocking pairs: {s.blocking}")
    if s.wishes or s.wishes_none:
        lines.append("wishes: " + ", ".join(
            [f"{_ordinal(r)} wish {n}" if r == 1 else f"{_ordinal(r)} {n}"
             for r, n in enumerate(s.wishes, start=1)] + [f"none {s.wishes_none}"]))
    for q in result.quotas:
        lines.append(f"quota {q.text}")
    w = result.without_quotas
    if w is not None:
        lost = w.total - s.total
        share = f" ({100 * lost / w.total:.1f} % of the total)" if w.total else ""
        low = "-" if w.lowest is None else w.lowest
        lines.append(f"the quotas cost {lost} points{share}; matched {w.matched} -> "
                     f"{s.matched}; lowest score {low} -> {lowest}")
    if optimum is not None:
        o = optimum.summary
        lost = o.total - s.total
        share = f" ({100 * lost / o.total:.1f} %)" if o.total else ""
        lines.append(f"stable matching: matched {s.matched}, total {s.total}; optimum: matched "
                     f"{o.matched}, total {o.total}, blocking pairs {o.blocking}; stability "
                     f"costs {lost} points{share}")
    return lines


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"
