import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from outbox import services as outbox
from outbox.models import OutboxMessage
from outbox.runner import OutboxTask
from reports import content, pdf, services, tasks
from reports.models import Report
from tests.helpers.outbox import deliver_outbox


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def ask(personas, persona="apprentice", audience=Report.Audience.FULL) -> Report:
    return services.request_report(
        apprenticeship=personas["apprenticeship"],
        kind=Report.Kind.PORTFOLIO,
        audience=audience,
        by=personas[persona],
    )


# -- requesting ------------------------------------------------------------------------


def test_asking_again_with_nothing_changed_returns_the_same_report(personas):
    first = ask(personas)
    second = ask(personas, persona="tutor")
    assert first.pk == second.pk
    assert Report.objects.count() == 1


def test_a_change_to_what_the_pdf_shows_makes_a_new_report(personas):
    first = ask(personas)
    apprentice = personas["apprentice"]
    apprentice.full_name = "Jo Renamed"
    apprentice.save()
    assert ask(personas).pk != first.pk


def test_the_job_is_queued_in_the_outbox_and_sent_to_the_broker_after_commit(
    personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = ask(personas)
    [job] = OutboxMessage.objects.all()
    assert job.task == "reports.tasks.build_report" and job.payload == {"report_id": report.pk}
    assert job.apprenticeship_id == personas["apprenticeship"].pk
    assert job.status == OutboxMessage.Status.PENDING and len(callbacks) == 1
    callbacks[0]()
    job.refresh_from_db()
    assert job.status == OutboxMessage.Status.SENT and job.dispatched_at is not None
    ask(personas)  # asking again while it waits queues nothing more
    assert OutboxMessage.objects.count() == 1


def test_building_renders_the_stored_html_to_a_pdf_and_is_idempotent(personas):
    report = ask(personas)
    services.build_report(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == Report.Status.READY
    data = report.file.read()
    assert data.startswith(b"%PDF")
    assert "Peer worker" in pdf_text(data) and personas["apprentice"].full_name in pdf_text(data)
    assert report.pages >= 2 and report.html == ""
    name = report.file.name
    services.build_report(report_id=report.pk)  # a second run finds nothing to do
    report.refresh_from_db()
    assert report.file.name == name and report.attempts == 1


def test_a_rendering_error_fails_the_job_with_a_plain_reason(personas):
    report = ask(personas)
    Report.objects.filter(pk=report.pk).update(html="<html><link rel=stylesheet href=x>")
    Report.objects.filter(pk=report.pk).update(files={"bad": {"wrong": "shape"}})
    services.build_report(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    assert report.failure == services.FAILED_ERROR
    # Asking again tries again.
    again = ask(personas)
    assert again.pk == report.pk and again.status == Report.Status.QUEUED and again.failure == ""


def test_a_storage_error_puts_the_job_back_for_a_retry(personas, monkeypatch):
    report = ask(personas)

    def broken_save(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(type(report.file), "save", broken_save)
    with pytest.raises(OSError):
        services.build_report(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == Report.Status.QUEUED


def test_a_job_over_its_time_limit_fails_as_too_long(personas, monkeypatch):
    report = ask(personas)

    def slow(*args, **kwargs):
        raise tasks.SoftTimeLimitExceeded()

    monkeypatch.setattr(pdf, "lay_out", slow)
    services.build_report(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED and report.failure == services.FAILED_TOO_LONG


def test_the_build_task_has_time_limits_and_runs_through_the_outbox():
    task = tasks.build_report
    # A backstop under the broker's visibility timeout; each build and each of its parts is
    # held to a limit sized from its items (reports.sections).
    assert (task.soft_time_limit, task.time_limit) == (3300, 3400)
    assert isinstance(task, OutboxTask) and not task.at_most_once
    assert task.acks_late and task.reject_on_worker_lost


def test_storage_errors_are_retried_by_the_outbox_then_fail_the_report(personas, monkeypatch):
    report = ask(personas)

    def broken_save(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(type(report.file), "save", broken_save)
    for attempt in range(1, services.MAX_ATTEMPTS + 1):
        OutboxMessage.objects.update(not_before=timezone.now())  # the backoff has passed
        deliver_outbox()
        job = OutboxMessage.objects.get()
        report.refresh_from_db()
        assert report.attempts == attempt
    assert report.status == Report.Status.FAILED and report.failure == services.FAILED_ERROR
    assert job.status == OutboxMessage.Status.DONE


# -- recovery: nothing waits or builds forever -------------------------------------------


def _worker_died(report, attempts):
    """The report's build started `attempts` times and its worker died an hour ago."""
    long_ago = timezone.now() - dt.timedelta(hours=1)
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.BUILDING, started_at=long_ago, attempts=attempts
    )
    OutboxMessage.objects.update(
        status=OutboxMessage.Status.RUNNING, attempts=attempts, heartbeat_at=long_ago
    )


def test_a_job_whose_worker_died_is_built_again_and_fails_after_three_attempts(personas):
    report = ask(personas)
    _worker_died(report, attempts=1)
    assert outbox.sweep()["returned"] == 1
    deliver_outbox()
    report.refresh_from_db()
    assert report.status == Report.Status.READY and report.attempts == 2
    again = ask(personas, audience=Report.Audience.EMPLOYER)
    _worker_died(again, attempts=3)
    outbox.sweep()
    deliver_outbox()
    again.refresh_from_db()
    assert again.status == Report.Status.FAILED and again.failure == services.FAILED_TOO_LONG


def test_a_job_the_broker_lost_is_sent_again(personas, settings):
    ask(personas)
    lost_at = timezone.now() - dt.timedelta(seconds=settings.OUTBOX_RESEND_AFTER_SECONDS + 1)
    OutboxMessage.objects.update(status=OutboxMessage.Status.SENT, dispatched_at=lost_at)
    counts = outbox.sweep()
    assert counts["resent"] == 1 and counts["sent"] == 1
    job = OutboxMessage.objects.get()
    assert job.status == OutboxMessage.Status.SENT and job.dispatched_at > lost_at


# -- the broker is down -----------------------------------------------------------------


def test_when_the_broker_is_down_the_request_succeeds_and_the_job_starts_when_it_returns(
    client, personas, own_broker, django_capture_on_commit_callbacks
):
    client.force_login(personas["apprentice"])
    url = reverse("reports:report-request", args=[personas["apprenticeship"].pk, "portfolio"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)  # own_broker is not started: the broker is down
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    job = OutboxMessage.objects.get()
    assert report.status == Report.Status.QUEUED and job.status == OutboxMessage.Status.PENDING
    status = client.get(reverse("reports:report-status", args=[report.pk])).json()
    assert status["status"] == "queued"  # still waiting
    own_broker.start()
    assert outbox.sweep()["sent"] == 1
    job.refresh_from_db()
    assert job.status == OutboxMessage.Status.SENT


# -- rendering safety --------------------------------------------------------------------

HOSTILE = (
    '<img src="http://127.0.0.1:{port}/img"> <link rel="stylesheet" href="http://127.0.0.1:{port}/css">'
    ' <object data="file:///etc/passwd"></object> <style>@import "http://169.254.169.254/";</style>'
    ' <svg><image href="http://127.0.0.1:{port}/svg"/></svg> <a href="file:///etc/shadow">x</a>'
)


def test_hostile_text_renders_literally_and_fetches_nothing(personas, listener):
    hostile = HOSTILE.format(port=listener.port)
    apprentice = personas["apprentice"]
    apprentice.full_name = hostile[:150]
    apprentice.save()
    document = content.build_document(
        apprenticeship=personas["apprenticeship"],
        kind=Report.Kind.PORTFOLIO,
        audience=Report.Audience.FULL,
    )
    assert "<img src=" not in document.html
    data, _pages = pdf.render_pdf(document.html, document.files)
    assert listener.connections == 0
    assert "<img src=" in pdf_text(data)  # shown as the text it is


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/x",
        "https://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        "ftp://127.0.0.1:{port}/x",
        "data:text/plain,hello",
        "portfolio-file:not-listed",
        "static:../../config/settings/base.py",
        "static:/etc/passwd",
    ],
)
def test_the_fetcher_refuses_everything_but_our_static_files_and_listed_files(listener, url):
    fetcher = pdf.PortfolioURLFetcher(files={})
    with pytest.raises(ValueError):
        fetcher.fetch(url.format(port=listener.port))
    assert listener.connections == 0


def test_the_fetcher_serves_our_stylesheet():
    response = pdf.PortfolioURLFetcher(files={}).fetch("static:pdf/report.css")
    assert b"@page" in response.read()


# -- the operator command ---------------------------------------------------------------


def test_build_report_command_writes_a_pdf(personas, tmp_path):
    out = tmp_path / "report.pdf"
    call_command(
        "build_report",
        str(personas["apprenticeship"].pk),
        "--out",
        str(out),
        stdout=io.StringIO(),
    )
    assert out.read_bytes().startswith(b"%PDF")
