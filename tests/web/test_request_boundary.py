"""The request boundary: services run without a request, refusals map to pages once, and a
bug is an error, never a quiet 404."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mentoring.extensions import db
from mentoring.models import (
    AuditEvent,
    EnrolmentStatus,
    OutboxEmail,
    Pairing,
    PairingStatus,
    ProgrammeStatus,
    Role,
    Survey,
)
from mentoring.models._types import utcnow
from mentoring.services import accounts, pairings
from tests.helpers import emails, link_in


@pytest.fixture
def app_config():
    return {"BASE_URL": "https://mentoring.example.int/app"}


@pytest.fixture
def proposal(make_programme, make_enrolment):
    programme = make_programme(status=ProgrammeStatus.MATCHING)
    mentee = make_enrolment(programme, status=EnrolmentStatus.ACCEPTED)
    mentor = make_enrolment(programme, role=Role.MENTOR, status=EnrolmentStatus.ACCEPTED)
    pairing = Pairing(programme_id=programme.id, mentee_id=mentee.id, mentor_id=mentor.id,
                      status=PairingStatus.PROPOSED, score=700)
    db.session.add(pairing)
    db.session.commit()
    return pairing


def test_a_bug_in_a_service_is_a_logged_server_error_not_a_missing_page(
        app, client, auth, coordinator, proposal, monkeypatch, caplog):
    auth.login(coordinator(proposal.mentee.programme))

    def broken(*args, **kwargs):
        return {}["no such key"]  # a programming error (KeyError is a LookupError)

    monkeypatch.setattr(pairings, "approve", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    with caplog.at_level(logging.ERROR):
        response = client.post(
            f"/coordinate/{proposal.mentee.programme.slug}/pairs/{proposal.id}/approve")
    assert response.status_code == 500
    assert any("KeyError" in (record.exc_text or "") or record.exc_info
               for record in caplog.records)


def test_a_pair_of_another_programme_is_not_found_and_changes_nothing(
        client, auth, coordinator, proposal, make_programme):
    other = make_programme(status=ProgrammeStatus.MATCHING)
    auth.login(coordinator(other))
    response = client.post(f"/coordinate/{other.slug}/pairs/{proposal.id}/approve")
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Pairing, proposal.id).status == PairingStatus.PROPOSED


def test_a_co_chair_acting_outside_her_region_is_forbidden(client, auth, coordinator, proposal):
    programme = proposal.mentee.programme
    outside = next(r for r in programme.regions if r.id != proposal.mentee.region_id)
    auth.login(coordinator(programme, outside.code))
    response = client.post(f"/coordinate/{programme.slug}/pairs/{proposal.id}/approve")
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Pairing, proposal.id).status == PairingStatus.PROPOSED


def test_a_reset_link_points_at_the_configured_site_whatever_host_the_request_names(
        client, make_user):
    # A host the site does not serve is refused outright (tests/web/test_hardening.py); one it
    # does serve, such as the internal address, still never makes the link.
    user = make_user("delegate@example.org")
    client.post("/password/forgot", data={"email": user.email},
                headers={"Host": "127.0.0.1:8000"})
    (email,) = emails("reset-password", to=user.email)
    assert "https://mentoring.example.int/app/password/reset/" in email.body
    assert "127.0.0.1" not in email.body


def test_services_work_without_a_request_and_mail_goes_out_after_the_commit(app, make_user):
    """What a command or a background job does: no request context at all."""
    from flask import has_request_context

    user = make_user("nobody-asked@example.org")
    assert not has_request_context()
    accounts.request_password_reset(user.email)
    (queued,) = emails("reset-password", to=user.email)
    assert queued.sent_at is None  # nothing leaves before the work is committed
    db.session.commit()
    (sent,) = emails("reset-password", to=user.email)
    assert sent.sent_at is not None
    assert link_in(sent).startswith("/app/password/reset/")


def test_work_rolled_back_sends_no_email(app, make_user):
    user = make_user("rolled-back@example.org")
    accounts.request_password_reset(user.email)
    db.session.rollback()
    db.session.commit()
    assert emails("reset-password", to=user.email) == []


def test_reminders_command_needs_no_request_and_links_use_the_configured_site(
        runner, make_programme, make_enrolment):
    programme = make_programme(status=ProgrammeStatus.RUNNING)
    mentee = make_enrolment(programme, status=EnrolmentStatus.ACCEPTED)
    mentor = make_enrolment(programme, role=Role.MENTOR, status=EnrolmentStatus.ACCEPTED)
    long_ago = utcnow() - timedelta(days=60)
    db.session.add(Pairing(programme_id=programme.id, mentee_id=mentee.id, mentor_id=mentor.id,
                           status=PairingStatus.ACTIVE, score=700, decided_at=long_ago,
                           announced_at=long_ago))
    mentee.live_pairs = mentor.live_pairs = 1
    programme.starts_on = (long_ago - timedelta(days=10)).date()
    programme.ends_on = (utcnow() + timedelta(days=10)).date()
    db.session.commit()
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    survey_emails = emails("survey")
    assert survey_emails and all(e.sent_at is not None for e in survey_emails)
    assert all("https://mentoring.example.int/app/surveys/" in e.body for e in survey_emails)


def test_opening_the_surveys_and_translations_pages_writes_nothing(
        client, auth, coordinator, make_programme):
    programme = make_programme()
    auth.login(coordinator(programme))

    def rows():
        db.session.expire_all()
        return (db.session.scalar(select(func.count()).select_from(Survey)),
                db.session.scalar(select(func.count()).select_from(AuditEvent)),
                db.session.scalar(select(func.count()).select_from(OutboxEmail)))

    before = rows()
    assert client.get(f"/coordinate/{programme.slug}/surveys").status_code == 200
    assert client.get(f"/coordinate/{programme.slug}/translations?lang=fr").status_code == 200
    assert rows() == before
    # Saving is what creates the survey.
    client.post(f"/coordinate/{programme.slug}/surveys", data={
        "kind": "mid", "action": "save", "questions": "rating: Useful?"})
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Survey)) == 1
