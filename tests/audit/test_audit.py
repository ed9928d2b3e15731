import pytest
from django.db import DatabaseError, transaction

from audit.models import AuditEvent
from audit.services import record_event


@pytest.fixture
def event(personas):
    return record_event(
        action="test.done",
        obj=personas["apprenticeship"],
        summary="Something happened",
        actor=personas["tutor"],
        apprenticeship_id=personas["apprenticeship"].pk,
        before={"a": 1},
        after={"a": 2},
    )


def test_events_record_who_what_when_before_and_after(event, personas):
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.who == "Tutor"
    assert (stored.before, stored.after) == ({"a": 1}, {"a": 2})
    assert stored.object_type == "apprenticeship.apprenticeship"


def test_the_database_refuses_to_change_an_event(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(summary="rewritten")


def test_the_database_refuses_to_delete_an_event(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()
