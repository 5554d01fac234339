"""The demo data, and the outbox that every email goes through."""

import html

from sqlalchemy import func, select

from mentoring.demo import DEMO_PASSWORD
from mentoring.extensions import db
from mentoring.models import (
    Circle,
    Enrolment,
    MatchingRun,
    MentorWish,
    OutboxEmail,
    Programme,
    Registration,
    User,
)
from tests.helpers import emails
from tests.web.test_dashboard import tables
from tests.web.test_wishes import settings


def test_seed_demo_loads_two_programmes_across_all_six_regions(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "coordinator@demo.example" in result.output
    assert "demo-mentoring-2026" in result.output
    programmes = db.session.scalars(select(Programme).order_by(Programme.slug)).all()
    assert [p.slug for p in programmes] == ["now4wrc23", "now4wrc27", "women-in-cyber"]
    participants = db.session.scalar(select(func.count(func.distinct(Enrolment.user_id))))
    assert 100 <= participants <= 140
    regions = db.session.scalars(
        select(func.distinct(Enrolment.region_id)).where(Enrolment.region_id.is_not(None))).all()
    assert len(regions) == 12  # six regions in each of the two programmes
    languages = {code for e in db.session.scalars(select(Enrolment)) for code in e.language_codes}
    assert {"ar", "zh", "en", "fr", "ru", "es"} <= languages


def test_demo_programme_reads_in_each_un_language(runner, client):
    runner.invoke(args=["seed-demo"])
    arabic = client.get("/programmes/now4wrc23", headers={"Accept-Language": "ar"}).text
    assert "برنامج الإرشاد NOW4WRC23" in arabic
    chinese = client.get("/", headers={"Accept-Language": "zh"}).text
    assert "NOW4WRC23 导师辅导计划" in chinese
    # The next cycle was copied with the description's versions, under its own name.
    spanish = client.get("/programmes/now4wrc27", headers={"Accept-Language": "es"}).text
    assert "La Red de Mujeres para la CMR-27" in spanish
    assert "Programa de mentoría NOW4WRC27" in spanish


def test_the_demos_next_cycle_speaks_of_its_own_conference(runner):
    runner.invoke(args=["seed-demo"])
    nxt = db.session.scalar(select(Programme).where(Programme.slug == "now4wrc27"))
    texts = [nxt.name, nxt.network, nxt.description] + [
        value for versions in nxt.translations.values() for value in versions.values()]
    for words in texts:
        for old in ("WRC-23", "WRC23", "CMR-23", "ВКР-23", "2023"):
            assert old not in words, words
    assert "WRC-27" in nxt.network and "WRC-27" in nxt.description
    assert "CMR-27" in nxt.translations["fr"]["description"]


def test_seed_demo_if_empty_leaves_an_existing_database_alone(runner, make_user):
    make_user()
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "already has accounts" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_demo_logins_work(runner, client):
    runner.invoke(args=["seed-demo"])
    response = client.post("/login", data={"email": "cochair.asmg@demo.example",
                                           "password": "demo-mentoring-2026"})
    assert response.status_code == 302
    page = client.get("/coordinate/now4wrc23/applications")
    assert page.status_code == 200
    assert "region ASMG" in page.text


def test_the_demos_mentees_rank_listed_mentors_and_wishes_first_grants_them(runner, client):
    runner.invoke(args=["seed-demo"])
    wrc = db.session.scalar(select(Programme).where(Programme.slug == "now4wrc23"))
    listed = db.session.scalar(select(func.count()).select_from(Enrolment).where(
        Enrolment.programme_id == wrc.id, Enrolment.listed.is_(True)))
    wishers = db.session.scalar(select(func.count(func.distinct(MentorWish.mentee_id))))
    assert listed >= 5 and wishers >= 10
    # A mentee with wishes reads them on her wishes page, first wish first.
    wish = db.session.scalar(select(MentorWish).where(MentorWish.rank == 2)
                             .order_by(MentorWish.mentee_id))
    mentee = db.session.get(Enrolment, wish.mentee_id)
    client.post("/login", data={"email": mentee.user.email, "password": DEMO_PASSWORD})
    page = html.unescape(client.get(f"/applications/{mentee.id}/wishes").text)
    first = db.session.scalar(select(MentorWish).where(MentorWish.mentee_id == mentee.id,
                                                       MentorWish.rank == 1))
    assert page.index(first.mentor.user.name) < page.index(wish.mentor.user.name)
    client.post("/logout")

    client.post("/login", data={"email": "coordinator@demo.example",
                                "password": DEMO_PASSWORD})
    page = html.unescape(client.get("/coordinate/now4wrc23/matching").text)
    assert f"{wishers} mentees have ranked mentors they would like" in page
    client.post("/coordinate/now4wrc23/matching", data=settings(objective="wishes"))
    client.post("/coordinate/now4wrc23/matching/run", data={})
    run = db.session.scalar(select(MatchingRun).where(MatchingRun.programme_id == wrc.id))
    assert run.summary["wishers"] == wishers and run.summary["wishes"][0] > 0
    page = html.unescape(client.get("/coordinate/now4wrc23/pairs").text)
    assert f"wish 1: {run.summary['wishes'][0]} mentee" in page and "wishes first" in page


def test_queued_email_is_sent_after_the_request_commits(client):
    client.post("/register", data={"name": "Amina Diallo", "email": "amina@example.org",
                                   "password": "orbit spectrum filing",
                                   "confirm": "orbit spectrum filing"})
    [message] = emails(kind="verify-email")
    assert message.sent_at is not None and message.attempts == 1


def test_failed_smtp_keeps_the_email_and_send_emails_retries(app, client, runner):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_USE_TLS=False)
    client.post("/register", data={"name": "Amina Diallo", "email": "amina@example.org",
                                   "password": "orbit spectrum filing",
                                   "confirm": "orbit spectrum filing"})
    [message] = emails(kind="verify-email")
    assert message.sent_at is None and message.last_error
    app.config.update(MAIL_SERVER="")  # back to the log sender
    assert "sent 0, failed 0" in runner.invoke(args=["send-emails"]).output  # not yet due
    result = runner.invoke(args=["send-emails", "--now"])
    assert "sent 1, failed 0" in result.output
    db.session.expire_all()
    assert db.session.get(OutboxEmail, message.id).sent_at is not None


