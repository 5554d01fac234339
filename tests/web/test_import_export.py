"""Coordinators export applications to CSV for their spreadsheets, and import a spreadsheet."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from sqlalchemy import func, select

from mentoring.extensions import db
from mentoring.models import Enrolment, EnrolmentStatus, Gender, OutboxEmail, Role, User
from tests.conftest import PASSWORD
from tests.helpers import emails, imported_count, job_page, link_in

BOM = b"\xef\xbb\xbf"


@pytest.fixture
def programme(make_programme):
    return make_programme(name="NOW4WRC27", slug="now4wrc27")


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def totals() -> tuple[int, int, int]:
    return count(User), count(Enrolment), count(OutboxEmail)


# ---- export -------------------------------------------------------------------------------

def export(client, programme, **query):
    return client.get(f"/coordinate/{programme.slug}/applications.csv", query_string=query)


def rows_of(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response.data.startswith(BOM)
    return list(csv.DictReader(io.StringIO(response.data[len(BOM):].decode("utf-8"))))


def test_export_is_utf8_with_bom_a_header_and_one_row_per_application(
        client, auth, programme, make_enrolment, make_user, make_programme, coordinator):
    make_enrolment(programme, make_user("amina@example.org", name="Amina Diallo"), country="KE")
    make_enrolment(programme, make_user("claire@example.org", name="Claire Dubois"),
                   role=Role.MENTOR, country="FR", capacity=3,
                   status=EnrolmentStatus.ACCEPTED)
    make_enrolment(make_programme(), make_user(name="Other Programme Person"))
    auth.login(coordinator(programme))
    response = export(client, programme)
    assert response.mimetype == "text/csv"
    assert 'attachment; filename="now4wrc27-applications.csv"' == \
        response.headers["Content-Disposition"]
    header = response.data[len(BOM):].decode("utf-8").splitlines()[0]
    assert header.startswith("id,name,email,role,status,country,region,organisation,languages")
    rows = rows_of(response)
    by_email = {row["email"]: row for row in rows}
    assert set(by_email) == {"amina@example.org", "claire@example.org"}
    claire = by_email["claire@example.org"]
    assert (claire["role"], claire["status"], claire["country"], claire["region"],
            claire["capacity"]) == ("mentor", "accepted", "FR", "CEPT", "3")
    assert by_email["amina@example.org"]["region"] == "ATU"


def test_export_follows_the_filters_and_the_cochairs_region(
        app, client, auth, programme, make_enrolment, make_user, coordinator):
    make_enrolment(programme, make_user("kenya@example.org"), country="KE")
    make_enrolment(programme, make_user("kenya.mentor@example.org"), role=Role.MENTOR,
                   country="KE")
    make_enrolment(programme, make_user("egypt@example.org"), country="EG")
    make_enrolment(programme, make_user("france@example.org"), country="FR",
                   status=EnrolmentStatus.DECLINED)
    auth.login(coordinator(programme))

    def emails_in(response):
        return {row["email"] for row in rows_of(response)}

    assert emails_in(export(client, programme, role="mentor")) == {"kenya.mentor@example.org"}
    assert emails_in(export(client, programme, status="declined")) == {"france@example.org"}
    assert emails_in(export(client, programme, q="EGYPT@")) == {"egypt@example.org"}
    cochair = app.test_client()
    cochair.post("/login", data={"email": coordinator(programme, "ATU").email,
                                 "password": PASSWORD})
    assert emails_in(export(cochair, programme)) == {"kenya@example.org",
                                                     "kenya.mentor@example.org"}
    assert emails_in(export(cochair, programme, role="mentee")) == {"kenya@example.org"}
    # Naming another region in the filter does not widen her scope.
    asmg = next(r.id for r in programme.regions if r.code == "ASMG")
    assert emails_in(export(cochair, programme, region=asmg)) == set()


def test_arabic_and_chinese_names_round_trip(client, auth, programme, make_enrolment,
                                             make_user, coordinator):
    make_enrolment(programme, make_user("fatima@example.org", name="فاطمة الزهراء"),
                   country="EG", languages=["ar"], organisation="الجهاز القومي لتنظيم الاتصالات")
    make_enrolment(programme, make_user("li@example.org", name="李静"), country="CN",
                   languages=["zh", "en"])
    auth.login(coordinator(programme))
    rows = {row["email"]: row for row in rows_of(export(client, programme))}
    assert rows["fatima@example.org"]["name"] == "فاطمة الزهراء"
    assert rows["fatima@example.org"]["organisation"] == "الجهاز القومي لتنظيم الاتصالات"
    assert rows["li@example.org"]["name"] == "李静"
    assert sorted(rows["li@example.org"]["languages"].split("; ")) == ["en", "zh"]


@pytest.mark.parametrize(("field", "typed", "written"), [
    ("organisation", '=HYPERLINK("http://evil.example","Click")',
     '\'=HYPERLINK("http://evil.example","Click")'),
    ("organisation", "+33 1 45 18 20 00", "'+33 1 45 18 20 00"),
    ("organisation", "@SUM(1+1)", "'@SUM(1+1)"),
    ("organisation", "-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("goals", "=1+1", "'=1+1"),
    ("gender_self_described", "@woman", "'@woman"),
    ("name", "=cmd|' /C notepad'!A1", "'=cmd|' /C notepad'!A1"),
    ("organisation", "-42", "-42"),
    ("organisation", "-3.5", "-3.5"),
    ("organisation", "ITU =BDT=", "ITU =BDT="),
], ids=["hyperlink", "plus", "at", "minus-formula", "goals", "gender", "name",
        "negative-number", "negative-decimal", "equals-inside"])
def test_export_defuses_spreadsheet_formulas(client, auth, programme, make_enrolment, make_user,
                                             coordinator, field, typed, written):
    user = make_user("formula@example.org", **({"name": typed} if field == "name" else {}))
    answer = {"gender": Gender.SELF_DESCRIBED} if field == "gender_self_described" else {}
    make_enrolment(programme, user, **({} if field == "name" else {field: typed}), **answer)
    auth.login(coordinator(programme))
    [row] = rows_of(export(client, programme))
    assert row[field] == written


def test_exported_file_imports_into_the_next_cycle(client, auth, make_programme, make_enrolment,
                                                   make_user):
    old = make_programme(name="NOW4WRC23")
    new = make_programme(name="NOW4WRC27")
    make_enrolment(old, make_user("amina@example.org", name="Amina Diallo"), country="KE",
                   languages=["en", "fr"], topic_ids=[old.topics[1].id, old.topics[0].id],
                   gender=Gender.SELF_DESCRIBED, gender_self_described="two-spirit")
    make_enrolment(old, make_user("claire@example.org", name="Claire Dubois"),
                   role=Role.MENTOR, country="FR", capacity=3, gender=Gender.WOMAN)
    auth.login(make_user(admin=True))
    data = export(client, old).data
    response = upload(client, new, data)
    assert imported_count(response) == 2, errors_on(response)
    imported = {e.user.email: e for e in db.session.scalars(
        select(Enrolment).where(Enrolment.programme_id == new.id))}
    assert set(imported) == {"amina@example.org", "claire@example.org"}
    assert sorted(imported["amina@example.org"].language_codes) == ["en", "fr"]
    assert imported["amina@example.org"].topic_labels == [new.topics[1].label,
                                                          new.topics[0].label]
    assert imported["claire@example.org"].capacity == 3
    assert (imported["claire@example.org"].gender, imported["amina@example.org"].gender,
            imported["amina@example.org"].gender_self_described) == (
        Gender.WOMAN, Gender.SELF_DESCRIBED, "two-spirit")
    assert emails(kind="invitation") == []  # both already have a password


# ---- import -------------------------------------------------------------------------------

HEADINGS = "E-mail,Full name,Applies as,Country,Languages,Topics"


def upload(client, programme, content: bytes | str, filename="applications.csv"):
    if isinstance(content, str):
        content = content.encode("utf-8")
    return job_page(client, client.post(f"/coordinate/{programme.slug}/import",
                                        data={"file": (io.BytesIO(content), filename)}))


def errors_on(page) -> list[tuple[str, str, str]]:
    """(line, column, problem) for each row of the page's table of problems."""
    table = page.text.split('class="error-summary"', 1)[-1] if "error-summary" in page.text \
        else ""
    return [tuple(html.unescape(cell).strip() for cell in found) for found in re.findall(
        r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", table)]


def test_good_file_creates_applications_and_invites_new_people(app, client, auth, programme,
                                                               make_user, coordinator):
    existing = make_user("claire.dubois@anfr.example", name="Claire Dubois")
    auth.login(coordinator(programme))
    users_before = count(User)
    content = (
        "\ufeff" + HEADINGS + ",Organisation,Years of experience,Time zone,Max mentees\n"
        'Fatima.Hassan@Example.org,Fatima Hassan,Mentee,Egypt,"Arabic; English",'
        '"Negotiation; Drafting contributions",NTRA,2,Africa/Cairo,\n'
        'claire.dubois@anfr.example,Someone Else,mentor,FR,"French, English",'
        "Satellite regulatory procedures,ANFR,20,Europe/Paris,3\n"
        ",,,,,\n"  # blank lines are skipped
        "wei@example.org,Wei Chen,MENTOR,CHN,zh,IMT and mobile broadband,,,,\n"
    )
    response = upload(client, programme, content)
    assert "3 applications imported." in response.text
    page = client.get(f"/coordinate/{programme.slug}/applications?status=submitted")
    assert "Fatima Hassan" in page.text and "Wei Chen" in page.text
    assert count(User) == users_before + 2  # Claire's account is reused
    imported = {e.user.email: e for e in db.session.scalars(select(Enrolment))}
    assert set(imported) == {"fatima.hassan@example.org", "claire.dubois@anfr.example",
                             "wei@example.org"}
    assert {(e.status, e.source) for e in imported.values()} == {
        (EnrolmentStatus.SUBMITTED, "import")}
    fatima = imported["fatima.hassan@example.org"]
    assert (fatima.role, fatima.country, fatima.region.code, fatima.language_codes,
            fatima.topic_labels, fatima.organisation, fatima.years_experience,
            fatima.timezone) == (Role.MENTEE, "EG", "ASMG", ["ar", "en"],
                                 ["Negotiation", "Drafting contributions"], "NTRA", 2,
                                 "Africa/Cairo")
    claire = imported["claire.dubois@anfr.example"]
    assert claire.user_id == existing.id and claire.user.name == "Claire Dubois"
    assert (claire.role, claire.capacity, sorted(claire.language_codes)) == (Role.MENTOR, 3,
                                                                             ["en", "fr"])
    wei = imported["wei@example.org"]
    # A mentor without a capacity column value gets the programme's default.
    assert (wei.role, wei.country, wei.capacity, wei.timezone) == (Role.MENTOR, "CN", 2, "UTC")
    invitations = emails(kind="invitation")
    assert sorted(e.recipient for e in invitations) == ["fatima.hassan@example.org",
                                                        "wei@example.org"]

    # Fatima follows the link in her invitation, sets a password, and can then sign in.
    [invitation] = emails(kind="invitation", to="fatima.hassan@example.org")
    assert "NOW4WRC27" in invitation.body
    fatima_browser = app.test_client()
    link = link_in(invitation)
    assert fatima_browser.get(link).status_code == 200
    new_password = "Nile river delegate passphrase"
    response = fatima_browser.post(link, data={"password": new_password,
                                               "confirm": new_password})
    assert response.status_code == 302
    mine = fatima_browser.get("/me/programmes")
    assert "NOW4WRC27" in mine.text and "submitted" in mine.text
    later = app.test_client()
    assert later.post("/login", data={"email": "fatima.hassan@example.org",
                                      "password": new_password}).status_code == 302
    assert later.get("/me/programmes").status_code == 200
    # The link works once.
    assert app.test_client().get(link).status_code == 302


def test_existing_account_without_password_is_invited_again(client, auth, programme,
                                                            make_user, coordinator):
    imported_before = make_user("nour@example.org", name="Nour El-Sayed")
    imported_before.password_hash = ""  # as an earlier import left her
    db.session.commit()
    auth.login(coordinator(programme))
    users_before = count(User)
    response = upload(client, programme,
                      HEADINGS + "\nnour@example.org,Nour El-Sayed,mentee,EG,ar,Negotiation\n")
    assert imported_count(response) == 1
    assert [e.recipient for e in emails(kind="invitation")] == ["nour@example.org"]
    assert count(User) == users_before  # her account is reused
    assert db.session.scalar(select(Enrolment)).user_id == imported_before.id


def test_same_person_as_mentor_and_mentee_gets_one_invitation(client, auth, programme,
                                                              coordinator):
    auth.login(coordinator(programme))
    response = upload(client, programme, HEADINGS + (
        "\nana@example.org,Ana Souza,mentor,BR,es,Negotiation"
        "\nana@example.org,Ana Souza,mentee,BR,es,Chairing meetings\n"))
    assert imported_count(response) == 2
    assert count(Enrolment) == 2
    assert len(emails(kind="invitation", to="ana@example.org")) == 1


def test_a_file_saved_with_semicolons_imports_too(client, auth, programme, coordinator):
    """Spreadsheets set to French, Spanish or Russian save "CSV" with ";" between columns;
    lists inside a cell are then written with commas."""
    auth.login(coordinator(programme))
    content = ("\ufeffE-mail;Full name;Applies as;Country;Languages;Topics\n"
               "lucia@example.org;Lucía García;mentee;ES;Spanish, English;"
               "Negotiation, Drafting contributions\n")
    response = upload(client, programme, content)
    assert imported_count(response) == 1
    [lucia] = db.session.scalars(select(Enrolment)).all()
    assert (lucia.user.name, lucia.country) == ("Lucía García", "ES")
    assert sorted(lucia.language_codes) == ["en", "es"]
    assert len(lucia.topics) == 2


def good_row(email="amina@example.org", role="mentee", country="Kenya", languages="English",
             topics="Negotiation") -> str:
    return f"{email},Amina Diallo,{role},{country},{languages},{topics}"


BAD_FILES = {
    "missing-column": (
        "E-mail,Full name,Applies as,Country,Languages\n"
        "amina@example.org,Amina Diallo,mentee,KE,English\n",
        [("1", "topics", 'No column for "topics" was found in the heading row.')]),
    "missing-two-columns": (
        "Name,Country,Languages,Topics\nAmina,KE,en,Negotiation\n",
        [("1", "email", 'No column for "email"'), ("1", "role", 'No column for "role"')]),
    "bad-email": (
        HEADINGS + "\n" + good_row(email="amina.example.org") + "\n",
        [("2", "E-mail", '"amina.example.org" is not a valid email address.')]),
    "duplicate-row": (
        HEADINGS + "\n" + good_row() + "\n" + good_row(email="Amina@Example.org") + "\n",
        [("3", "E-mail", "Duplicate of line 2 (same email and role).")]),
    "unknown-country": (
        HEADINGS + "\n" + good_row(country="Atlantis") + "\n",
        [("2", "Country", 'Unknown country "Atlantis".')]),
    "unknown-topic": (
        HEADINGS + "\n" + good_row(topics='"Negotiation; Basket weaving"') + "\n",
        [("2", "Topics", '"Basket weaving" is not one of the programme\'s topics.')]),
    "unknown-language": (
        HEADINGS + "\n" + good_row(languages="Klingon") + "\n",
        [("2", "Languages", '"Klingon" is not one of the programme\'s languages.')]),
    "unknown-role": (
        HEADINGS + "\n" + good_row(role="observer") + "\n",
        [("2", "Applies as", 'Write "mentor" or "mentee", not "observer".')]),
    "not-utf8": (
        (HEADINGS + "\n" + good_row() + "\nelodie@example.org,Élodie Martin,mentee,FR,"
         "French,Negotiation\n").encode("latin-1"),
        [("1", "", "The file is not UTF-8 text.")]),
    "empty": (b"", [("1", "", "The file is empty.")]),
    "heading-only": (HEADINGS + "\n", [("2", "", "The file has no rows after the heading.")]),
}


@pytest.mark.parametrize(("content", "expected"), BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_file_imports_nothing_and_says_where(client, auth, programme, coordinator, content,
                                                 expected):
    auth.login(coordinator(programme))
    before = totals()
    response = upload(client, programme, content)
    assert response.status_code == 200
    problems = "1 problem," if len(expected) == 1 else f"{len(expected)} problems,"
    assert f"Nothing was imported: the file has {problems} listed below." in response.text
    found = errors_on(response)
    assert len(found) == len(expected), found
    for (line, column, message), got in zip(expected, found, strict=True):
        assert got[:2] == (line, column) and message in got[2], got
    assert totals() == before


def test_every_error_in_a_file_is_listed(client, auth, programme, make_user, make_enrolment,
                                         coordinator):
    make_enrolment(programme, make_user("already@example.org"))
    auth.login(coordinator(programme))
    before = totals()
    content = "\n".join([
        HEADINGS + ",Years of experience,Time zone,Max mentees",
        good_row() + ",3,Africa/Nairobi,",                                  # line 2: fine
        good_row(email="not an email") + ",3,,",                             # line 3
        good_row(email="b@example.org", country="Narnia", topics="Knitting") + ",,,",  # 4
        good_row(email="c@example.org") + ",ninety,Mars/Olympus,",            # line 5
        good_row(email="d@example.org", role="mentor") + ",,,12",             # line 6
        good_row(email="already@example.org") + ",,,",                        # line 7
        good_row(email="AMINA@example.org") + ",,,",                          # line 8
    ]) + "\n"
    response = upload(client, programme, content)
    assert "the file has 8 problems" in response.text
    found = errors_on(response)
    assert [(line, column) for line, column, _ in found] == [
        ("3", "E-mail"), ("4", "Country"), ("4", "Topics"), ("5", "Years of experience"),
        ("5", "Time zone"), ("6", "Max mentees"), ("7", "E-mail"), ("8", "E-mail")]
    assert "between 1 and 4" in found[5][2]
    assert "already applied" in found[6][2]
    assert totals() == before


def test_regional_cochair_imports_only_her_regions_delegates(client, auth, programme,
                                                             coordinator):
    auth.login(coordinator(programme, "ATU"))
    before = totals()
    response = upload(client, programme, HEADINGS + "\n" + good_row() + "\n"
                      + good_row(email="nour@example.org", country="EG") + "\n")
    assert errors_on(response) == [("3", "Country", "This country is outside your region.")]
    assert totals() == before
    response = upload(client, programme, HEADINGS + "\n" + good_row() + "\n")
    assert imported_count(response) == 1 and count(Enrolment) == 1


def test_upload_over_the_size_limit_gets_413(client, auth, programme, coordinator):
    auth.login(coordinator(programme))
    before = totals()
    big = HEADINGS + "\n" + (good_row() + "\n") * (3 * 1024 * 1024 // len(good_row()))
    response = upload(client, programme, big)
    assert response.status_code == 413
    assert "File too large" in response.text
    assert totals() == before


def test_upload_without_a_file_or_of_another_type_is_refused(client, auth, programme,
                                                             coordinator):
    auth.login(coordinator(programme))
    response = client.post(f"/coordinate/{programme.slug}/import", data={})
    assert response.status_code == 200 and "Choose a file." in response.text
    response = upload(client, programme, HEADINGS + "\n" + good_row() + "\n", "people.xlsx")
    assert response.status_code == 200 and "Upload a .csv file." in response.text
    assert count(Enrolment) == 0


# ---- one validator: the import refuses what the forms refuse, in the forms' words -------------

def form_error(page, field: str) -> str:
    """The error a form shows under one of its fields."""
    found = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', page.text, re.S)
    assert found, f"no error under {field}"
    return html.unescape(found.group(1)).strip()


def test_a_300_character_name_is_refused_with_the_registration_forms_words(
        app, client, auth, programme, coordinator):
    long_name = "Amina " + "Diallo" * 49  # 300 characters
    registration = app.test_client().post("/register", data={
        "name": long_name, "email": "amina@example.org",
        "password": "Nile river delegate passphrase",
        "confirm": "Nile river delegate passphrase"})
    auth.login(coordinator(programme))
    before = totals()

    response = upload(client, programme, HEADINGS + "\n"
                      + good_row().replace("Amina Diallo", long_name) + "\n")

    assert errors_on(response) == [("2", "Full name", form_error(registration, "name"))]
    assert totals() == before


def test_a_nul_byte_in_goals_is_refused_with_the_application_forms_words(
        client, auth, programme, make_user, coordinator):
    applicant = make_user("nour@example.org")
    auth.login(applicant)
    form_page = client.post(f"/programmes/{programme.slug}/apply/mentee", data={
        "country": "KE", "timezone": "Africa/Nairobi", "languages": ["en"],
        "topic_1": str(programme.topics[0].id), "years_experience": "2",
        "goals": "Speak at\x00 WRC-27.", "region_preference": "none", "consent": "y"})
    assert form_page.status_code == 200
    client.post("/logout")
    auth.login(coordinator(programme))
    before = totals()

    response = upload(client, programme, HEADINGS + ",Goals\n" + good_row()
                      + ',"Speak at\x00 WRC-27."\n')

    assert errors_on(response) == [("2", "Goals", form_error(form_page, "goals"))]
    assert totals() == before


def test_an_over_long_organisation_is_refused_with_the_application_forms_words(
        client, auth, programme, make_user, coordinator):
    organisation = "Ministry of Communications " * 10  # 270 characters
    auth.login(make_user("nour@example.org"))
    form_page = client.post(f"/programmes/{programme.slug}/apply/mentee", data={
        "country": "KE", "timezone": "Africa/Nairobi", "languages": ["en"],
        "topic_1": str(programme.topics[0].id), "years_experience": "2",
        "organisation": organisation, "region_preference": "none", "consent": "y"})
    client.post("/logout")
    auth.login(coordinator(programme))
    before = totals()

    response = upload(client, programme, HEADINGS + ",Organisation\n" + good_row()
                      + f",{organisation}\n" + good_row(email="b@example.org") + ",ITU\n")

    assert errors_on(response) == [("2", "Organisation", form_error(form_page, "organisation"))]
    assert totals() == before
