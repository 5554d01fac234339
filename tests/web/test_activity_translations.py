"""An activity's title and description in other languages (issue #17), written on the
programme's Translations page beside its other content and shown to each participant in her
language, the default language where none was given."""

from __future__ import annotations

import html

from icalendar import Calendar

from mentoring.extensions import db
from mentoring.models import EnrolmentStatus
from tests.web.test_activities import planned, programme  # noqa: F401 - the fixture

ACCEPTED = EnrolmentStatus.ACCEPTED
TITLE = "Negotiating at WRC: what I wish I had known"


def test_each_participant_reads_the_activity_in_her_language(
        client, auth, coordinator, programme, make_enrolment, make_user):  # noqa: F811
    auth.login(coordinator(programme))
    talk = planned(client, programme)
    page = client.get(f"/coordinate/{programme.slug}/translations?lang=fr")
    assert page.status_code == 200 and TITLE in page.text
    answer = client.post(f"/coordinate/{programme.slug}/translations?lang=fr", data={
        f"activity-{talk.id}-title": "  Négocier à la CMR  ",
        f"activity-{talk.id}-description": "Un exposé d'une cheffe de délégation."})
    assert answer.status_code == 302
    db.session.refresh(talk)
    assert talk.translations == {"fr": {"title": "Négocier à la CMR",
                                        "description": "Un exposé d'une cheffe de délégation."}}
    auth.logout()
    french = make_enrolment(programme, make_user(locale="fr"), status=ACCEPTED)
    auth.login(french.user)
    page = html.unescape(client.get(f"/activities/{talk.id}").text)
    assert "Négocier à la CMR" in page and "Un exposé d'une cheffe de délégation." in page
    assert TITLE not in page
    assert "Négocier à la CMR" in client.get("/me/programmes").text
    (event,) = Calendar.from_ical(client.get(f"/activities/{talk.id}.ics").data).walk("VEVENT")
    assert str(event["summary"]) == "Négocier à la CMR"
    auth.logout()
    # Spanish has no version: the default language.
    spanish = make_enrolment(programme, make_user(locale="es"), status=ACCEPTED)
    auth.login(spanish.user)
    page = client.get(f"/activities/{talk.id}").text
    assert TITLE in page and "Négocier" not in page


def test_a_title_left_empty_falls_back_and_too_long_a_one_saves_nothing(
        client, auth, coordinator, programme):  # noqa: F811
    auth.login(coordinator(programme))
    talk = planned(client, programme)
    page = client.post(f"/coordinate/{programme.slug}/translations?lang=es", data={
        "name": "Nombre", f"activity-{talk.id}-title": "x" * 201})
    assert page.status_code == 200
    assert "At most 200 characters." in page.text and 'value="Nombre"' in page.text
    db.session.refresh(talk)
    assert talk.translations == {}
    client.post(f"/coordinate/{programme.slug}/translations?lang=es", data={
        f"activity-{talk.id}-description": "Una charla."})
    db.session.refresh(talk)
    assert talk.translations == {"es": {"description": "Una charla."}}
    assert talk.display("title", "es") == TITLE
    assert talk.display("description", "es") == "Una charla."
    # Emptied again: the version is gone.
    client.post(f"/coordinate/{programme.slug}/translations?lang=es", data={})
    db.session.refresh(talk)
    assert talk.translations == {}
