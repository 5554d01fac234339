"""The Celery app of the site, for ``celery -A mentoring.jobs.worker worker`` (and ``beat``)."""

from mentoring import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
