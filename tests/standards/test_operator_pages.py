"""Standards are shared by every provider here: only a site operator changes them.

Provider admins read every standard page, but importing a file would change every other
provider's data, so that page is the site operator's alone. A provider's interim
off-the-job minimum is its own (tests/apprenticeship/test_interim_minimum.py).
"""

import ast
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from standards.models import Provenance, StandardVersion
from tests.standards.test_import import api_file


@pytest.fixture
def unloaded_minimum(apprenticeship):
    version = apprenticeship.standard_version
    version.facts = {"otj_minimum_hours": {"provenance": Provenance.NOT_LOADED}}
    version.save()
    return version


def _write_urls(version):
    return [reverse("standards:standard-import")]


@pytest.mark.parametrize("persona", ["admin", "outsider", "tutor"])
def test_provider_staff_get_403_on_the_page_that_changes_a_standard(
    client, personas, unloaded_minimum, persona
):
    client.force_login(personas[persona])
    for url in _write_urls(unloaded_minimum):
        assert client.get(url).status_code == 403
        assert client.post(url, {"hours": "300", "source": "A guess"}).status_code == 403
    unloaded_minimum.refresh_from_db()
    assert unloaded_minimum.otj_minimum_hours is None


def test_a_site_operator_opens_the_import_page(client, site_operator, unloaded_minimum):
    client.force_login(site_operator)
    for url in _write_urls(unloaded_minimum):
        assert client.get(url).status_code == 200


def test_a_provider_admin_reads_standards_without_the_buttons_that_change_them(
    client, personas, unloaded_minimum
):
    client.force_login(personas["admin"])
    listing = client.get(reverse("standards:standard-list")).content.decode()
    detail = client.get(unloaded_minimum.get_absolute_url()).content.decode()
    assert unloaded_minimum.reference in listing
    assert "Import a standard" not in listing
    assert "Minimum off-the-job hours" in detail
    assert "your provider's interim figures" in detail


def test_a_site_operator_sees_the_import_button(client, site_operator, unloaded_minimum):
    client.force_login(site_operator)
    listing = client.get(reverse("standards:standard-list")).content.decode()
    assert "Import a standard" in listing


def test_a_provider_admins_import_changes_nothing(client, personas):
    client.force_login(personas["admin"])
    upload = SimpleUploadedFile("st.json", json.dumps(api_file()).encode(), "application/json")
    response = client.post(reverse("standards:standard-import"), {"file": upload})
    assert response.status_code == 403
    assert not StandardVersion.objects.filter(reference="ST0999").exists()
    assert not AuditEvent.objects.filter(action="standard.imported").exists()


def test_standards_imports_nothing_from_the_layers_above_it():
    """Shared reference data must not know about enrolments, evidence or assessment."""
    above = {"apprenticeship", "portfolio", "epa", "reports", "dashboards", "demo"}
    imported = []
    for path in (Path(settings.BASE_DIR) / "standards").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                imported.append((path.name, node.module or ""))
            elif isinstance(node, ast.Import):
                imported += [(path.name, alias.name) for alias in node.names]
    assert [(name, module) for name, module in imported if module.split(".")[0] in above] == []
