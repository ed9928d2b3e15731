"""Portfolio models, one module per topic. Import them from here:
`from portfolio.models import Evidence`."""

from portfolio.models.evidence import *  # noqa: F403
from portfolio.models.otj import *  # noqa: F403
from portfolio.models.reviews import *  # noqa: F403
