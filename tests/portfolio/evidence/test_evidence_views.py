"""The evidence pages: what each role sees, what the forms refuse, how files are served."""

import pytest
from django.urls import reverse

from portfolio.evidence.models import DutySignOff, Evidence, EvidenceFile
from portfolio.evidence.services import evidence as services
from portfolio.evidence.services import testimonies as testimonies_services
from tests import samples
from tests.helpers.evidence import make_evidence


def page(client, user, name, *args, **kwargs):
    client.force_login(user)
    response = client.get(reverse(name, args=args), **kwargs)
    assert response.status_code == 200
    return response.content.decode()


def test_the_employer_never_sees_what_the_apprentice_hid(client, apprenticeship, personas):
    shown = make_evidence(apprenticeship, status=Evidence.Status.SUBMITTED, title="Shared record")
    make_evidence(
        apprenticeship,
        status=Evidence.Status.SUBMITTED,
        title="Private reflection",
        visible_to_employer=False,
    )
    duty = shown.duties.get()
    for name in ("portfolio:evidence-list",):
        html = page(client, personas["employer"], name, apprenticeship.pk)
        assert "Shared record" in html
        assert "Private reflection" not in html
        html = page(client, personas["tutor"], name, apprenticeship.pk)
        assert "Shared record" in html and "Private reflection" in html
    # The coverage page counts only what each may see, and links to those items.
    mapped = reverse("portfolio:evidence-list", args=[apprenticeship.pk]) + f"?duty={duty.pk}"
    html = page(client, personas["employer"], "portfolio:coverage", apprenticeship.pk)
    assert f'href="{mapped}">1 item</a>' in html
    html = page(client, personas["tutor"], "portfolio:coverage", apprenticeship.pk)
    assert f'href="{mapped}">2 items</a>' in html
    client.force_login(personas["employer"])
    html = client.get(mapped).content.decode()
    assert "Shared record" in html and "Private reflection" not in html
    assert shown.visible_to_employer


def test_the_employer_never_sees_a_hidden_reflective_account_nor_opens_it(
    client, apprenticeship, personas
):
    shown = make_evidence(
        apprenticeship, status=Evidence.Status.SUBMITTED, title="Rota and handover notes"
    )
    hidden = make_evidence(
        apprenticeship,
        status=Evidence.Status.SUBMITTED,
        title="What this work brings up for me",
        kind="reflective_account",
        visible_to_employer=False,
    )
    html = page(client, personas["employer"], "portfolio:evidence-list", apprenticeship.pk)
    assert f'href="{shown.get_absolute_url()}">Rota and handover notes</a>' in html
    assert "What this work brings up for me" not in html
    html = page(client, personas["employer"], "portfolio:coverage", apprenticeship.pk)
    assert "What this work brings up for me" not in html
    response = client.get(reverse("portfolio:evidence-detail", args=[hidden.pk]))
    assert response.status_code == 404


def test_drafts_stay_private_to_the_apprentice(client, apprenticeship, personas):
    make_evidence(apprenticeship, title="Half written")
    assert "Half written" in page(
        client, personas["apprentice"], "portfolio:evidence-list", apprenticeship.pk
    )
    for persona in ("tutor", "employer", "admin"):
        assert "Half written" not in page(
            client, personas[persona], "portfolio:evidence-list", apprenticeship.pk
        )


