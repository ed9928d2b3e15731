"""The supervision log: who sees what, the defaults, linking as evidence and off-the-job
training without copying, the history, bad input and the caseload's gentle flag."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from portfolio.evidence.models import Evidence, EvidenceKind
from portfolio.evidence.selectors import missing_for_submission
from portfolio.supervision import services
from portfolio.supervision.models import SupervisionRecord
from portfolio.supervision.selectors import supervision_gap, with_last_supervision
from portfolio.training.models import ActivityType, OtjEntry
from tests import factories
from tests.query_counts import assert_flat_queries

AGREED = "Agreed: practise the grounding exercise before visits."
REFLECTION = "Private: I felt my own story pulling at me today."


def _record(personas, **extra):
    values = {
        "apprenticeship": personas["apprenticeship"],
        "by": personas["apprentice"],
        "held_on": timezone.localdate() - dt.timedelta(days=2),
        "kind": SupervisionRecord.Kind.PEER,
        "format": SupervisionRecord.Format.GROUP,
        "minutes": 90,
        "supervisor_name": "Peer supervision group, Riverside",
        "agreed": AGREED,
        "reflection": REFLECTION,
    }
    values.update(extra)
    return services.record_supervision(**values)


def _page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    return response.status_code, response.content.decode()


# -- defaults and audiences --------------------------------------------------------------


def test_peer_supervision_defaults_to_the_apprentice_and_tutor_only(personas):
    record = _record(personas)
    assert (record.shared_with_tutor, record.shared_with_employer) == (True, False)
    assert record.reflection_shared is False


def test_managerial_supervision_defaults_to_tutor_and_employer(personas):
    record = _record(
        personas,
        kind=SupervisionRecord.Kind.MANAGERIAL,
        supervisor=personas["employer"],
        supervisor_name="",
    )
    assert (record.shared_with_tutor, record.shared_with_employer) == (True, True)


@pytest.mark.parametrize(
    ("persona", "status", "sees_agreed"),
    [
        ("apprentice", 200, True),
        ("tutor", 200, True),
        ("employer", 404, False),
        ("admin", 403, False),
        ("assessor", 404, False),
        ("outsider", 404, False),
    ],
)
def test_peer_record_reflection_stays_with_the_apprentice(
    client, personas, persona, status, sees_agreed
):
    record = _record(personas)
    code, page = _page(client, personas[persona], record.get_absolute_url())
    assert code == status
    assert (AGREED in page) is sees_agreed
    assert (REFLECTION in page) is (persona == "apprentice")


@pytest.mark.parametrize(
    ("persona", "sees_reflection"),
    [("apprentice", True), ("tutor", True), ("employer", True)],
)
def test_a_shared_reflection_reaches_the_people_chosen(client, personas, persona, sees_reflection):
    record = _record(personas, shared_with_employer=True, reflection_shared=True)
    code, page = _page(client, personas[persona], record.get_absolute_url())
    assert code == 200
    assert (REFLECTION in page) is sees_reflection


def test_the_list_shows_each_person_only_what_was_shared_with_them(client, personas):
    _record(personas, agreed="For the tutor only.")
    _record(
        personas,
        agreed="For the employer only.",
        shared_with_tutor=False,
        shared_with_employer=True,
    )
    _record(personas, agreed="Kept to myself.", shared_with_tutor=False)
    url = reverse("portfolio:supervision-list", args=[personas["apprenticeship"].pk])
    seen = {}
    for persona in ("apprentice", "tutor", "employer"):
        code, page = _page(client, personas[persona], url)
        assert code == 200
        seen[persona] = page.count("supervision/")
    # Links to records (each item links once); the apprentice's own page links to all three.
    _, apprentice_page = _page(client, personas["apprentice"], url)
    _, tutor_page = _page(client, personas["tutor"], url)
    _, employer_page = _page(client, personas["employer"], url)
    records = SupervisionRecord.objects.order_by("pk")
    for i, record in enumerate(records):
        link = record.get_absolute_url()
        assert link in apprentice_page
        assert (link in tutor_page) is (i == 0)
        assert (link in employer_page) is (i == 1)


def test_withdrawing_sharing_hides_the_record_at_once(client, personas):
    record = _record(personas)
    client.force_login(personas["apprentice"])
    response = client.post(reverse("portfolio:supervision-sharing", args=[record.pk]), {})
    assert response.status_code == 302
    code, _ = _page(client, personas["tutor"], record.get_absolute_url())
    assert code == 404


def test_the_history_never_holds_the_notes(personas):
    record = _record(personas)
    services.change_sharing(
        record=record,
        by=personas["apprentice"],
        shared_with_tutor=True,
        shared_with_employer=True,
        reflection_shared=True,
    )
    events = AuditEvent.objects.filter(apprenticeship_id=personas["apprenticeship"].pk)
    assert events.count() == 2
    for event in events:
        text = f"{event.summary} {event.before} {event.after}"
        assert AGREED not in text and REFLECTION not in text


# -- bad input ---------------------------------------------------------------------------


def test_a_future_date_is_refused_on_the_same_page_and_nothing_is_saved(client, personas):
    client.force_login(personas["apprentice"])
    url = reverse("portfolio:supervision-add", args=[personas["apprenticeship"].pk])
    response = client.post(
        url,
        {
            "held_on": (timezone.localdate() + dt.timedelta(days=1)).isoformat(),
            "kind": "peer",
            "format": "individual",
            "supervisor_name": "Sam",
            "hours": "1",
            "shared_with_tutor": "on",
        },
    )
    assert response.status_code == 400
    assert "in the future" in response.content.decode()
    assert not SupervisionRecord.objects.exists()


def test_the_form_records_with_a_person_in_the_app(client, personas):
    client.force_login(personas["apprentice"])
    url = reverse("portfolio:supervision-add", args=[personas["apprenticeship"].pk])
    response = client.post(
        url,
        {
            "held_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
            "kind": "managerial",
            "format": "individual",
            "supervisor": personas["employer"].pk,
            "hours": "0",
            "minutes": "45",
            "agreed": AGREED,
            "shared_with_tutor": "on",
        },
    )
    assert response.status_code == 302
    record = SupervisionRecord.objects.get()
    assert (record.minutes, record.supervisor_id) == (45, personas["employer"].pk)
    # The form's choice is the apprentice's: the employer box was left unticked.
    assert (record.shared_with_tutor, record.shared_with_employer) == (True, False)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"supervisor_name": ""}, "supervisor"),
        ({"supervisor": "tutor"}, "supervisor"),  # both a person and an outside name
        ({"supervisor": "outsider", "supervisor_name": ""}, "supervisor"),
        ({"minutes": 0}, "minutes"),
        ({"held_on": dt.date(2000, 1, 1)}, "held_on"),
    ],
)
def test_the_service_refuses_bad_input(personas, extra, field):
    if isinstance(extra.get("supervisor"), str):
        extra = {**extra, "supervisor": personas[extra["supervisor"]]}
    with pytest.raises(ValidationError) as error:
        _record(personas, **extra)
    assert field in error.value.error_dict
    assert not SupervisionRecord.objects.exists()


def test_only_the_apprentice_keeps_the_log(personas):
    with pytest.raises(services.SupervisionError):
        _record(personas, by=personas["tutor"])


# -- evidence and off-the-job training, linked not copied ---------------------------------


def test_using_a_record_as_evidence_links_it_without_copying(client, personas):
    record = _record(personas)
    evidence = services.use_as_evidence(record=record, by=personas["apprentice"])
    record.refresh_from_db()
    assert record.evidence_id == evidence.pk
    assert evidence.kind == EvidenceKind.SUPERVISION_RECORD
    assert evidence.account == "" and evidence.activity_date == record.held_on
    # Peer supervision was not shared with the employer: nor is the evidence.
    assert evidence.visible_to_employer is False
    # Once mapped, the record itself is enough to submit it.
    evidence.duties.add(personas["apprenticeship"].standard_version.duties.first())
    assert missing_for_submission(evidence) == []
    _, page = _page(client, personas["apprentice"], evidence.get_absolute_url())
    assert AGREED in page and REFLECTION in page
    with pytest.raises(services.SupervisionError):
        services.use_as_evidence(record=record, by=personas["apprentice"])
    assert Evidence.objects.count() == 1


def test_the_tutor_reads_the_agreed_part_of_submitted_supervision_evidence(client, personas):
    record = _record(personas)
    evidence = services.use_as_evidence(record=record, by=personas["apprentice"])
    Evidence.objects.filter(pk=evidence.pk).update(status=Evidence.Status.SUBMITTED)
    _, page = _page(client, personas["tutor"], evidence.get_absolute_url())
    assert AGREED in page and REFLECTION not in page
    code, _ = _page(client, personas["employer"], evidence.get_absolute_url())
    assert code == 404


def test_supervision_time_is_logged_as_off_the_job_training_once(client, personas):
    record = _record(personas)
    duty = personas["apprenticeship"].standard_version.duties.first()
    client.force_login(personas["apprentice"])
    url = reverse("portfolio:supervision-log-otj", args=[record.pk])
    assert client.post(url, {"duty": duty.pk}).status_code == 302
    entry = OtjEntry.objects.get()
    record.refresh_from_db()
    assert record.otj_entry_id == entry.pk
    assert (entry.minutes, entry.activity_type, entry.date) == (
        90,
        ActivityType.SUPERVISION,
        record.held_on,
    )
    assert AGREED not in entry.description and REFLECTION not in entry.description
    # A second try changes nothing.
    client.post(url, {"duty": duty.pk})
    with pytest.raises(services.SupervisionError):
        services.log_as_otj(record=record, by=personas["apprentice"], duty=duty)
    assert OtjEntry.objects.count() == 1


# -- the caseload's gentle flag -----------------------------------------------------------


def _gap(apprenticeship, today=None):
    row = with_last_supervision(type(apprenticeship).objects.filter(pk=apprenticeship.pk)).get()
    return supervision_gap(row, today=today)


def test_no_supervision_for_longer_than_the_interval_is_flagged(personas):
    a = personas["apprenticeship"]  # started 180 days ago, nothing recorded
    assert _gap(a).had_any is False
    factories.SupervisionRecordFactory(
        apprenticeship=a, held_on=timezone.localdate() - dt.timedelta(days=43)
    )
    assert _gap(a).weeks == 6
    factories.SupervisionRecordFactory(
        apprenticeship=a,
        held_on=timezone.localdate() - dt.timedelta(days=42),
        shared_with_tutor=False,  # counts, though the tutor never sees it
    )
    assert _gap(a) is None


def test_the_providers_own_interval_is_used(personas):
    a = personas["apprenticeship"]
    factories.SupervisionRecordFactory(
        apprenticeship=a, held_on=timezone.localdate() - dt.timedelta(days=60)
    )
    assert _gap(a) is not None
    a.provider.supervision_interval_weeks = 10
    a.provider.save(update_fields=["supervision_interval_weeks"])
    assert _gap(a) is None


def test_the_caseload_shows_the_flag_gently(client, personas):
    code, page = _page(client, personas["tutor"], reverse("dashboards:caseload"))
    assert code == 200
    assert "No supervision recorded yet" in page
    factories.SupervisionRecordFactory(apprenticeship=personas["apprenticeship"])
    _, page = _page(client, personas["tutor"], reverse("dashboards:caseload"))
    assert "No supervision recorded" not in page


# Sign-in and navigation, the apprenticeship with the viewer's roles, the count and the page.
SUPERVISION_LIST_QUERIES = 6


@pytest.mark.parametrize("persona", ["apprentice", "tutor"])
def test_the_log_keeps_a_flat_query_count(client, personas, persona):
    a = personas["apprenticeship"]
    factories.SupervisionRecordFactory(
        apprenticeship=a, supervisor=personas["tutor"], supervisor_name=""
    )
    client.force_login(personas[persona])

    def grow():
        factories.SupervisionRecordFactory.create_batch(5, apprenticeship=a)
        factories.SupervisionRecordFactory.create_batch(
            3, apprenticeship=a, supervisor=personas["employer"], supervisor_name=""
        )

    assert_flat_queries(
        client, reverse("portfolio:supervision-list", args=[a.pk]), grow, SUPERVISION_LIST_QUERIES
    )


def test_the_caseload_flag_follows_the_interval_the_admin_sets(client, personas):
    a = personas["apprenticeship"]
    factories.SupervisionRecordFactory(
        apprenticeship=a, held_on=timezone.localdate() - dt.timedelta(days=50)
    )
    _, page = _page(client, personas["tutor"], reverse("dashboards:caseload"))
    assert "No supervision recorded for 7 weeks" in page  # more than the default 6
    url = reverse("apprenticeship:supervision-interval", args=[a.provider_id])
    client.force_login(personas["admin"])
    assert client.post(url, {"weeks": "8"}).status_code == 302
    a.provider.refresh_from_db()
    assert a.provider.supervision_interval_weeks == 8
    _, page = _page(client, personas["tutor"], reverse("dashboards:caseload"))
    assert "No supervision recorded" not in page
    event = AuditEvent.objects.get(action="organisation.supervision_interval")
    assert (event.before, event.after) == (
        {"supervision_interval_weeks": 6},
        {"supervision_interval_weeks": 8},
    )


@pytest.mark.parametrize("weeks", ["0", "53", "six", ""])
def test_an_impossible_interval_is_refused_on_the_page(client, personas, weeks):
    provider = personas["apprenticeship"].provider
    client.force_login(personas["admin"])
    url = reverse("apprenticeship:supervision-interval", args=[provider.pk])
    response = client.post(url, {"weeks": weeks})
    assert response.status_code == 400
    assert "week" in response.content.decode()
    provider.refresh_from_db()
    assert provider.supervision_interval_weeks == 6
