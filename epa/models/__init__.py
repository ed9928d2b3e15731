"""End-point assessment models, one module per topic. Import them from here:
`from epa.models import AssessmentRound`."""

from epa.models.assessment import *  # noqa: F403