def test_the_demos_women_in_cyber_circle_has_logged_sessions_its_mentee_sees(runner, client):
    output = runner.invoke(args=["seed-demo"]).output
    mentee = next(line.split()[-1] for line in output.splitlines()
                  if "mentee (pair at work)" in line)
    client.post("/login", data={"email": mentee, "password": "demo-mentoring-2026"})
    circle = db.session.scalar(select(Circle))
    assert circle.programme.slug == "women-in-cyber" and len(circle.members) == 5
    assert {str(m.role) for m in circle.members} == {"mentor", "mentee"}
    assert "Threat intelligence circle" in client.get("/me/programmes").text
    page = client.get(f"/circles/{circle.id}").text
    assert page.count("90 min") == 2 and "75 min" in page
    assert "Tabletop: a phishing campaign against a ministry" in page


def _kinds_table(html: str) -> dict[str, list[str]]:
    """The group activities' "By kind" table: kind -> registered, came, rate, ratings, mean."""
    [table] = [t for t in tables(html) if t["rows"] and t["rows"][0][0] == "Kind"]
    return {row[0]: row[1:] for row in table["rows"][1:]}


def test_the_demos_past_activities_have_attendance_and_feedback_on_dashboard_and_report(
        runner, client):
    """The talk 40 days ago (24 registered) and the training 12 days ago (18): every sixth
    person registered did not come, every other one who came rated it (5, 4, 5, 3, 4 in
    turn). Talks: 20 of 24 came (83.3 %; the talk to come, 17 registered, is not recorded),
    10 ratings summing 42 (4.2); trainings: 15 of 18 (83.3 %; 12 registered to the one to
    come), 8 ratings (5, 4, 5, 3, 4, 5, 4, 5) summing 35 (4.38)."""
    runner.invoke(args=["seed-demo"])
    client.post("/login", data={"email": "cyber.coordinator@demo.example",
                                "password": DEMO_PASSWORD})
    dashboard = client.get("/coordinate/women-in-cyber/dashboard").text
    report = client.get("/coordinate/women-in-cyber/report").text
    for text in (dashboard, report):
        assert "No group activities yet." not in text
        kinds = _kinds_table(text)
        assert kinds["Talk"] == ["41", "20", "83.3%", "10", "4.2"], kinds
        assert kinds["Training"] == ["30", "15", "83.3%", "8", "4.38"], kinds
    # The participants gave their feedback through their own page's service: it is theirs.
    feedback = db.session.scalars(select(Registration).where(
        Registration.rating.is_not(None))).all()
    assert len(feedback) == 18 and all(r.attended and r.feedback_at for r in feedback)
