"""The dashboard's outcomes page (issue #17): mentees' roles before and since the programme,
and women in each role at each meeting against the programme's target, checked against a
small hand-computed set; a co-chair's region only; small counts suppressed; CSV alike."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest

from mentoring.extensions import db
from mentoring.gender import Gender
from mentoring.models import (
    EnrolmentStatus,
    ItuMeeting,
    MeetingRole,
    MeetingRoleKind,
    ProgrammeStatus,
    Role,
)
from mentoring.services import outcomes
from mentoring.services.dashboard import HIDDEN
from mentoring.services.scope import Scope
from tests.helpers import text

ACCEPTED = EnrolmentStatus.ACCEPTED
DELEGATE, SPEAKER, CHAIR = MeetingRoleKind.DELEGATE, MeetingRoleKind.SPEAKER, MeetingRoleKind.CHAIR


def cells(page: str) -> list[list[str]]:
    """The rows of the page's tables, each cell's text with its tags taken out."""
    rows = re.findall(r"<tr>(.*?)</tr>", page, re.S)
    return [[" ".join(re.sub(r"<[^>]+>", " ", cell).split())
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)] for row in rows]


def get_csv(client, slug, name):
    response = client.get(f"/coordinate/{slug}/dashboard/outcomes/{name}.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def meeting(programme, name, starts_on, ends_on=None) -> ItuMeeting:
    found = ItuMeeting(programme_id=programme.id, name=name, starts_on=starts_on,
                       ends_on=ends_on)
    db.session.add(found)
    db.session.commit()
    return found


@pytest.fixture
def programme(make_programme):
    return make_programme(status=ProgrammeStatus.RUNNING, starts_on=date(2024, 1, 1))


@pytest.fixture
def hand_set(programme, make_enrolment):
    """The programme starts on 1 January 2024.

    People: women W1-W7 and "not given" N1-N2 are mentees; men M1-M5 are mentors. W1-W4, N1,
    N2, M1, M2 are from Kenya (ATU); W5-W7, M3-M5 from France (CEPT). A declined applicant
    (woman, Kenya) holds a role that must not count.

    Meetings: CPM23-2 (17 Apr - 4 May 2023) and WRC-23 (20 Nov - 15 Dec 2023) ended before the
    programme; "Overlap" (20 Dec 2023 - 5 Jan 2024) started before it but ended after it
    started, so it counts as during; WTSA-24 (15 Oct 2024, one day) is during.

    Roles: WRC-23 delegates W1-W7, M1-M5; WRC-23 speakers W1-W5, M1-M5, N1, N2; CPM23-2
    delegates W1-W5, M1, M2; WTSA-24 chair W1; WTSA-24 delegates M1-M5; Overlap delegate W6;
    Overlap speaker W2, given on her application (baseline: before, whatever the day).
    """
    def person(country, gender, role=Role.MENTEE):
        return make_enrolment(programme, role=role, status=ACCEPTED, country=country,
                              gender=gender)

    w = [person("KE" if i < 4 else "FR", Gender.WOMAN) for i in range(7)]
    n = [person("KE", None) for _ in range(2)]
    m = [person("KE" if i < 2 else "FR", Gender.MAN, Role.MENTOR) for i in range(5)]
    declined = make_enrolment(programme, status=EnrolmentStatus.DECLINED, country="KE",
                              gender=Gender.WOMAN)
    cpm = meeting(programme, "CPM23-2", date(2023, 4, 17), date(2023, 5, 4))
    wrc = meeting(programme, "WRC-23", date(2023, 11, 20), date(2023, 12, 15))
    overlap = meeting(programme, "Overlap", date(2023, 12, 20), date(2024, 1, 5))
    wtsa = meeting(programme, "WTSA-24", date(2024, 10, 15))
    held = ([(p, wrc, DELEGATE) for p in w + m] + [(p, wrc, SPEAKER) for p in w[:5] + m + n]
            + [(p, cpm, DELEGATE) for p in w[:5] + m[:2]] + [(w[0], wtsa, CHAIR)]
            + [(p, wtsa, DELEGATE) for p in m] + [(w[5], overlap, DELEGATE)]
            + [(declined, wrc, CHAIR)])
    db.session.add_all(MeetingRole(user_id=p.user_id, itu_meeting_id=at.id, role=role)
                       for p, at, role in held)
    db.session.add(MeetingRole(user_id=w[1].user_id, itu_meeting_id=overlap.id, role=SPEAKER,
                               baseline=True))
    db.session.commit()
    return programme


def atu(programme):
    return Scope(programme, next(r for r in programme.regions if r.code == "ATU"))


def test_mentees_roles_before_and_since_match_the_hand_count(hand_set):
    """Delegate: before WRC-23 W1-W7 and CPM23-2 W1-W5 -> 7 mentees, 12 times; during
    Overlap W6 -> 1, 1 (the WTSA-24 delegates are mentors). Speaker: before WRC-23 W1-W5, N1,
    N2 and W2's baseline at Overlap -> 7 mentees, 8 times. Chair: during WTSA-24 W1 -> 1, 1.
    ATU alone: delegate 4, 8, 0, 0; speaker 6 (W1-W4, N1, N2), 7; chair 1, 1."""
    got = [(r.role, r.mentees_before, r.held_before, r.mentees_since, r.held_since)
           for r in outcomes.mentee_roles(Scope(hand_set))]
    assert got == [(DELEGATE, 7, 12, 1, 1), (SPEAKER, 7, 8, 0, 0), (CHAIR, 0, 0, 1, 1)]
    got = [(r.role, r.mentees_before, r.held_before, r.mentees_since, r.held_since)
           for r in outcomes.mentee_roles(atu(hand_set))]
    assert got == [(DELEGATE, 4, 8, 0, 0), (SPEAKER, 6, 7, 0, 0), (CHAIR, 0, 0, 1, 1)]


def test_women_shares_match_the_hand_count_with_small_counts_suppressed(hand_set):
    """WRC-23 delegates: 12 people, 7 women of 12 who gave a gender -> 58.3 %, reaches 30 %.
    WRC-23 speakers: 12, but 2 gave no gender (told by the share beside 12) -> not shown.
    CPM23-2 delegates: 7, 2 men -> not shown. WTSA-24 delegates: 5 men -> 0 %, below.
    WTSA-24 chair, Overlap's delegate and speaker: 1 each -> fewer than 5, not shown."""
    got = [(s.meeting, s.role, s.people, s.share, s.reaches_target)
           for s in outcomes.women_shares(Scope(hand_set))]
    assert got == [
        ("WTSA-24", CHAIR, None, HIDDEN, None), ("WTSA-24", DELEGATE, 5, 0.0, False),
        ("Overlap", DELEGATE, None, HIDDEN, None), ("Overlap", SPEAKER, None, HIDDEN, None),
        ("WRC-23", DELEGATE, 12, 58.3, True), ("WRC-23", SPEAKER, 12, HIDDEN, None),
        ("CPM23-2", DELEGATE, 7, HIDDEN, None)]
    # ATU: WRC-23 delegates W1-W4, M1, M2 -> 6 with 4 women: not shown; WTSA-24 delegates
    # M1, M2 -> fewer than 5; Overlap's delegate W6 is from France.
    got = [(s.meeting, s.role, s.people, s.share) for s in outcomes.women_shares(atu(hand_set))]
    assert got == [
        ("WTSA-24", CHAIR, None, HIDDEN), ("WTSA-24", DELEGATE, None, HIDDEN),
        ("Overlap", SPEAKER, None, HIDDEN), ("WRC-23", DELEGATE, 6, HIDDEN),
        ("WRC-23", SPEAKER, 8, HIDDEN), ("CPM23-2", DELEGATE, 6, HIDDEN)]


