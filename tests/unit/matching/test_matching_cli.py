"""Command-line tests: a good run, and each kind of bad input (exit 2, no output file)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from mentoring.matching.cli import main

MENTORS = (
    "ID,Name,Region,Languages,Expertise,Years Experience,Time_Zone,Capacity,Organisation,Gender\n"
    "m1,Ana,CITEL,English;French,satellite regulation;negotiation;drafting,12,America/Bogota,2,"
    "ITU,Woman\n"
    "m2,Bo,APT,English;Chinese,spectrum;negotiation,8,+08:00,1,X,man\n"
)
MENTEES = (
    "id,name,region,languages,topics,years_experience,timezone,organisation,region_preference,"
    "preferred_mentors\n"
    "e1,Cy,CITEL,Spanish;English,satellite regulation;negotiation;drafting;spectrum,2,"
    "America/Lima,Y,same,m1\n"
    "e2,Di,APT,Chinese;English,spectrum,1,Asia/Shanghai,,,\n"
    "e3,Ed,ASMG,Arabic,drafting,1,+03:00,,,\n"
)


@pytest.fixture
def files(tmp_path: Path):
    (tmp_path / "mentors.csv").write_text(MENTORS, encoding="utf-8")
    (tmp_path / "mentees.csv").write_text(MENTEES, encoding="utf-8")
    return tmp_path


def run(tmp_path, *extra, capsys=None):
    args = [str(tmp_path / "mentors.csv"), str(tmp_path / "mentees.csv"), *extra]
    return main(args)


def test_good_run_writes_pairs_and_scores(files, capsys):
    out, scores = files / "pairs.csv", files / "scores.csv"
    assert run(files, "--out", str(out), "--scores", str(scores)) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["mentee_id"], r["mentor_id"]) for r in rows] == [("e1", "m1"), ("e2", "m2"),
                                                                 ("e3", "")]
    assert rows[0]["topics"] == "900" and rows[0]["score"] == "810"
    assert rows[0]["explanation"].startswith("shares 3 of 4 wanted topics: satellite regulation")
    assert rows[2]["reason"] == "no mentor shares a language"
    all_pairs = list(csv.DictReader(scores.open(encoding="utf-8")))
    assert len(all_pairs) == 6
    assert {(r["mentee_id"], r["mentor_id"], r["score"], r["allowed"]) for r in all_pairs} >= {
        ("e1", "m1", "810", "1"), ("e3", "m1", all_pairs[4]["score"], "0")}
    err = capsys.readouterr().err
    assert "matched 2, unmatched 1, total 1600, lowest 790, mean 800.0" in err


def test_stdout_weights_and_fair(files, capsys):
    (files / "w.json").write_text(json.dumps({"topics": 100, "wishes": 0}), encoding="utf-8")
    assert run(files, "--weights", str(files / "w.json"), "--fair") == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("mentee_id,mentor_id,score,topics,")
    assert "fair threshold" in captured.err


def test_module_entry_point(files):
    proc = subprocess.run(
        [sys.executable, "-m", "mentoring.matching", str(files / "mentors.csv"),
         str(files / "nope.csv")], capture_output=True, text=True, check=False)
    assert proc.returncode == 2
    assert "nope.csv" in proc.stderr and "cannot read file" in proc.stderr


BAD = [
    ("mentors", MENTORS.replace("Languages,", "Tongues,"), "line 1, column languages",
     "required column is missing"),
    ("mentees", MENTEES.replace(",topics,", ",subjects,"), "line 1, column topics",
     "required column is missing"),
    ("mentors", MENTORS.replace("m2,Bo", "m1,Bo"), "line 3, column id", "duplicate id 'm1'"),
    ("mentees", MENTEES.replace("e3,Ed", "e1,Ed"), "line 4, column id", "duplicate id 'e1'"),
    ("mentors", MENTORS.replace(",2,ITU", ",0,ITU"), "line 2, column capacity",
     "positive whole number"),
    ("mentors", MENTORS.replace(",2,ITU", ",1.5,ITU"), "line 2, column capacity",
     "positive whole number"),
    ("mentors", MENTORS.replace(",2,ITU", ",two,ITU"), "line 2, column capacity",
     "positive whole number"),
    ("mentees", MENTEES.replace("Asia/Shanghai", "Asia/Atlantis"), "line 3, column timezone",
     "unknown time zone"),
    ("mentors", MENTORS.replace("+08:00", "+31:00"), "line 3, column timezone", "out of range"),
    ("mentors", MENTORS.replace("ITU,Woman", "ITU,F"), "line 2, column gender",
     "must be woman, man, non_binary, undisclosed, self_described or empty, not 'F'"),
]


@pytest.mark.parametrize("which, text, where, message", BAD)
def test_bad_input_exits_2_naming_file_line_column(files, capsys, which, text, where, message):
    path = files / f"{which}.csv"
    path.write_text(text, encoding="utf-8")
    out = files / "pairs.csv"
    assert run(files, "--out", str(out), "--scores", str(files / "s.csv")) == 2
    err = capsys.readouterr().err
    assert f"{path}, {where}: " in err and message in err
    assert not out.exists() and not (files / "s.csv").exists()


def test_non_utf8_file(files, capsys):
    path = files / "mentees.csv"
    path.write_bytes(MENTEES.encode("utf-8") + "e4,Zoë,X,French,a\n".encode("latin-1"))
    out = files / "pairs.csv"
    assert run(files, "--out", str(out)) == 2
    err = capsys.readouterr().err
    assert f"{path}, line 5: not valid UTF-8 text" in err
    assert not out.exists()


def test_unreadable_file(files, capsys):
    out = files / "pairs.csv"
    (files / "mentors.csv").unlink()
    (files / "mentors.csv").mkdir()
    assert run(files, "--out", str(out)) == 2
    assert "mentors.csv: cannot read file" in capsys.readouterr().err
    assert not out.exists()


def test_bad_weights_file(files, capsys):
    (files / "w.json").write_text('{"topics": 500}', encoding="utf-8")
    out = files / "pairs.csv"
    assert run(files, "--weights", str(files / "w.json"), "--out", str(out)) == 2
    assert "w.json: weight 'topics' must be a whole number from 0 to 100" in (
        capsys.readouterr().err)
    (files / "w.json").write_text('{"topics": \n 5,', encoding="utf-8")
    assert run(files, "--weights", str(files / "w.json"), "--out", str(out)) == 2
    assert "w.json, line 2: invalid JSON" in capsys.readouterr().err
    assert not out.exists()


def test_headings_ignore_case_spaces_underscores_and_optional_columns(files):
    (files / "mentors.csv").write_text("I D,LANGUAGES,Expertise\nm1,English,a\n", encoding="utf-8")
    (files / "mentees.csv").write_text("id,Lan_guages,TOPICS\ne1,English,a\n", encoding="utf-8")
    out = files / "pairs.csv"
    assert run(files, "--out", str(out)) == 0
    assert list(csv.DictReader(out.open()))[0]["mentor_id"] == "m1"


def test_a_years_heading_and_the_other_short_names_are_read(tmp_path: Path):
    from mentoring.matching.csvio import read_mentees, read_mentors

    (tmp_path / "mentors.csv").write_text(
        "id,languages,expertise,Years,Organization,TZ\nm1,English,a,12,ITU,Europe/Paris\n",
        encoding="utf-8")
    (tmp_path / "mentees.csv").write_text(
        "id,languages,topics,years,timezones\ne1,English,a,3,Africa/Nairobi\n",
        encoding="utf-8")
    [mentor] = read_mentors(tmp_path / "mentors.csv")
    [mentee] = read_mentees(tmp_path / "mentees.csv")
    assert (mentor.years_experience, mentor.organisation, mentor.timezone) == (
        12, "ITU", "Europe/Paris")
    assert (mentee.years_experience, mentee.timezone) == (3, "Africa/Nairobi")


WISHES_ONLY = {"topics": 0, "region": 0, "language": 0, "timezone": 0, "experience": 0,
               "wishes": 100}


@pytest.fixture
def rivals(tmp_path: Path):
    """A and B both wish for X; the optimum gives X to B (1334 in all), so A and X, who both
    prefer each other, block it; the stable matching gives X to A (1333)."""
    (tmp_path / "mentors.csv").write_text(
        "id,languages,expertise\nX,English,a\nY,English,a\nQ,French,a\n", encoding="utf-8")
    (tmp_path / "mentees.csv").write_text(
        "id,languages,topics,preferred_mentors\nA,English,a,X;Y;Q\nB,English,a,Q;X;Y\n",
        encoding="utf-8")
    (tmp_path / "w.json").write_text(json.dumps(WISHES_ONLY), encoding="utf-8")
    return tmp_path


def test_summary_counts_blocking_pairs_and_stable_shows_its_cost(rivals, capsys):
    out = rivals / "pairs.csv"
    assert run(rivals, "--weights", str(rivals / "w.json"), "--out", str(out)) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("matched 2, unmatched 0, total 1334,")
    assert err[1] == "blocking pairs: 1"
    assert {(r["mentee_id"], r["mentor_id"]) for r in csv.DictReader(out.open())} == {
        ("A", "Y"), ("B", "X")}
    assert run(rivals, "--weights", str(rivals / "w.json"), "--out", str(out), "--stable") == 0
    err = capsys.readouterr().err.splitlines()
    assert err[1:] == ["blocking pairs: 0", "wishes: 1st wish 1, 2nd 0, 3rd 1, none 0",
                       "stable matching: matched 2, total 1333; optimum: matched 2, total 1334,"
                       " blocking pairs 1; stability costs 1 points (0.1 %)"]
    assert {(r["mentee_id"], r["mentor_id"]) for r in csv.DictReader(out.open())} == {
        ("A", "X"), ("B", "Y")}


def test_stable_and_fair_together_is_bad_input(rivals, capsys):
    out = rivals / "pairs.csv"
    assert run(rivals, "--stable", "--fair", "--out", str(out)) == 2
    assert "cannot also be fair" in capsys.readouterr().err
    assert not out.exists()


def test_wishes_objective_and_the_rank_profile(rivals, capsys):
    # The `wishes` heading is another name for preferred_mentors. Both A and B get a wish
    # either way; by wishes A gets her first (X) and B her third (Y) rather than B her second.
    (rivals / "mentees.csv").write_text(
        "id,languages,topics,Wishes\nA,English,a,X;Y;Q\nB,English,a,Q;X;Y\n", encoding="utf-8")
    out = rivals / "pairs.csv"
    assert run(rivals, "--weights", str(rivals / "w.json"), "--out", str(out),
               "--objective", "wishes") == 0
    err = capsys.readouterr().err.splitlines()
    assert err[2] == "wishes: 1st wish 1, 2nd 0, 3rd 1, none 0"
    rows = {r["mentee_id"]: r for r in csv.DictReader(out.open())}
    assert rows["A"]["mentor_id"] == "X" and rows["B"]["mentor_id"] == "Y"
    assert rows["B"]["explanation"] == "the mentee's choice 3 of 3"
    assert run(rivals, "--weights", str(rivals / "w.json"), "--out", str(out)) == 0
    assert capsys.readouterr().err.splitlines()[2] == "wishes: 1st wish 0, 2nd 2, 3rd 0, none 0"


def test_no_wishes_no_profile(files, capsys):
    (files / "mentees.csv").write_text("id,languages,topics\ne1,English,a\n", encoding="utf-8")
    assert run(files, "--out", str(files / "pairs.csv"), "--objective", "wishes") == 0
    assert "wishes" not in capsys.readouterr().err


@pytest.mark.parametrize("cell, message", [
    ("X;Y;Q;Z;W;V", "at most 5 wished mentors, not 6"),
    ("X;Nobody", "unknown mentor id(s): 'Nobody'"),
    ("X;X", "a mentor is wished twice"),
])
def test_bad_wishes_exit_2_naming_file_line_column(rivals, capsys, cell, message):
    path = rivals / "mentees.csv"
    path.write_text(f"id,languages,topics,wishes\nA,English,a,X\nB,English,a,{cell}\n",
                    encoding="utf-8")
    out = rivals / "pairs.csv"
    assert run(rivals, "--out", str(out), "--objective", "wishes") == 2
    assert f"{path}, line 3, column preferred_mentors: {message}" in capsys.readouterr().err
    assert not out.exists()


def _quota_file(tmp_path, rules):
    path = tmp_path / "quotas.json"
    path.write_text(json.dumps(rules), encoding="utf-8")
    return path


def test_quotas_met_with_a_line_per_rule_and_their_price(files, capsys):
    # Without quotas m1 (a woman) takes e1 and m2 (a man) takes e2; "every pair with a woman
    # mentor" moves e2 to m1's second place, at a cost.
    path = _quota_file(files, [{"name": "woman mentors", "mentor": {"gender": "woman"},
                                "min_share": 1.0}])
    out = files / "pairs.csv"
    assert run(files, "--out", str(out), "--quotas", str(path)) == 0
    err = capsys.readouterr().err.splitlines()
    assert "quota woman mentors: 2 of 2 (100.0 %), min_share 1 of pairs: met" in err
    assert {(r["mentee_id"], r["mentor_id"]) for r in csv.DictReader(out.open())} == {
        ("e1", "m1"), ("e2", "m1"), ("e3", "")}
    price = [line for line in err if line.startswith("the quotas cost")]
    assert price == ["the quotas cost 582 points (36.4 % of the total); matched 2 -> 2; "
                     "lowest score 790 -> 208"]


@pytest.mark.parametrize("rules, message", [
    ([{"name": "typo", "mentee": {"region": "CITELL"}, "min": 1}],
     "rule 1 ('typo'): mentee region 'CITELL' is nowhere in the cohort"),
    ([{"name": "a", "min": 1}, {"name": "b", "mentor": {"shoe": "x"}, "min": 1}],
     "rule 2 ('b'): unknown mentor filter 'shoe'"),
    ({"name": "a"}, "the quotas must be a JSON list of rules"),
])
def test_bad_quotas_exit_2_naming_file_and_rule(files, capsys, rules, message):
    path = _quota_file(files, rules)
    out = files / "pairs.csv"
    assert run(files, "--out", str(out), "--quotas", str(path)) == 2
    assert f"error: {path}: {message}" in capsys.readouterr().err
    assert not out.exists()


def test_quotas_that_cannot_be_met_exit_3_with_best_reachable_values(files, capsys):
    path = _quota_file(files, [{"name": "APT pairs", "mentee": {"region": "APT"},
                                "min": 2},
                               {"name": "CITEL", "mentee": {"region": "CITEL"}, "min": 1}])
    out = files / "pairs.csv"
    assert run(files, "--out", str(out), "--quotas", str(path)) == 3
    err = capsys.readouterr().err.splitlines()
    assert err == [f"error: {path}: the quotas cannot all be met; no pairs written",
                   "  APT pairs (min 2): best reachable 1"]
    assert not out.exists()