def test_saving_the_form_keeps_everything_and_can_go_on_to_submit(client, draft, personas, duty):
    client.force_login(personas["apprentice"])
    url = reverse("portfolio:evidence-edit", args=[draft.pk])
    data = {
        "title": "Running the Tuesday group",
        "kind": "work_record",
        "activity_date": "2026-11-24",
        "account": "I ran the group and kept it safe.",
        "duties": [duty.pk],
        "visible_to_employer": "on",
        "submit": "1",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("portfolio:evidence-submit", args=[draft.pk])
    draft.refresh_from_db()
    assert (draft.title, draft.kind, str(draft.activity_date)) == (
        "Running the Tuesday group",
        "work_record",
        "2026-11-24",
    )
    assert list(draft.duties.all()) == [duty]


def test_a_future_date_in_the_form_is_refused_with_a_message(client, draft, personas):
    client.force_login(personas["apprentice"])
    response = client.post(
        reverse("portfolio:evidence-edit", args=[draft.pk]),
        {"title": "New title", "kind": "work_record", "activity_date": "2099-01-01"},
    )
    assert "can&#x27;t be in the future" in response.content.decode()
    draft.refresh_from_db()
    assert draft.title != "New title"


def test_autosave_saves_the_draft_and_answers_in_json(client, draft, personas):
    client.force_login(personas["apprentice"])
    response = client.post(
        reverse("portfolio:evidence-autosave", args=[draft.pk]),
        {"title": "Typed so far", "kind": "reflective_account", "account": "Half a sentence"},
    )
    assert response.status_code == 200
    assert response.json()["saved"] is True
    draft.refresh_from_db()
    assert (draft.title, draft.account) == ("Typed so far", "Half a sentence")


def test_autosave_of_evidence_waiting_for_review_is_refused_and_changes_nothing(
    client, submitted, personas
):
    client.force_login(personas["apprentice"])
    response = client.post(
        reverse("portfolio:evidence-autosave", args=[submitted.pk]),
        {"title": "Sneaky edit", "kind": "work_record"},
    )
    assert response.status_code == 409
    assert "waiting for your tutor" in response.json()["errors"][0]
    submitted.refresh_from_db()
    assert submitted.title != "Sneaky edit"


def test_the_submit_page_shows_each_finding_with_its_place(client, draft, personas):
    testimonies_services.add_protected_name(apprenticeship=draft.apprenticeship, name="Dee")
    draft.account = "Talked with Dee.\nHer postcode is LS6 2AB."
    draft.save()
    html = page(client, personas["apprentice"], "portfolio:evidence-submit", draft.pk)
    assert "We found 2 things that could identify someone" in html
    assert "A name on your private list" in html and "in Written account, line 1" in html
    assert "<mark>LS6 2AB</mark>" in html and "in Written account, line 2" in html


def test_submitting_through_the_page_without_confirming_changes_nothing(client, draft, personas):
    client.force_login(personas["apprentice"])
    response = client.post(
        reverse("portfolio:evidence-submit", args=[draft.pk]), {"own_work": "on"}
    )
    assert "Confirm both statements" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Evidence.Status.DRAFT
    response = client.post(
        reverse("portfolio:evidence-submit", args=[draft.pk]),
        {"own_work": "on", "names_no_one": "on"},
    )
    draft.refresh_from_db()
    assert draft.status == Evidence.Status.SUBMITTED


def test_the_tutor_reviews_through_the_page(client, submitted, personas):
    client.force_login(personas["tutor"])
    url = reverse("portfolio:evidence-review", args=[submitted.pk])
    response = client.post(url, {"decision": "refer", "feedback": ""})
    assert "Say what needs to change" in response.content.decode()
    client.post(url, {"decision": "refer", "feedback": "Say more about the outcome."})
    submitted.refresh_from_db()
    assert submitted.status == Evidence.Status.REFERRED
    html = page(client, personas["apprentice"], "portfolio:evidence-detail", submitted.pk)
    assert "Say more about the outcome." in html


def test_the_tutor_signs_off_a_duty_through_the_page(client, accepted, duty, personas):
    client.force_login(personas["tutor"])
    url = reverse("portfolio:duty-sign-off", args=[accepted.apprenticeship_id, duty.pk])
    response = client.post(url, {"comment": "Clear evidence."})
    assert "Choose the accepted evidence you are relying on." in response.content.decode()
    assert not DutySignOff.objects.exists()
    client.post(
        url, {"comment": "Clear evidence.", "evidence_versions": [accepted.accepted_version_id]}
    )
    assert DutySignOff.objects.active().filter(duty=duty).count() == 1
    html = page(
        client, personas["apprentice"], "portfolio:duty-detail", accepted.apprenticeship_id, duty.pk
    )
    assert "Signed off" in html and "Clear evidence." in html


def test_a_duty_of_another_standard_is_not_found(client, apprenticeship, personas):
    from tests import factories

    foreign = factories.DutyFactory()
    client.force_login(personas["tutor"])
    response = client.get(reverse("portfolio:duty-detail", args=[apprenticeship.pk, foreign.pk]))
    assert response.status_code == 404


def test_files_are_served_as_downloads_with_safe_headers(client, draft, personas):
    (file,) = services.add_files(
        evidence=draft,
        by=personas["apprentice"],
        files=[samples.upload("My notes.pdf", samples.pdf())],
    )
    client.force_login(personas["apprentice"])
    response = client.get(reverse("portfolio:file-download", args=[file.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "My notes.pdf" in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert "sandbox" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_no_file_is_reachable_from_a_public_media_address(client, draft, personas, settings):
    (file,) = services.add_files(
        evidence=draft, by=personas["apprentice"], files=[samples.upload("n.pdf", samples.pdf())]
    )
    client.logout()
    assert client.get(settings.MEDIA_URL + file.file.name).status_code == 404
    assert client.get("/media/" + file.file.name).status_code == 404


def test_caseload_shows_who_needs_attention_first(client, personas):
    from apprenticeship.models import Role
    from tests import factories

    a = personas["apprenticeship"]
    quiet = factories.ApprenticeshipFactory(
        provider=a.provider, employer=a.employer, standard_version=a.standard_version
    )
    factories.MembershipFactory(apprenticeship=quiet, user=personas["tutor"], role=Role.TUTOR)
    make_evidence(a, status=Evidence.Status.SUBMITTED)
    make_evidence(a, status=Evidence.Status.SUBMITTED)
    html = page(client, personas["tutor"], "dashboards:caseload")
    assert "2 waiting" in html
    assert html.index(a.apprentice.full_name) < html.index(quiet.apprentice.full_name)
    assert "0 of 3" in html


def test_apprenticeship_page_summarises_the_portfolio(client, apprenticeship, personas):
    make_evidence(apprenticeship, status=Evidence.Status.SUBMITTED)
    make_evidence(apprenticeship, status=Evidence.Status.ACCEPTED, tutor=personas["tutor"])
    html = page(client, personas["tutor"], "dashboards:apprenticeship-detail", apprenticeship.pk)
    assert "0 of 3" in html and "1 accepted, 1 waiting for review" in html
    assert "Review evidence (1)" in html


@pytest.mark.parametrize("persona", ["tutor", "employer"])
def test_starting_evidence_is_only_for_the_apprentice(client, apprenticeship, personas, persona):
    client.force_login(personas[persona])
    response = client.post(reverse("portfolio:evidence-start", args=[apprenticeship.pk]))
    assert response.status_code == 403
    assert not Evidence.objects.exists()
    assert not EvidenceFile.objects.exists()


@pytest.mark.parametrize("persona", ["apprentice", "tutor", "employer"])
def test_the_coverage_rows_agree_with_the_item_by_item_matrix(personas, persona):
    from apprenticeship.access import Action, get_apprenticeship_for
    from portfolio.evidence import selectors

    apprenticeship = personas["apprenticeship"]
    duties = list(apprenticeship.standard_version.duties.order_by("number"))
    ksbs = list(apprenticeship.standard_version.ksbs.all())
    statuses = list(Evidence.Status)  # draft, submitted, accepted, referred
    for n, status in enumerate(statuses * 2):
        item = make_evidence(
            apprenticeship,
            duties=duties[n % len(duties) : n % len(duties) + 1],
            status=status,
            tutor=personas["tutor"],
            visible_to_employer=n % 3 != 0,
        )
        item.ksbs.set(ksbs[n % len(ksbs) : n % len(ksbs) + 2] if ksbs else [])
    seen = get_apprenticeship_for(personas[persona], apprenticeship.pk, Action.VIEW_EVIDENCE)

    def states(coverage):
        rows = coverage.duties + [r for _l, rs in coverage.ksb_groups for r in rs]
        return [(r.code, r.state) for r in rows + coverage.retired], [
            r.code for r in coverage.missing
        ]

    assert states(selectors.coverage_rows(seen)) == states(selectors.coverage(seen))


@pytest.mark.parametrize("persona", ["apprentice", "tutor", "employer"])
def test_the_coverage_counts_are_the_items_each_viewer_sees_mapped_now(personas, persona):
    # The counts are aggregated in the database from this apprenticeship's evidence: they
    # are what the item-by-item matrix holds, by status, and never another portfolio's.
    from collections import Counter

    from apprenticeship.access import Action, get_apprenticeship_for
    from portfolio.evidence import selectors
    from tests import factories

    apprenticeship = personas["apprenticeship"]
    duties = list(apprenticeship.standard_version.duties.order_by("number"))
    ksbs = list(apprenticeship.standard_version.ksbs.order_by("pk"))
    statuses = list(Evidence.Status)  # draft, submitted, accepted, referred
    for n, status in enumerate(statuses * 3):
        make_evidence(
            apprenticeship,
            duties=duties[n % len(duties) : n % len(duties) + 2],
            ksbs=ksbs[n % len(ksbs) : n % len(ksbs) + 3],
            status=status,
            tutor=personas["tutor"],
            visible_to_employer=n % 3 != 0,
        )
    # Another apprentice on the same standard maps the same statements.
    other = factories.ApprenticeshipFactory(standard_version=apprenticeship.standard_version)
    for status in statuses:
        make_evidence(other, duties=duties, ksbs=ksbs, status=status, tutor=personas["tutor"])
    seen = get_apprenticeship_for(personas[persona], apprenticeship.pk, Action.VIEW_EVIDENCE)
    items = selectors.coverage(seen).evidence
    rows = selectors.coverage_rows(seen)
    got = {
        row.filter: {
            s: getattr(row.counts, s) for s in ("submitted", "accepted", "referred", "draft")
        }
        for row in rows.duties + [r for _l, rs in rows.ksb_groups for r in rs]
    }
    want: dict[str, Counter] = {key: Counter() for key in got}
    for item in items:
        for duty in item.duties.all():
            want[f"duty={duty.pk}"][item.status] += 1
        for ksb in item.ksbs.all():
            want[f"ksb={ksb.pk}"][item.status] += 1
    assert got == {
        key: {s: counts[s] for s in ("submitted", "accepted", "referred", "draft")}
        for key, counts in want.items()
    }
    assert any(sum(counts.values()) for counts in got.values())
    assert (persona == "apprentice") == any(counts["draft"] for counts in got.values())


def test_the_evidence_list_filtered_to_a_ksb_pages_and_refuses_another_standards(client, personas):
    from standards.models import KSB

    apprenticeship = personas["apprenticeship"]
    ksb = apprenticeship.standard_version.ksbs.first()
    for n in range(27):
        make_evidence(apprenticeship, title=f"Mapped {n}").ksbs.set([ksb])
    make_evidence(apprenticeship, title="Not mapped")
    client.force_login(personas["apprentice"])
    url = reverse("portfolio:evidence-list", args=[apprenticeship.pk])
    first = client.get(f"{url}?ksb={ksb.pk}").content.decode()
    assert first.count("Mapped ") == 25 and "Not mapped" not in first
    assert f"ksb={ksb.pk}&amp;page=2" in first
    second = client.get(f"{url}?ksb={ksb.pk}&page=2").content.decode()
    assert second.count("Mapped ") == 2
    other = KSB.objects.exclude(standard_version=apprenticeship.standard_version).first()
    if other is not None:
        assert client.get(f"{url}?ksb={other.pk}").status_code == 404
    assert client.get(f"{url}?ksb=999999").status_code == 404
