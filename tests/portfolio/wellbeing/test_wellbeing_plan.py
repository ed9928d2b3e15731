"""The wellbeing plan: private by default, shared section by section, withdrawn at once,
versioned, and the history records sharing but never the text."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from portfolio.wellbeing import services
from portfolio.wellbeing.models import WellbeingPlanVersion, WellbeingSection, WellbeingShare
from tests.helpers.wellbeing import PLAN, assert_no_plan, write_plan

HELPS = PLAN[WellbeingSection.WHAT_HELPS]
SIGNS = PLAN[WellbeingSection.EARLY_SIGNS]


def _page(client, user, apprenticeship):
    client.force_login(user)
    response = client.get(reverse("portfolio:wellbeing-plan", args=[apprenticeship.pk]))
    return response.status_code, response.content.decode()


def _share(client, personas, section, audience, shared):
    client.force_login(personas["apprentice"])
    return client.post(
        reverse("portfolio:wellbeing-sharing", args=[personas["apprenticeship"].pk]),
        {"section": section, "audience": audience, "shared": "yes" if shared else "no"},
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("apprentice", 200),
        ("tutor", 200),
        ("employer", 200),
        ("admin", 403),
        ("assessor", 404),
        ("outsider", 404),
    ],
)
def test_the_plan_is_private_by_default(client, personas, persona, status):
    write_plan(personas, share=False)
    code, page = _page(client, personas[persona], personas["apprenticeship"])
    assert code == status
    if persona == "apprentice":
        assert HELPS in page and SIGNS in page
    else:
        assert_no_plan(page)


def test_one_section_shared_with_the_tutor_and_withdrawn(client, personas):
    write_plan(personas, share=False)
    a = personas["apprenticeship"]
    assert _share(client, personas, "what_helps", "tutor", True).status_code == 302
    _, tutor_page = _page(client, personas["tutor"], a)
    assert HELPS in tutor_page and SIGNS not in tutor_page
    _, employer_page = _page(client, personas["employer"], a)
    assert_no_plan(employer_page)
    _share(client, personas, "what_helps", "tutor", False)
    _, tutor_page = _page(client, personas["tutor"], a)
    assert_no_plan(tutor_page)
    # The history says what was shared and withdrawn, never the text.
    events = AuditEvent.objects.filter(apprenticeship_id=a.pk).order_by("pk")
    summaries = [e.summary for e in events]
    assert summaries == [
        "Saved the wellbeing plan (version 1)",
        "Shared “What helps” with the tutor",
        "Withdrew “What helps” from the tutor",
    ]
    for event in events:
        assert_no_plan(f"{event.summary} {event.before} {event.after}")
    shares = WellbeingShare.objects.get()
    assert shares.withdrawn_at is not None


def test_a_section_shared_with_the_employer_is_theirs_only(client, personas):
    write_plan(personas, share=False)
    _share(client, personas, "early_signs", "employer", True)
    _, employer_page = _page(client, personas["employer"], personas["apprenticeship"])
    _, tutor_page = _page(client, personas["tutor"], personas["apprenticeship"])
    assert SIGNS in employer_page and HELPS not in employer_page
    assert_no_plan(tutor_page)


def test_saving_makes_a_new_version_and_keeps_the_old(client, personas):
    write_plan(personas, share=False)
    client.force_login(personas["apprentice"])
    url = reverse("portfolio:wellbeing-plan-edit", args=[personas["apprenticeship"].pk])
    data = {k.value: v for k, v in PLAN.items()}
    data["what_helps"] = "A walk round the block."
    assert client.post(url, data).status_code == 302
    versions = list(WellbeingPlanVersion.objects.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].what_helps == HELPS and versions[1].what_helps == "A walk round the block."
    # The same text again is not a new version.
    client.post(url, data)
    assert WellbeingPlanVersion.objects.count() == 2


def test_a_shared_section_shows_its_newest_text(client, personas):
    write_plan(personas, share=False)
    _share(client, personas, "what_helps", "tutor", True)
    services.save_plan(
        apprenticeship=personas["apprenticeship"],
        by=personas["apprentice"],
        sections={**{k.value: v for k, v in PLAN.items()}, "what_helps": "Tea and quiet."},
    )
    _, page = _page(client, personas["tutor"], personas["apprenticeship"])
    assert "Tea and quiet." in page and HELPS not in page


def test_only_the_apprentice_writes_or_shares(personas):
    with pytest.raises(services.WellbeingError):
        services.save_plan(
            apprenticeship=personas["apprenticeship"], by=personas["tutor"], sections={}
        )
    write_plan(personas, share=False)
    with pytest.raises(services.WellbeingError):
        services.set_sharing(
            apprenticeship=personas["apprenticeship"],
            by=personas["tutor"],
            section="what_helps",
            audience="tutor",
            shared=True,
        )
    assert not WellbeingShare.objects.exists()


def test_sharing_before_writing_a_plan_is_refused_plainly(client, personas):
    response = _share(client, personas, "what_helps", "tutor", True)
    assert response.status_code == 302
    assert not WellbeingShare.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "Write your plan first" in page


def test_a_made_up_section_changes_nothing(client, personas):
    write_plan(personas, share=False)
    _share(client, personas, "bank_details", "tutor", True)
    _share(client, personas, "what_helps", "assessor", True)
    assert not WellbeingShare.objects.exists()


def test_the_plan_page_sends_no_store(client, personas):
    write_plan(personas)
    client.force_login(personas["tutor"])
    response = client.get(reverse("portfolio:wellbeing-plan", args=[personas["apprenticeship"].pk]))
    assert "no-store" in response["Cache-Control"]


def test_the_history_page_never_shows_the_plan(client, personas):
    write_plan(personas)
    for persona in ("apprentice", "tutor", "admin"):
        client.force_login(personas[persona])
        page = client.get(
            reverse("apprenticeship:apprenticeship-history", args=[personas["apprenticeship"].pk])
        ).content.decode()
        assert "Shared “What helps” with the tutor" in page
        assert_no_plan(page)
