"""End-point assessment models, one module per topic: `from epa.models import GatewaySnapshot`."""

from epa.models.gateway import *  # noqa: F403
