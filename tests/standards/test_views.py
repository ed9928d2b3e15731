import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from standards.models import StandardVersion
from tests.standards.test_import import api_file


@pytest.fixture
def standard_page(client, personas, st0896):
    client.force_login(personas["apprentice"])
    response = client.get(reverse("standards:standard-detail", args=[st0896.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_standard_page_shows_duties_and_skills_with_their_provenance(standard_page):
    assert "Establish safe, supportive and respectful relationships" in standard_page
    assert "Develop and maintain mutual and reciprocal peer relationships" in standard_page
    assert "(code inferred)" in standard_page
    assert "Verified" in standard_page


def test_standard_page_says_plainly_what_is_not_loaded(standard_page):
    assert "The official knowledge statements have not been loaded." in standard_page
    assert "The official behaviour statements have not been loaded." in standard_page
    assert "has not been loaded" in standard_page  # the duty-to-KSB map
    assert "Not loaded yet" in standard_page
    # The truncated 18th skill statement is never shown, let alone completed.
    assert "Support the individual to self-advocate and throug" not in standard_page


def test_standard_page_labels_the_assessment_plan_as_secondary_and_the_grades_as_inferred(
    standard_page,
):
    assert "Observation of practice with questions" in standard_page
    assert "2 hours 15 minutes in total, over 2 sessions" in standard_page
    assert "At least 10 questions in all" in standard_page
    assert "positive risk-taking, health and safety and safeguarding" in standard_page
    assert "Secondary source" in standard_page
    assert "Inferred, not official" in standard_page


def test_standard_page_query_count_is_fixed(client, personas, st0896, django_assert_num_queries):
    client.force_login(personas["tutor"])
    url = reverse("standards:standard-detail", args=[st0896.pk])
    with django_assert_num_queries(9):
        client.get(url)


def test_site_operator_imports_a_standard_file(client, site_operator):
    client.force_login(site_operator)
    upload = SimpleUploadedFile("st.json", json.dumps(api_file()).encode(), "application/json")
    response = client.post(reverse("standards:standard-import"), {"file": upload})
    version = StandardVersion.objects.get(reference="ST0999")
    assert response.status_code == 302 and response["Location"] == version.get_absolute_url()
    assert AuditEvent.objects.filter(action="standard.imported", actor=site_operator).exists()


def test_a_broken_upload_shows_the_problem_and_imports_nothing(client, site_operator):
    client.force_login(site_operator)
    data = api_file()
    del data["duties"][0]["dutyDetail"]
    upload = SimpleUploadedFile("st.json", json.dumps(data).encode(), "application/json")
    response = client.post(reverse("standards:standard-import"), {"file": upload})
    assert response.status_code == 200
    assert "Nothing was imported. duties[0]: &#x27;dutyDetail&#x27; is missing." in (
        response.content.decode()
    )
    assert not StandardVersion.objects.filter(reference="ST0999").exists()


def test_a_file_that_is_not_json_is_refused(client, site_operator):
    client.force_login(site_operator)
    upload = SimpleUploadedFile("st.json", b"\x89PNG not json", "application/json")
    response = client.post(reverse("standards:standard-import"), {"file": upload})
    assert "This is not a JSON file" in response.content.decode()