def test_a_higher_target_turns_a_reached_share_into_below(hand_set):
    hand_set.women_target_percent = 60
    db.session.commit()
    wrc = next(s for s in outcomes.women_shares(Scope(hand_set))
               if (s.meeting, s.role) == ("WRC-23", DELEGATE))
    assert (wrc.share, wrc.reaches_target) == (58.3, False)


def test_the_page_shows_the_figures_the_definition_and_the_target(
        client, auth, coordinator, hand_set):
    auth.login(coordinator(hand_set))
    response = client.get(f"/coordinate/{hand_set.slug}/dashboard/outcomes")
    assert response.status_code == 200
    page = text(response)
    assert ("A role counts as before the programme when its meeting ended before the programme "
            "started (Jan 1, 2024), or when the mentee gave it on her application") in page
    assert "against the programme's target of 30%" in page
    rows = cells(page)
    assert ["Delegate", "7", "12", "1", "1"] in rows
    assert ["Speaker", "7", "8", "0", "0"] in rows
    assert ["WRC-23 (Nov 20, 2023)", "Delegate", "12", "58.3%", "reached"] in rows
    assert ["WRC-23 (Nov 20, 2023)", "Speaker", "12", "not shown", "—"] in rows
    assert ["WTSA-24 (Oct 15, 2024)", "Delegate", "5", "0%", "below"] in rows
    assert ["WTSA-24 (Oct 15, 2024)", "Chair (of a committee, working party or drafting group)",
            "fewer than 5", "not shown", "—"] in rows
    assert 'aria-current="page">Outcomes' in page


