"""An import is recorded in the history by the import itself, whoever starts it."""

import io
import json

import pytest
from django.core.management import call_command

from audit.models import AuditEvent
from standards.errors import StandardImportError
from standards.models import StandardVersion
from standards.services import imports
from tests import factories
from tests.standards.test_import import api_file


@pytest.mark.django_db
def test_the_import_service_records_who_imported_what():
    person = factories.UserFactory()
    version = imports.import_standard(data=api_file(), by=person).standard_version
    event = AuditEvent.objects.for_object(version).get(action="standard.imported")
    assert event.actor == person
    assert event.after["duties"] == 2 and event.after["knowledge"] == 2
    assert event.summary == f"Imported {version}"
    imports.import_standard(data=api_file(), by=person)
    assert AuditEvent.objects.for_object(version).filter(action="standard.imported").count() == 2


@pytest.mark.django_db
def test_a_refused_import_leaves_no_history():
    data = api_file()
    del data["title"]
    with pytest.raises(StandardImportError):
        imports.import_standard(data=data, by=factories.UserFactory())
    assert not AuditEvent.objects.filter(action="standard.imported").exists()


@pytest.mark.django_db
def test_the_import_command_leaves_a_history_row_for_the_operator(tmp_path):
    path = tmp_path / "st.json"
    path.write_text(json.dumps(api_file()))
    call_command("import_standard", str(path), stdout=io.StringIO())
    version = StandardVersion.objects.get(reference="ST0999")
    event = AuditEvent.objects.for_object(version).get(action="standard.imported")
    assert event.actor is None
    assert event.who == "operator via command"


@pytest.mark.django_db
def test_the_import_command_records_nothing_when_it_leaves_a_version_alone(tmp_path):
    path = tmp_path / "st.json"
    path.write_text(json.dumps(api_file()))
    call_command("import_standard", str(path), stdout=io.StringIO())
    call_command("import_standard", str(path), "--if-missing", stdout=io.StringIO())
    assert AuditEvent.objects.filter(action="standard.imported").count() == 1
