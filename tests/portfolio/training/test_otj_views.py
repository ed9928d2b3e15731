"""The off-the-job pages: forms, messages, what each person sees, and the downloads."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from apprenticeship.models import BreakInLearning, Role
from portfolio.evidence.models import EvidenceKind
from portfolio.training.models import OtjEntry, OtjPlan
from portfolio.training.services import log as otj_log
from tests import factories

TODAY = timezone.localdate


@pytest.fixture
def known(apprenticeship):
    """2022-25 rules, 37.5 hours, 455 days: 348 hours required."""
    apprenticeship.start_date = dt.date(2024, 9, 2)
    apprenticeship.planned_end_date = dt.date(2025, 12, 1)
    apprenticeship.save(update_fields=["start_date", "planned_end_date"])
    return apprenticeship


def entry_data(apprenticeship, **overrides):
    duty = apprenticeship.standard_version.duties.order_by("number").first()
    data = {
        "date": (TODAY() - dt.timedelta(days=2)).isoformat(),
        "hours": "1",
        "minutes": "30",
        "activity_type": "mentoring",
        "duty": duty.pk,
        "description": "Mentoring session with my peer mentor about endings.",
        "evidence": "",
    }
    data.update(overrides)
    return data


def test_apprentice_logs_training_with_the_form(client, apprenticeship):
    client.force_login(apprenticeship.apprentice)
    url = reverse("portfolio:otj-entry-add", args=[apprenticeship.pk])
    response = client.post(url, entry_data(apprenticeship))
    assert response.status_code == 302
    assert response["Location"] == reverse("portfolio:otj-log", args=[apprenticeship.pk])
    entry = OtjEntry.objects.get()
    assert (entry.minutes, entry.activity_type) == (90, "mentoring")


def test_save_and_log_another_returns_to_an_empty_form(client, apprenticeship):
    client.force_login(apprenticeship.apprentice)
    url = reverse("portfolio:otj-entry-add", args=[apprenticeship.pk])
    response = client.post(url, {**entry_data(apprenticeship), "another": "1"})
    assert response["Location"] == url


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"date": "future"}, "That date is in the future"),
        ({"hours": "0", "minutes": "0"}, "more than 0 minutes"),
        ({"hours": "25", "minutes": "0"}, "longer than 24 hours"),
        ({"minutes": "75"}, "less than or equal to 59"),
        ({"duty": ""}, "Choose the duty this training is for"),
    ],
)
def test_bad_input_shows_a_plain_message_and_saves_nothing(
    client, apprenticeship, overrides, message
):
    if overrides.get("date") == "future":
        overrides["date"] = (TODAY() + dt.timedelta(days=1)).isoformat()
    client.force_login(apprenticeship.apprentice)
    response = client.post(
        reverse("portfolio:otj-entry-add", args=[apprenticeship.pk]),
        entry_data(apprenticeship, **overrides),
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not OtjEntry.objects.exists()


def test_the_form_offers_only_this_apprenticeships_duties_and_evidence(
    client, apprenticeship, personas
):
    mine = factories.EvidenceFactory(apprenticeship=apprenticeship, title="My group reflection")
    theirs = factories.EvidenceFactory(
        apprenticeship=personas["other_apprenticeship"], title="Someone else's evidence"
    )
    other_duty = factories.DutyFactory(text="A duty of another standard")
    client.force_login(apprenticeship.apprentice)
    url = reverse("portfolio:otj-entry-add", args=[apprenticeship.pk])
    page = client.get(url).content.decode()
    assert "My group reflection" in page
    assert "Someone else&#x27;s evidence" not in page
    assert "A duty of another standard" not in page
    for field, value in (("evidence", theirs.pk), ("duty", other_duty.pk)):
        response = client.post(url, entry_data(apprenticeship, **{field: value}))
        assert "Select a valid choice" in response.content.decode()
    assert not OtjEntry.objects.exists()
    client.post(url, entry_data(apprenticeship, evidence=mine.pk))
    assert OtjEntry.objects.get().evidence == mine


def test_the_employer_verifies_from_the_entry_page(client, apprenticeship, personas):
    entry = factories.OtjEntryFactory(apprenticeship=apprenticeship)
    client.force_login(personas["employer"])
    page = client.get(entry.get_absolute_url()).content.decode()
    assert "Verify" in page and "Reject" in page
    response = client.post(
        reverse("portfolio:otj-entry-verify", args=[entry.pk]), {"revision": entry.revision}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.status, entry.decided_as) == (OtjEntry.Status.VERIFIED, Role.EMPLOYER)


@pytest.mark.parametrize("persona", ["admin", "apprentice"])
def test_people_who_do_not_verify_see_no_verify_button(client, apprenticeship, personas, persona):
    entry = factories.OtjEntryFactory(apprenticeship=apprenticeship)
    client.force_login(personas[persona])
    page = client.get(entry.get_absolute_url()).content.decode()
    assert reverse("portfolio:otj-entry-verify", args=[entry.pk]) not in page


def test_rejecting_without_a_reason_is_refused(client, apprenticeship, personas):
    entry = factories.OtjEntryFactory(apprenticeship=apprenticeship)
    client.force_login(personas["tutor"])
    url = reverse("portfolio:otj-entry-reject", args=[entry.pk])
    response = client.post(url, {"revision": entry.revision, "reason": ""})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert OtjEntry.objects.get(pk=entry.pk).is_pending
    client.post(url, {"revision": entry.revision, "reason": "This was your normal shift."})
    entry.refresh_from_db()
    assert entry.status == OtjEntry.Status.REJECTED


def test_a_verifier_who_saw_an_older_revision_is_told_to_check_again(
    client, apprenticeship, personas
):
    entry = factories.OtjEntryFactory(apprenticeship=apprenticeship, revision=2)
    client.force_login(personas["tutor"])
    response = client.post(
        reverse("portfolio:otj-entry-verify", args=[entry.pk]), {"revision": 1}, follow=True
    )
    assert "Check it again" in response.content.decode()
    assert OtjEntry.objects.get(pk=entry.pk).is_pending


def test_changing_a_verified_entry_says_it_made_a_new_version(client, apprenticeship, personas):
    entry = factories.OtjEntryFactory(apprenticeship=apprenticeship)
    otj_log.verify_otj_entry(entry=entry, by=personas["tutor"], as_role=Role.TUTOR)
    client.force_login(apprenticeship.apprentice)
    url = reverse("portfolio:otj-entry-edit", args=[entry.pk])
    assert "saved as a new version" in client.get(url).content.decode()
    response = client.post(url, entry_data(apprenticeship, hours="2"), follow=True)
    page = response.content.decode()
    assert "Saved as version 2" in page
    assert "Versions" in page
    assert OtjEntry.objects.filter(lineage=entry.lineage).count() == 2


def test_verifying_several_at_once_from_the_log(client, apprenticeship, personas):
    entries = [
        factories.OtjEntryFactory(
            apprenticeship=apprenticeship, date=TODAY() - dt.timedelta(days=n)
        )
        for n in (1, 2, 3)
    ]
    client.force_login(personas["tutor"])
    page = client.get(
        reverse("portfolio:otj-log", args=[apprenticeship.pk]) + "?status=waiting"
    ).content.decode()
    assert "Verify the ticked entries" in page
    response = client.post(
        reverse("portfolio:otj-verify-many", args=[apprenticeship.pk]),
        {"entry": [f"{e.pk}:{e.revision}" for e in entries[:2]]},
        follow=True,
    )
    assert "Verified 2 entries" in response.content.decode()
    assert OtjEntry.objects.filter(status=OtjEntry.Status.VERIFIED).count() == 2


def test_the_employer_sees_evidence_titles_only_where_the_evidence_rules_allow(
    client, apprenticeship, personas
):
    private = factories.EvidenceFactory(
        apprenticeship=apprenticeship,
        title="My own recovery story",
        kind=EvidenceKind.REFLECTIVE_ACCOUNT,
        visible_to_employer=False,
        status="submitted",
    )
    entry = factories.OtjEntryFactory(apprenticeship=apprenticeship, evidence=private)
    for persona, shown in (("apprentice", True), ("tutor", True), ("employer", False)):
        client.force_login(personas[persona])
        page = client.get(entry.get_absolute_url()).content.decode()
        assert ("My own recovery story" in page) is shown, persona


# -- the summary -----------------------------------------------------------------------


def test_the_summary_shows_figures_per_duty_and_the_chart(client, known, personas):
    factories.OtjEntryFactory(apprenticeship=known, date=dt.date(2025, 1, 6), minutes=600)
    client.force_login(personas["employer"])
    page = client.get(reverse("portfolio:otj-summary", args=[known.pk])).content.decode()
    assert "348 hours" in page
    assert "<svg" in page and 'role="img"' in page
    assert 'data-label="Total" data-logged="600" data-verified="0"' in page
    assert "Behind" in page
    assert "6 hours a week" in page


@pytest.mark.parametrize(
    ("persona", "told", "not_told"),
    [
        ("admin", "interim off-the-job minimums</a> page", "Your provider's admin"),
        ("tutor", "Your provider's admin can enter one", "interim off-the-job minimums</a>"),
        ("apprentice", "Time logged is still recorded", "admin"),
    ],
)
def test_a_post_2025_enrolment_says_the_total_is_not_known_and_only_what_the_reader_can_do(
    client, apprenticeship, personas, persona, told, not_told
):
    assert apprenticeship.start_date >= dt.date(2025, 8, 1)
    client.force_login(personas[persona])
    page = client.get(reverse("portfolio:otj-summary", args=[apprenticeship.pk])).content.decode()
    assert "The required total is not known yet" in page
    panel = page.split("The required total is not known yet")[1].split("</div>")[0]
    assert told in panel
    assert not_told not in panel
    assert "hours" not in page.split("Required</dt>")[1].split("</dd>")[0]


def test_the_apprenticeship_page_shows_the_off_the_job_panel(client, known, personas):
    client.force_login(personas["tutor"])
    page = client.get(known.get_absolute_url()).content.decode()
    assert "Off-the-job training" in page
    assert "of 348 hours required" in page


def test_the_caseload_shows_who_is_behind(client, known, personas):
    client.force_login(personas["tutor"])
    page = client.get(reverse("dashboards:caseload")).content.decode()
    assert "Off-the-job" in page
    assert "Behind" in page


# -- the plan and breaks ---------------------------------------------------------------


def split_data(apprenticeship, minutes):
    data = {"part": "split"}
    for duty, value in zip(
        apprenticeship.standard_version.duties.order_by("number"), minutes, strict=True
    ):
        data[f"duty_{duty.pk}_hours"] = value // 60
        data[f"duty_{duty.pk}_minutes"] = value % 60
    return data


def test_the_tutor_saves_a_split_that_adds_up(client, known, personas):
    client.force_login(personas["tutor"])
    url = reverse("portfolio:otj-plan", args=[known.pk])
    response = client.post(url, split_data(known, [12_000, 6_000, 2_880]))
    assert response.status_code == 302
    assert OtjPlan.objects.get(apprenticeship=known).has_custom_split


def test_a_split_that_does_not_add_up_says_by_how_much(client, known, personas):
    client.force_login(personas["tutor"])
    url = reverse("portfolio:otj-plan", args=[known.pk])
    response = client.post(url, split_data(known, [12_000, 6_000, 2_000]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "14 hours 40 minutes too few. Nothing was saved." in page
    assert not OtjPlan.objects.filter(apprenticeship=known, has_custom_split=True).exists()


def test_prior_learning_needs_a_reason_on_the_plan_page(client, known, personas):
    client.force_login(personas["admin"])
    url = reverse("portfolio:otj-plan", args=[known.pk])
    response = client.post(
        url,
        {
            "part": "requirement",
            "leave_weeks_per_year": "5.6",
            "prior_hours": "10",
            "prior_minutes": "0",
            "prior_learning_reason": "",
        },
    )
    assert "Say what prior learning was recognised" in response.content.decode()
    assert not OtjPlan.objects.filter(prior_learning_minutes__gt=0).exists()


def test_the_plan_page_for_an_unknown_total_says_who_can_set_it(client, apprenticeship, personas):
    client.force_login(personas["tutor"])
    page = client.get(reverse("portfolio:otj-plan", args=[apprenticeship.pk])).content.decode()
    assert "The required total is not known yet" in page
    assert "Save the split" not in page


def test_the_tutor_records_a_break_with_no_return_date(client, apprenticeship, personas):
    client.force_login(personas["tutor"])
    response = client.post(
        reverse("portfolio:otj-break-add", args=[apprenticeship.pk]),
        {"start_date": (TODAY() - dt.timedelta(days=3)).isoformat(), "end_date": "", "note": ""},
    )
    assert response.status_code == 302
    brk = BreakInLearning.objects.get()
    assert brk.end_date is None and brk.created_by == personas["tutor"]
    page = client.get(reverse("portfolio:otj-summary", args=[apprenticeship.pk])).content.decode()
    assert "On a break in learning" in page


def test_a_break_over_logged_training_is_refused_with_a_message(client, apprenticeship, personas):
    factories.OtjEntryFactory(apprenticeship=apprenticeship, date=TODAY() - dt.timedelta(days=2))
    client.force_login(personas["admin"])
    response = client.post(
        reverse("portfolio:otj-break-add", args=[apprenticeship.pk]),
        {"start_date": (TODAY() - dt.timedelta(days=5)).isoformat(), "end_date": ""},
    )
    assert "logged during this break" in response.content.decode()
    assert not BreakInLearning.objects.exists()


def test_cancelling_a_break_from_its_page(client, apprenticeship, personas):
    brk = factories.BreakInLearningFactory(
        apprenticeship=apprenticeship, created_by=personas["tutor"]
    )
    client.force_login(personas["tutor"])
    url = reverse("portfolio:otj-break-cancel", args=[brk.pk])
    client.post(url, {"reason": "Recorded by mistake"})
    brk.refresh_from_db()
    assert brk.cancelled_at is not None
    assert client.get(url).status_code == 404  # already cancelled


def test_nothing_can_be_logged_after_gateway_from_the_page(client, post_gateway):
    client.force_login(post_gateway.apprentice)
    url = reverse("portfolio:otj-entry-add", args=[post_gateway.pk])
    response = client.post(url, entry_data(post_gateway))
    assert "passed gateway" in response.content.decode()
    assert not OtjEntry.objects.exists()


# -- downloads -------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(content)))


def test_the_log_download_says_who_verified_what_and_when_in_utc(client, apprenticeship, personas):
    entry = factories.OtjEntryFactory(
        apprenticeship=apprenticeship, description='=HYPERLINK("http://bad")'
    )
    otj_log.verify_otj_entry(entry=entry, by=personas["employer"], as_role=Role.EMPLOYER)
    entry.refresh_from_db()
    client.force_login(personas["tutor"])
    rows = read_csv(client.get(reverse("portfolio:otj-log-csv", args=[apprenticeship.pk])))
    header, row = rows[0], rows[1]
    record = dict(zip(header, row, strict=True))
    assert record["Status"] == "Verified"
    assert record["Decided by"] == personas["employer"].full_name
    assert record["Decided as"] == "Employer contact"
    assert record["Decided at (UTC)"] == entry.decided_at.astimezone(dt.UTC).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    assert record["Decided at (UTC)"].endswith("Z")
    # A spreadsheet must never run user text as a formula.
    assert record["What was done and learned"].startswith("'=")


def test_the_log_download_keeps_every_version(client, apprenticeship, personas):
    entry = factories.OtjEntryFactory(apprenticeship=apprenticeship)
    otj_log.verify_otj_entry(entry=entry, by=personas["tutor"], as_role=Role.TUTOR)
    otj_log.change_otj_entry(
        entry=entry,
        by=apprenticeship.apprentice,
        date=entry.date,
        minutes=200,
        activity_type=entry.activity_type,
        duty=entry.duty,
        description=entry.description,
    )
    client.force_login(personas["apprentice"])
    rows = read_csv(client.get(reverse("portfolio:otj-log-csv", args=[apprenticeship.pk])))
    current = [row[3] for row in rows[1:]]
    assert sorted(current) == ["no", "yes"]


def test_the_summary_download_has_a_row_per_duty_and_the_total(client, known, personas):
    client.force_login(personas["admin"])
    rows = read_csv(client.get(reverse("portfolio:otj-summary-csv", args=[known.pk])))
    assert rows[0][:3] == ["Duty", "Duty text", "Required (minutes)"]
    assert [row[0] for row in rows[1:]] == ["D1", "D2", "D3", "Total"]
    assert rows[-1][2] == str(348 * 60)


def _evidence(apprenticeship, n, *, title="Drop-in session", start_days=10):
    return [
        factories.EvidenceFactory(
            apprenticeship=apprenticeship,
            title=f"{title} {i + 1}",
            activity_date=TODAY() - dt.timedelta(days=start_days + i),
        )
        for i in range(n)
    ]


def _options(response) -> list[str]:
    import re

    select = re.search(r'<select name="evidence".*?</select>', response.content.decode(), re.S)
    return re.findall(r'<option value="(\d*)"', select.group(0))


def test_the_evidence_picker_lists_a_page_not_the_whole_portfolio(client, apprenticeship):
    from tests.query_counts import count_queries

    client.force_login(apprenticeship.apprentice)
    url = reverse("portfolio:otj-entry-add", args=[apprenticeship.pk])
    _evidence(apprenticeship, 3, title="Recent", start_days=1)
    few = count_queries(client, url)
    older = _evidence(apprenticeship, 40, title="Group work")
    assert count_queries(client, url) == few

    response = client.get(url)
    assert len(_options(response)) == 1 + 30
    page = response.content.decode()
    assert "Your 30 most recent pieces of evidence" in page
    assert "Find evidence" in page
    assert str(older[-1].pk) not in _options(response)


def test_a_short_portfolio_lists_all_its_evidence_with_no_search(client, apprenticeship):
    client.force_login(apprenticeship.apprentice)
    items = _evidence(apprenticeship, 3)
    response = client.get(reverse("portfolio:otj-entry-add", args=[apprenticeship.pk]))
    assert _options(response) == ["", *(str(e.pk) for e in items)]
    assert 'name="find_evidence"' not in response.content.decode()


def test_finding_evidence_keeps_what_was_typed_and_saves_nothing(client, apprenticeship):
    client.force_login(apprenticeship.apprentice)
    url = reverse("portfolio:otj-entry-add", args=[apprenticeship.pk])
    _evidence(apprenticeship, 35)
    wanted = factories.EvidenceFactory(
        apprenticeship=apprenticeship,
        title="Boundaries workshop",
        activity_date=TODAY() - dt.timedelta(days=200),
    )
    factories.EvidenceFactory(title="Boundaries elsewhere")
    data = entry_data(apprenticeship, description="Typed before searching.")
    response = client.post(url, {**data, "evidence_search": "boundaries", "find_evidence": "1"})
    assert response.status_code == 200
    assert _options(response) == ["", str(wanted.pk)]
    assert "Boundaries elsewhere" not in response.content.decode()
    assert "Typed before searching." in response.content.decode()
    assert OtjEntry.objects.count() == 0

    # The found item, older than any listed by default, is saved with the entry.
    response = client.post(url, {**data, "evidence": str(wanted.pk)})
    assert response.status_code == 302
    assert OtjEntry.objects.get().evidence == wanted


def test_changing_an_entry_keeps_its_older_evidence_in_the_picker(client, apprenticeship):
    old = factories.EvidenceFactory(
        apprenticeship=apprenticeship, activity_date=TODAY() - dt.timedelta(days=300)
    )
    _evidence(apprenticeship, 35)
    entry = factories.OtjEntryFactory(apprenticeship=apprenticeship, evidence=old)
    client.force_login(apprenticeship.apprentice)
    response = client.get(reverse("portfolio:otj-entry-edit", args=[entry.pk]))
    options = _options(response)
    assert len(options) == 1 + 30 + 1 and str(old.pk) in options
    assert f'<option value="{old.pk}" selected' in response.content.decode()
