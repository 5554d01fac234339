"""Reminders: pairs gone silent, pairs that never met, the coordinators' weekly digest, and
the activities of tomorrow for the people registered, and mentors who have not answered
whether they accept a pair, the day before the deadline.

``flask send-reminders`` is safe to run every day from cron: each reminder is recorded in
``reminder_sent`` under a key for the period it covers, so a second run sends nothing twice.
Nobody gets a reminder or digest she stopped (:mod:`.email_choices`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import (
    Activity,
    Coordinator,
    Programme,
    ProgrammeStatus,
    Registration,
    RegistrationStatus,
    ReminderSent,
    User,
)
from . import activities, consent, email_choices, mail, surveys
from .activity import activity
from .links import external_url
from .scope import Scope


@dataclass
class Sent:
    silent: int = 0
    never_met: int = 0
    digests: int = 0
    surveys: int = 0
    activities: int = 0
    consent: int = 0


def _claim(kind: str, subject_id: int, period: str) -> bool:
    """Record a reminder; False when it was already sent for this period."""
    try:
        with db.session.begin_nested():
            db.session.add(ReminderSent(kind=kind, subject_id=subject_id, period=period))
            db.session.flush()
    except IntegrityError:
        return False
    return True


def _who_wants(kind: str, pairing) -> list:
    """(me, partner) for each side of the pair who has not stopped this kind of email."""
    return [(me, partner) for me, partner in ((pairing.mentee, pairing.mentor),
                                              (pairing.mentor, pairing.mentee))
            if email_choices.wants(me.user, kind)]


def send_reminders(today: date) -> Sent:
    """Queue every reminder due today (flushes; the command commits)."""
    sent = Sent()
    programmes = db.session.scalars(select(Programme).where(
        Programme.status.in_([ProgrammeStatus.MATCHING, ProgrammeStatus.RUNNING]))).all()
    week = f"{today.isocalendar().year}-W{today.isocalendar().week:02d}"
    for programme in programmes:
        if programme.status == ProgrammeStatus.RUNNING:
            for kind in surveys.due(programme, today):
                survey = surveys.survey_for(programme, kind)
                if survey.sent_at is None and surveys.participants(programme, kind):
                    surveys.send(None, survey)
                    sent.surveys += 1
        for asked in consent.due_reminders(programme, today):
            # Once per pair and deadline: a new deadline reminds again.
            if _claim("consent", asked.id, programme.consent_deadline.isoformat()):
                consent.remind(asked)
                sent.consent += 1
        rows = activity(Scope(programme), today)
        for row in rows:
            pairing = row.pairing
            if row.never_met and _claim("never-met", pairing.id, "once"):
                for me, partner in _who_wants("reminder-never-met", pairing):
                    mail.queue_template(me.user, "reminder_never_met", kind="reminder-never-met",
                                        link=external_url("meetings.pair", pairing_id=pairing.id),
                                        locale=programme.default_locale, partner=partner,
                                        pairing=pairing, programme=programme)
                sent.never_met += 1
            elif row.silent and not row.never_met:
                # One reminder per silence: the key is the last session (or the start).
                period = (row.last or (pairing.announced_at or pairing.created_at).date())
                if _claim("silent", pairing.id, period.isoformat()):
                    for me, partner in _who_wants("reminder-silent", pairing):
                        mail.queue_template(me.user, "reminder_silent", kind="reminder-silent",
                                            link=external_url("meetings.pair",
                                                              pairing_id=pairing.id),
                                            locale=programme.default_locale, partner=partner,
                                            pairing=pairing, programme=programme,
                                            days=(today - period).days)
                    sent.silent += 1
        for role in db.session.scalars(select(Coordinator).where(
                Coordinator.programme_id == programme.id)):
            scope = Scope(programme, role.region)
            quiet = [row for row in rows if (row.silent or row.never_met)
                     and scope.covers(row.pairing.mentee)]
            person = db.session.get(User, role.user_id)
            if (quiet and email_choices.wants(person, "reminder-digest")
                    and _claim("digest", role.id, week)):
                mail.queue_template(person, "reminder_digest",
                                    kind="reminder-digest", locale=programme.default_locale,
                                    link=external_url("pairs_at_work.activity",
                                                      slug=programme.slug),
                                    programme=programme, rows=quiet, region=role.region)
                sent.digests += 1
    sent.activities = _activities_of_tomorrow(today)
    return sent


def _activities_of_tomorrow(today: date) -> int:
    """Tell each person registered for an activity that starts tomorrow (a UTC day; the
    scheduler runs at 06:00 UTC). The key is the start, so a moved activity is told again."""
    start = datetime.combine(today + timedelta(days=1), time(0), UTC)
    rows = db.session.execute(
        select(Registration, Activity).join(Activity, Registration.activity_id == Activity.id)
        .where(Activity.starts_at >= start, Activity.starts_at < start + timedelta(days=1),
               Registration.status == RegistrationStatus.REGISTERED)
        .order_by(Activity.id, Registration.id)).all()
    count = 0
    for registration, item in rows:
        if _claim("activity", registration.id, item.starts_at.strftime("%Y-%m-%dT%H:%M")):
            user = registration.user
            mail.queue_template(user, "activity_reminder", kind="activity", activity=item,
                                programme=item.programme, when=activities.when(item, user),
                                link=external_url("activities.activity", activity_id=item.id))
            count += 1
    return count
