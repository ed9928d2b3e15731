"""End-point assessment models, one module per topic. Import them from here:
`from epa.models import GatewaySnapshot, AssessmentRound`."""

from epa.models.assessment import *  # noqa: F403
from epa.models.gateway import *  # noqa: F403
from epa.models.policies import *  # noqa: F403
