"""Commands: ``flask --app app create-admin | seed-demo | send-emails | send-reminders |
anonymise-old | delete-old-jobs``."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import func, select

from .extensions import db
from .models import User
from .models._types import utcnow
from .services import Refused, accounts, mail


def register(app: Flask) -> None:
    @app.cli.command("create-admin")
    @click.option("--email", prompt=True)
    @click.option("--name", prompt=True)
    @click.password_option()
    def create_admin(email: str, name: str, password: str) -> None:
        """Create a site admin, or make an existing account one."""
        user = accounts.user_by_email(email)
        if user is None:
            problems = accounts.password_problems(password, email=email, name=name)
            if problems:
                raise click.ClickException(" ".join(problems))
            user = User(name=name, email=accounts.normalise_email(email))
            user.set_password(password)
            user.email_verified_at = utcnow()
            db.session.add(user)
        user.is_admin = True
        db.session.commit()
        click.echo(f"{user.email} is a site admin.")

    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Do nothing when any account exists.")
    def seed_demo(if_empty: bool) -> None:
        """Load two demo programmes with about 120 participants, and print the demo logins."""
        from .demo import DEMO_PASSWORD, seed

        if if_empty and db.session.scalar(select(func.count()).select_from(User)):
            click.echo("The database already has accounts: demo data not loaded.")
            return
        try:
            logins = seed()
        except Refused as error:
            db.session.rollback()
            raise click.ClickException(error.message) from error
        db.session.commit()
        click.echo(f"Demo data loaded. Every demo account's password is: {DEMO_PASSWORD}")
        for label, email in logins:
            click.echo(f"  {label:<22} {email}")

    @app.cli.command("send-reminders")
    def send_reminders() -> None:
        """Remind silent pairs, pairs that never met, and coordinators (daily from cron)."""
        from .services.reminders import send_reminders as run

        sent = run(utcnow().date())
        db.session.commit()  # the queued emails go out after the commit
        click.echo(f"silent pairs {sent.silent}, never met {sent.never_met}, "
                   f"digests {sent.digests}, surveys {sent.surveys}, "
                   f"activity reminders {sent.activities}, consent {sent.consent}")

    @app.cli.command("send-emails")
    @click.option("--now", is_flag=True,
                  help="Also send what waits for its next retry (not the ones given up).")
    def send_emails(now: bool) -> None:
        """Send what is due in the outbox (safe to run from cron, several at once)."""
        sent, failed = mail.deliver_pending(limit=10_000, due_only=not now)
        click.echo(f"sent {sent}, failed {failed}")
        if failed:
            raise SystemExit(1)


    @app.cli.command("anonymise-old")
    @click.option("--days", type=int, default=None,
                  help="Days after a closed programme's end date (default: RETENTION_DAYS).")
    def anonymise_old(days: int | None) -> None:
        """Erase the free text of programmes closed and ended more than N days ago, and the
        accounts of people in no other programme (safe to run again, e.g. from cron)."""
        from .services.personal_data import anonymise_old as run

        days = app.config["RETENTION_DAYS"] if days is None else days
        try:
            done = run(days, utcnow().date())
        except Refused as error:
            db.session.rollback()
            raise click.ClickException(error.message) from error
        db.session.commit()
        click.echo(f"programmes ended more than {days} days ago: {done.programmes}, "
                   f"applications anonymised: {done.applications}, "
                   f"people erased: {done.people}")

    @app.cli.command("delete-old-jobs")
    @click.option("--days", type=int, default=None,
                  help="Days after a job finished (default: JOB_RETENTION_DAYS).")
    def delete_old_jobs(days: int | None) -> None:
        """Delete background jobs finished more than N days ago (queued and running ones
        stay; safe to run again, e.g. daily from cron)."""
        from .services.jobs import delete_finished

        days = app.config["JOB_RETENTION_DAYS"] if days is None else days
        deleted = delete_finished(days)
        db.session.commit()
        click.echo(f"jobs finished more than {days} days ago deleted: {deleted}")
