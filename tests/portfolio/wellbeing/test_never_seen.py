"""The wellbeing plan never leaves its page: not in the off-the-job downloads, the
apprenticeship page, the caseload or the employer's list, even with every section shared."""

from django.urls import reverse

from tests import factories
from tests.helpers.wellbeing import assert_no_plan, write_plan


def test_the_plan_is_in_no_download_or_list(client, personas):
    write_plan(personas)
    a = personas["apprenticeship"]
    factories.OtjEntryFactory(apprenticeship=a)
    pages = [
        ("apprentice", reverse("portfolio:otj-log-csv", args=[a.pk])),
        ("tutor", reverse("portfolio:otj-summary-csv", args=[a.pk])),
        ("tutor", reverse("dashboards:caseload")),
        ("employer", reverse("dashboards:employer-home")),
        ("employer", reverse("dashboards:apprenticeship-detail", args=[a.pk])),
        ("tutor", reverse("dashboards:apprenticeship-detail", args=[a.pk])),
        ("apprentice", reverse("dashboards:apprenticeship-detail", args=[a.pk])),
    ]
    for persona, url in pages:
        client.force_login(personas[persona])
        response = client.get(url)
        assert response.status_code == 200, url
        body = (
            b"".join(response.streaming_content) if response.streaming else response.content
        ).decode()
        assert_no_plan(body)
