"""The two WSGI apps bench_served.py serves with gunicorn, configured from the environment.

``mentoring_app()`` is the site itself; ``bare_app()`` is the yardstick: Flask and SQLAlchemy
with nothing else, serving one GROUP BY page and one 50-row list page from the same database.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BARE_GROUP_BY = """
SELECT meeting.confirmation, count(*), sum(meeting.duration_minutes)
FROM meeting GROUP BY meeting.confirmation ORDER BY meeting.confirmation
"""
BARE_LIST = """
SELECT enrolment.id, "user".name, enrolment.role, enrolment.status, enrolment.country
FROM enrolment JOIN "user" ON "user".id = enrolment.user_id
ORDER BY enrolment.id DESC LIMIT 50
"""
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
</head><body><h1>{{ title }}</h1><table>{% for row in rows %}<tr>{% for cell in row %}
<td>{{ cell }}</td>{% endfor %}</tr>{% endfor %}</table></body></html>"""


def mentoring_app():
    from mentoring import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": os.environ["SERVED_DATABASE_URL"],
                       "SECRET_KEY": os.environ["SERVED_SECRET_KEY"],
                       "RATELIMIT_ENABLED": False, "LOG_LEVEL": "WARNING",
                       "MENTORING_ENV": "development"})


def bare_app():
    from flask import Flask, render_template_string
    from sqlalchemy import create_engine, text

    app = Flask(__name__)
    engine = create_engine(os.environ["SERVED_DATABASE_URL"])

    def page(title, sql):
        with engine.connect() as connection:
            rows = connection.execute(text(sql)).all()
        return render_template_string(PAGE, title=title, rows=rows)

    app.add_url_rule("/group-by", "group_by", lambda: page("Sessions", BARE_GROUP_BY))
    app.add_url_rule("/list", "list", lambda: page("Applications", BARE_LIST))
    return app
