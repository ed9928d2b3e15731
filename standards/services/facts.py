"""Facts a site operator enters while the official value is not loaded."""

from django.db import transaction

from accounts.models import User
from audit.actions import AuditAction
from audit.services import record_event
from standards.errors import StandardFactError
from standards.models import Provenance, StandardVersion
from standards.selectors import may_enter_otj_minimum

MAX_OTJ_MINIMUM_HOURS = 5000


@transaction.atomic
def set_provider_otj_minimum(
    *, standard_version: StandardVersion, hours: int, source: str, entered_by: str, by: User
) -> StandardVersion:
    """Enter the standard's minimum off-the-job hours for starts from 1 August 2025 while
    the official figure is not loaded. Its provenance becomes "provider", with who entered
    it (`entered_by`) and where the figure comes from; importing a file that has the figure
    replaces it. Raises StandardFactError, and then nothing has changed."""
    locked = StandardVersion.objects.select_for_update().get(pk=standard_version.pk)
    if not may_enter_otj_minimum(locked):
        raise StandardFactError(
            "The official minimum is loaded for this standard; it changes only by importing "
            "the standard again."
        )
    if not 0 < hours <= MAX_OTJ_MINIMUM_HOURS:
        raise StandardFactError(
            f"Enter a whole number of hours between 1 and {MAX_OTJ_MINIMUM_HOURS}."
        )
    source = source.strip()
    if not source:
        raise StandardFactError("Say where the figure comes from, so others can check it.")
    before = {"otj_minimum_hours": locked.otj_minimum_hours, **locked.fact("otj_minimum_hours")}
    facts = dict(locked.facts)
    facts["otj_minimum_hours"] = {
        "provenance": Provenance.PROVIDER,
        "source": f"Entered by {entered_by}",
        "note": source,
    }
    locked.otj_minimum_hours = hours
    locked.facts = facts
    locked.full_clean()
    locked.save(update_fields=["otj_minimum_hours", "facts", "updated_at"])
    record_event(
        action=AuditAction.STANDARD_OTJ_MINIMUM_ENTERED,
        obj=locked,
        actor=by,
        summary=f"Entered {hours} hours as the off-the-job minimum of {locked}",
        before=before,
        after={"otj_minimum_hours": hours, **facts["otj_minimum_hours"]},
    )
    return locked
