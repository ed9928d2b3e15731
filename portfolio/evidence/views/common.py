"""What the evidence pages share."""

from django.core.exceptions import ValidationError

from apprenticeship import access as apprenticeship_access
from portfolio.evidence.services.evidence import EvidenceError


def can(evidence_or_apprenticeship) -> dict[str, bool]:
    apprenticeship = getattr(evidence_or_apprenticeship, "apprenticeship", None)
    roles = (apprenticeship or evidence_or_apprenticeship).viewer_roles
    return apprenticeship_access.permissions(roles)


def form_errors(error: ValidationError | EvidenceError) -> list[str]:
    if isinstance(error, ValidationError):
        return [message for messages_ in error.message_dict.values() for message in messages_]
    return [str(error)]
