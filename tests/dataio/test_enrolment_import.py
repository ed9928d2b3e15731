"""Bulk enrolment: the template, the preview's every refusal by row and column, nothing
created before the admin confirms, then every row or none, and nothing new the second time."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from accounts.models import User
from apprenticeship import services as enrolment
from apprenticeship.models import Apprenticeship, Membership, Organisation, Role
from apprenticeship.uln import uln_problem
from audit.models import AuditEvent
from dataio import enrolment_import, services
from dataio.models import EnrolmentImport
from outbox.models import OutboxMessage
from tests import factories

pytestmark = pytest.mark.django_db

HEADER = list(enrolment_import.COLUMNS)


def uln(prefix: str) -> str:
    """A valid ULN from 9 digits (whose check digit is not 10)."""
    total = sum(int(d) * w for d, w in zip(prefix, range(10, 1, -1), strict=True))
    check = (10 - total) % 11
    assert check < 10, prefix
    return prefix + str(check)


def row(**values) -> dict[str, str]:
    base = {
        "email": "new.learner@example.org",
        "full_name": "New Learner",
        "date_of_birth": "1990-05-17",
        "uln": "",
        "employer": "Riverside Service",
        "standard": "ST0896",
        "version": "1.0",
        "start_date": "2026-09-07",
        "planned_end_date": "2027-12-06",
        "contracted_weekly_hours": "30",
        "tutor_email": "",
    }
    return base | values


def csv_bytes(rows: list[dict]) -> bytes:
    lines = [",".join(HEADER)] + [",".join(r[c] for c in HEADER) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def upload(admin, rows, provider) -> EnrolmentImport:
    return services.upload_enrolments(
        provider=provider, content=csv_bytes(rows), filename="learners.csv", by=admin
    )


def counts() -> tuple[int, int, int, int]:
    return (
        Apprenticeship.objects.count(),
        User.objects.count(),
        Organisation.objects.count(),
        Membership.objects.count(),
    )


def test_uln_check_digit():
    assert uln_problem("9276308686") is None
    assert "last digit" in uln_problem("9276308687")
    assert uln_problem("0276308686")
    assert uln_problem("12345")


def test_the_template_example_previews_without_a_problem(personas):
    content = enrolment_import.template_csv().encode()
    rows = enrolment_import.read_rows(content, "enrolment-template.csv")
    plan = enrolment_import.plan_rows(provider=personas["apprenticeship"].provider, rows=rows)
    assert plan.problems == 0
    assert plan.to_create == 1


def test_admin_downloads_the_template(client, personas):
    client.force_login(personas["admin"])
    response = client.get(reverse("dataio:enrolment-import-template"))
    assert response.status_code == 200
    assert response.content.decode().splitlines()[0] == ",".join(HEADER)


def test_preview_names_every_problem_by_row_and_column(personas):
    provider = personas["apprenticeship"].provider
    rows = [
        row(email="ok@example.org", uln=uln("123456789")),
        row(email="version@example.org", version="9.9"),
        row(email="uln@example.org", uln="9276308687"),
        row(email="dates@example.org", start_date="2027-12-06", planned_end_date="2026-09-07"),
        row(email="twice@example.org"),
        row(email="TWICE@example.org", full_name="Twice Again"),
        row(email=personas["tutor"].email, full_name="Tutor Person"),
        row(email="notutor@example.org", tutor_email="nobody@example.org"),
    ]
    plan = enrolment_import.plan_rows(
        provider=provider,
        rows=enrolment_import.read_rows(csv_bytes(rows), "x.csv"),
    )
    problems = {r.row: r.problems for r in plan.rows}
    assert problems[2] == []
    assert [c for c, _ in problems[3]] == ["version"]
    assert [c for c, _ in problems[4]] == ["uln"]
    assert "last digit" in problems[4][0][1]
    assert [c for c, _ in problems[5]] == ["planned_end_date"]
    assert "after the start date" in problems[5][0][1]
    assert [c for c, _ in problems[6]] == ["email"]
    assert "again further down" in problems[6][0][1]
    assert [c for c, _ in problems[7]] == ["email"]
    assert "already on row 6" in problems[7][0][1]
    assert [c for c, _ in problems[8]] == ["email"]
    assert "works for a training provider" in problems[8][0][1]
    assert [c for c, _ in problems[9]] == ["tutor_email"]
    assert plan.rows_with_problems == 7


def test_an_email_of_an_employer_contact_elsewhere_is_refused(personas):
    plan = enrolment_import.plan_rows(
        provider=personas["apprenticeship"].provider,
        rows=[{"row": 2, "values": row(email=personas["employer"].email)}],
    )
    assert "employer contact" in plan.rows[0].problems[0][1]


def test_a_uln_held_by_another_learner_is_a_duplicate(personas):
    held = uln("987654322")
    personas["apprenticeship"].uln = held
    personas["apprenticeship"].save()
    plan = enrolment_import.plan_rows(
        provider=personas["apprenticeship"].provider,
        rows=[{"row": 2, "values": row(uln=held)}],
    )
    assert plan.rows[0].problems == [
        ("uln", "This unique learner number belongs to another learner here.")
    ]


def test_upload_and_preview_create_nothing_and_a_problem_blocks_the_import(client, personas):
    before = counts()
    client.force_login(personas["admin"])
    content = csv_bytes([row(), row(email="x@example.org", version="9.9")])
    response = client.post(
        reverse("dataio:enrolment-import"),
        {"file": io.BytesIO(content) | _named("learners.csv")},
    )
    assert response.status_code == 302
    record = EnrolmentImport.objects.get()
    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "Row 3, column <code>version</code>" in text
    assert "Create 1 enrolment" not in text
    assert counts() == before
    refused = client.post(reverse("dataio:enrolment-import-preview", args=[record.pk]))
    assert refused.status_code == 400
    assert counts() == before
    record.refresh_from_db()
    assert record.status == EnrolmentImport.Status.PREVIEWED


def _named(name):
    class Name:
        def __ror__(self, stream):
            stream.name = name
            return stream

    return Name()


def test_confirming_creates_every_row_through_the_services_then_nothing_the_second_time(
    client, personas
):
    provider = personas["apprenticeship"].provider
    rows = [
        row(
            email="ann@example.org",
            full_name="Ann One",
            employer="New Employer Ltd",
            uln=uln("111111111"),
            tutor_email=personas["tutor"].email,
        ),
        row(email="bob@example.org", full_name="Bob Two", employer="new employer ltd"),
        row(email="cat@example.org", full_name="Cat Three", employer="Riverside Service"),
    ]
    before = Apprenticeship.objects.count()
    first = upload(personas["admin"], rows, provider)
    client.force_login(personas["admin"])
    response = client.post(reverse("dataio:enrolment-import-preview", args=[first.pk]))
    assert response.status_code == 302
    # Confirming queues a worker through the outbox and creates nothing in the request.
    first.refresh_from_db()
    assert first.status == EnrolmentImport.Status.QUEUED
    assert Apprenticeship.objects.count() == before
    job = OutboxMessage.objects.get(task="dataio.tasks.run_enrolment_import")
    assert job.payload == {"import_id": first.pk}
    page = client.get(response["Location"]).content.decode()
    assert 'id="import-progress"' in page and "of 3 rows gone through" in page
    # Confirming again (a double click) queues nothing more.
    client.post(reverse("dataio:enrolment-import-preview", args=[first.pk]))
    assert OutboxMessage.objects.filter(task="dataio.tasks.run_enrolment_import").count() == 1
    services.run_enrolment_import(import_id=first.pk)
    status = client.get(reverse("dataio:enrolment-import-status", args=[first.pk])).json()
    assert (status["status"], status["done"], status["created"]) == ("committed", 3, 3)
    created = Apprenticeship.objects.filter(provider=provider).exclude(
        pk=personas["apprenticeship"].pk
    )
    assert Apprenticeship.objects.count() == before + 3
    assert set(created.values_list("apprentice__email", flat=True)) == {
        "ann@example.org",
        "bob@example.org",
        "cat@example.org",
    }
    # One new employer for two rows, matched ignoring capitals; the existing one reused.
    assert Organisation.objects.filter(name__iexact="new employer ltd").count() == 1
    assert created.get(apprentice__email="cat@example.org").employer == (
        personas["apprenticeship"].employer
    )
    ann = created.get(apprentice__email="ann@example.org")
    assert ann.memberships.get(role=Role.TUTOR).user == personas["tutor"]
    assert OutboxMessage.objects.filter(task="apprenticeship.tasks.send_invitation").count() == 3
    assert AuditEvent.objects.filter(action="enrolment_import.committed").count() == 1
    first.refresh_from_db()
    assert (first.status, first.enrolments_created) == ("committed", 3)
    # The same file again: every row is already enrolled, nothing new.
    second = upload(personas["admin"], rows, provider)
    plan = enrolment_import.plan_rows(provider=provider, rows=second.rows)
    assert (plan.already, plan.to_create, plan.problems) == (3, 0, 0)
    before_again = counts()
    services.commit_enrolments(upload=second, by=personas["admin"])
    assert counts() == before_again
    # Confirming twice is refused; the job run again does nothing.
    with pytest.raises(services.BulkEnrolmentError):
        services.commit_enrolments(upload=first, by=personas["admin"])
    with pytest.raises(services.BulkEnrolmentError, match="already been imported"):
        services.confirm_enrolments(upload=first, by=personas["admin"])
    services.run_enrolment_import(import_id=first.pk)
    assert counts() == before_again


def test_an_import_whose_job_gave_up_can_be_confirmed_again(client, personas):
    record = upload(
        personas["admin"], [row(email="late@example.org")], personas["apprenticeship"].provider
    )
    services.confirm_enrolments(upload=record, by=personas["admin"])
    job = OutboxMessage.objects.get(task=services.IMPORT_TASK)
    client.force_login(personas["admin"])
    assert 'id="import-progress"' in client.get(record.get_absolute_url()).content.decode()
    job.status = OutboxMessage.Status.FAILED
    job.save(update_fields=["status"])
    page = client.get(record.get_absolute_url()).content.decode()
    assert 'id="import-stalled"' in page
    assert client.post(record.get_absolute_url()).status_code == 302
    assert OutboxMessage.objects.filter(task=services.IMPORT_TASK).count() == 2
    services.run_enrolment_import(import_id=record.pk)
    record.refresh_from_db()
    assert (record.status, record.enrolments_created) == ("committed", 1)


def test_a_job_that_creates_nothing_sends_the_import_back_with_the_reason(
    client, personas, monkeypatch
):
    provider = personas["apprenticeship"].provider
    record = upload(
        personas["admin"],
        [row(email="one@example.org"), row(email="two@example.org", full_name="Two")],
        provider,
    )
    services.confirm_enrolments(upload=record, by=personas["admin"])
    real = enrolment.invite_person

    def refuse_the_second(**kwargs):
        if kwargs["email"] == "two@example.org":
            raise enrolment.EnrolmentError("The mail address was refused.")
        return real(**kwargs)

    monkeypatch.setattr(enrolment, "invite_person", refuse_the_second)
    before = counts()
    services.run_enrolment_import(import_id=record.pk)
    assert counts() == before
    record.refresh_from_db()
    assert record.status == EnrolmentImport.Status.PREVIEWED
    assert "row 3" in record.failure
    client.force_login(personas["admin"])
    page = client.get(record.get_absolute_url()).content.decode()
    assert 'id="import-failure"' in page and "The mail address was refused." in page


def test_a_row_that_fails_when_created_leaves_nothing_created(personas, monkeypatch):
    provider = personas["apprenticeship"].provider
    record = upload(
        personas["admin"],
        [row(email="one@example.org"), row(email="two@example.org", full_name="Two")],
        provider,
    )
    real = enrolment.invite_person

    def refuse_the_second(**kwargs):
        if kwargs["email"] == "two@example.org":
            raise enrolment.EnrolmentError("The mail address was refused.")
        return real(**kwargs)

    monkeypatch.setattr(enrolment, "invite_person", refuse_the_second)
    before = counts()
    outbox_before = OutboxMessage.objects.count()
    with pytest.raises(services.BulkEnrolmentError, match="row 3"):
        services.commit_enrolments(upload=record, by=personas["admin"])
    assert counts() == before
    assert OutboxMessage.objects.count() == outbox_before
    assert not User.objects.filter(email="one@example.org").exists()


def test_a_change_since_the_preview_is_caught_when_confirming(personas):
    provider = personas["apprenticeship"].provider
    record = upload(personas["admin"], [row(email="late@example.org")], provider)
    late = factories.UserFactory(email="late@example.org")
    factories.OrganisationMembershipFactory(user=late, organisation=provider)
    with pytest.raises(services.BulkEnrolmentError) as raised:
        services.commit_enrolments(upload=record, by=personas["admin"])
    assert raised.value.plan.rows[0].problems[0][0] == "email"
    assert not Apprenticeship.objects.filter(apprentice=late).exists()


def test_an_xlsx_file_reads_like_the_csv(personas):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    values = row(email="xl@example.org")
    sheet.append([values[c] for c in HEADER])
    out = io.BytesIO()
    book.save(out)
    rows = enrolment_import.read_rows(out.getvalue(), "learners.xlsx")
    assert rows == [{"row": 2, "values": values}]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"name,email\nA,a@example.org\n", "Missing"),
        (b"PK\x03\x04not really a workbook", "not a readable Excel workbook"),
    ],
)
def test_an_unreadable_file_is_refused_on_the_same_page(client, personas, content, message):
    client.force_login(personas["admin"])
    response = client.post(
        reverse("dataio:enrolment-import"), {"file": io.BytesIO(content) | _named("f.csv")}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not EnrolmentImport.objects.exists()


def test_another_providers_admin_cannot_see_the_import(client, personas):
    record = upload(personas["admin"], [row()], personas["apprenticeship"].provider)
    client.force_login(personas["outsider"])
    url = reverse("dataio:enrolment-import-preview", args=[record.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert not Apprenticeship.objects.filter(apprentice__email="new.learner@example.org").exists()


# The session, its user, the admin check and the import; then the plan of the file, one
# query each however many rows (standard versions, people by email, tutors, employers,
# learner numbers); the menu's roles; and the page's rows.
IMPORT_PREVIEW_QUERIES = 10


def test_the_preview_runs_the_same_queries_for_2_rows_as_for_40(client, personas):
    from tests.query_counts import count_queries

    provider = personas["apprenticeship"].provider

    def learners(n: int, start: int) -> list[dict]:
        return [
            row(email=f"learner{i}@example.org", full_name=f"Learner {i}", uln=uln(f"{i:09d}"))
            for i in range(start, start + n)
            if uln_ok(f"{i:09d}")
        ]

    small = upload(personas["admin"], learners(2, 100000001), provider)
    large = upload(
        personas["admin"],
        [*learners(40, 100000101), row(email="x@example.org", version="9.9")],
        provider,
    )
    client.force_login(personas["admin"])
    figures = [
        count_queries(client, reverse("dataio:enrolment-import-preview", args=[record.pk]))
        for record in (small, large)
    ]
    assert figures == [IMPORT_PREVIEW_QUERIES] * 2


def uln_ok(prefix: str) -> bool:
    total = sum(int(d) * w for d, w in zip(prefix, range(10, 1, -1), strict=True))
    return (10 - total) % 11 < 10
