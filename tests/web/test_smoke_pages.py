"""Every main page renders for the people who may see it."""

import pytest

from mentoring.models import Role


def test_public_pages_render_and_list_open_programme(client, make_programme):
    programme = make_programme(name="NOW4WRC27 pilot")
    page = client.get("/")
    assert page.status_code == 200
    assert "NOW4WRC27 pilot" in page.text
    assert client.get(f"/programmes/{programme.slug}").status_code == 200


@pytest.mark.parametrize("path", ["/login", "/register", "/password/forgot"])
def test_anonymous_pages_render(client, path):
    assert client.get(path).status_code == 200


def test_admin_pages_render(client, auth, make_user, make_programme, make_enrolment):
    admin = make_user(admin=True)
    programme = make_programme()
    enrolment = make_enrolment(programme, role=Role.MENTOR)
    auth.login(admin)
    for path in ["/admin/", f"/admin/programmes/{programme.slug}",
                 f"/admin/programmes/{programme.slug}/edit",
                 f"/admin/programmes/{programme.slug}/coordinators",
                 f"/admin/programmes/{programme.slug}/copy", "/admin/users",
                 "/admin/programmes/new", f"/coordinate/{programme.slug}/applications",
                 f"/coordinate/{programme.slug}/applications/{enrolment.id}",
                 f"/coordinate/{programme.slug}/import",
                 f"/coordinate/{programme.slug}/waiting",
                 f"/coordinate/{programme.slug}/dashboard/outcomes",
                 f"/coordinate/{programme.slug}/itu-meetings/import"]:
        assert client.get(path).status_code == 200, path
