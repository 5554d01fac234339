"""One CSV import cannot tie up a worker: the number of rows is capped, and a file full of
mistakes shows the first 100 problems and how many more there are."""

from __future__ import annotations

import pytest

from tests.helpers import imported_count, sql_statements
from tests.web.test_import_export import HEADINGS, errors_on, good_row, totals, upload


@pytest.fixture
def programme(make_programme):
    return make_programme(name="NOW4WRC27", slug="now4wrc27")


def test_a_file_of_20001_rows_is_refused_at_once(client, auth, programme, coordinator):
    auth.login(coordinator(programme))
    before = totals()
    rows = [good_row(email=f"person{n}@example.org") for n in range(20_001)]
    with sql_statements() as statements:
        response = upload(client, programme, HEADINGS + "\n" + "\n".join(rows) + "\n")
    assert response.status_code == 200
    assert "Nothing was imported: the file has 1 problem, listed below." in response.text
    assert errors_on(response) == [
        ("1", "", "The file has more than 20,000 rows: import at most 20,000 at a time, "
                  "in several files.")]
    # Refused before any row is read: a handful of statements (sign-in, programme, the job),
    # not one per row.
    assert len(statements) < 40, len(statements)
    assert totals() == before


def test_the_cap_is_a_setting(app, client, auth, programme, coordinator):
    app.config["IMPORT_MAX_ROWS"] = 2
    auth.login(coordinator(programme))
    rows = [good_row(email=f"person{n}@example.org") for n in range(3)]
    response = upload(client, programme, HEADINGS + "\n" + "\n".join(rows) + "\n")
    assert "more than 2 rows" in errors_on(response)[0][2]
    response = upload(client, programme, HEADINGS + "\n" + "\n".join(rows[:2]) + "\n")
    assert imported_count(response) == 2


def test_a_file_of_1000_bad_rows_shows_100_problems_and_how_many_more(
        client, auth, programme, coordinator):
    auth.login(coordinator(programme))
    before = totals()
    rows = [good_row(email=f"person{n}@example.org", country="Atlantis") for n in range(1_000)]
    response = upload(client, programme, HEADINGS + "\n" + "\n".join(rows) + "\n")
    assert response.status_code == 200
    assert "Nothing was imported: the file has 1000 problems" in response.text
    found = errors_on(response)
    assert len(found) == 100
    assert found[0][:2] == ("2", "Country") and found[-1][:2] == ("101", "Country")
    assert "and 900 more problems" in response.text
    assert len(response.data) < 100_000
    assert totals() == before


def test_a_file_of_20000_bad_rows_is_checked_without_a_query_per_row(
        client, auth, programme, coordinator):
    auth.login(coordinator(programme))
    rows = [f"person{n}@example,Amina Diallo,observer,Atlantis,Klingon,Knitting"
            for n in range(20_000)]
    with sql_statements() as statements:
        response = upload(client, programme, HEADINGS + "\n" + "\n".join(rows) + "\n")
    assert len(errors_on(response)) == 100 and "more problems" in response.text
    # The rows are checked in memory, not with a query each (on PostgreSQL the job's
    # progress is written every hundred rows or so).
    assert len(statements) < 1_000, len(statements)
    assert len(response.data) < 200_000