def test_the_csv_tables_carry_the_page_figures(client, auth, coordinator, hand_set):
    auth.login(coordinator(hand_set))
    assert get_csv(client, hand_set.slug, "mentee-roles") == [
        ["role", "mentees_before", "roles_held_before", "mentees_during_or_after",
         "roles_held_during_or_after"],
        ["delegate", "7", "12", "1", "1"], ["speaker", "7", "8", "0", "0"],
        ["chair", "0", "0", "1", "1"]]
    rows = get_csv(client, hand_set.slug, "women-shares")
    assert rows[0] == ["meeting", "starts_on", "role", "participants", "women_percent",
                       "target_percent", "reaches_target"]
    assert ["WRC-23", "2023-11-20", "delegate", "12", "58.3", "30", "yes"] in rows
    assert ["WRC-23", "2023-11-20", "speaker", "12", "not shown", "30", ""] in rows
    assert ["WTSA-24", "2024-10-15", "chair", "fewer than 5", "not shown", "30", ""] in rows
    assert client.get(f"/coordinate/{hand_set.slug}/dashboard/outcomes/other.csv"
                      ).status_code == 404


def test_a_cochair_sees_her_region_only_on_the_page_and_in_the_csv(
        client, auth, coordinator, hand_set):
    auth.login(coordinator(hand_set, "ATU"))
    page = text(client.get(f"/coordinate/{hand_set.slug}/dashboard/outcomes"))
    assert "Only participants of region ATU are counted." in page
    rows = cells(page)
    assert ["Delegate", "4", "8", "0", "0"] in rows
    assert ["WRC-23 (Nov 20, 2023)", "Delegate", "6", "not shown", "—"] in rows
    assert not any(row[:1] == ["Overlap (Dec 20, 2023)"] and row[1] == "Delegate"
                   for row in rows)
    assert ["delegate", "4", "8", "0", "0"] in get_csv(client, hand_set.slug, "mentee-roles")
    shares = get_csv(client, hand_set.slug, "women-shares")
    assert ["WRC-23", "2023-11-20", "delegate", "6", "not shown", "30", ""] in shares
    assert not any(row[:3] == ["Overlap", "2023-12-20", "delegate"] for row in shares)


def test_a_participant_and_a_stranger_get_403(client, auth, hand_set, make_enrolment,
                                             make_programme, coordinator):
    participant = make_enrolment(hand_set, status=ACCEPTED)
    auth.login(participant.user)
    base = f"/coordinate/{hand_set.slug}/dashboard/outcomes"
    for url in (base, f"{base}/mentee-roles.csv", f"{base}/women-shares.csv"):
        assert client.get(url).status_code == 403
    auth.logout()
    auth.login(coordinator(make_programme()))  # another programme's coordinator
    for url in (base, f"{base}/women-shares.csv"):
        assert client.get(url).status_code == 403


def test_empty_states_without_meetings_then_without_roles(client, auth, coordinator,
                                                          programme):
    auth.login(coordinator(programme))
    url = f"/coordinate/{programme.slug}/dashboard/outcomes"
    assert "No ITU meeting is on the programme's list yet" in text(client.get(url))
    meeting(programme, "WRC-23", date(2023, 11, 20))
    page = text(client.get(url))
    assert "No role at the programme's ITU meetings is recorded yet." in page
    assert "<table" not in page


def test_without_a_start_date_only_the_baseline_counts_as_before(
        app, make_programme, make_enrolment):
    programme = make_programme(status=ProgrammeStatus.RUNNING)
    wrc = meeting(programme, "WRC-23", date(2023, 11, 20))
    cpm = meeting(programme, "CPM23-2", date(2023, 4, 17))
    her = make_enrolment(programme, status=ACCEPTED, gender=Gender.WOMAN)
    db.session.add_all([
        MeetingRole(user_id=her.user_id, itu_meeting_id=wrc.id, role=DELEGATE),
        MeetingRole(user_id=her.user_id, itu_meeting_id=cpm.id, role=DELEGATE, baseline=True)])
    db.session.commit()
    [line] = outcomes.mentee_roles(Scope(programme))
    assert (line.mentees_before, line.held_before, line.mentees_since, line.held_since) == (
        1, 1, 1, 1)


def test_a_meeting_name_that_looks_like_a_formula_is_defused_in_the_csv(
        client, auth, coordinator, programme, make_enrolment):
    formula = meeting(programme, "=HYPERLINK(\"http://x\")", date(2023, 11, 20))
    her = make_enrolment(programme, status=ACCEPTED)
    db.session.add(MeetingRole(user_id=her.user_id, itu_meeting_id=formula.id, role=DELEGATE))
    db.session.commit()
    auth.login(coordinator(programme))
    rows = get_csv(client, programme.slug, "women-shares")
    assert rows[1][0] == "'=HYPERLINK(\"http://x\")"
