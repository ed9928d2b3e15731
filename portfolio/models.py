"""Django finds an app's models here. The portfolio's parts each keep their own
models: import them from there (`from portfolio.evidence.models import Evidence`)."""

from portfolio.evidence.models import *  # noqa: F403
from portfolio.reviews.models import *  # noqa: F403
from portfolio.supervision.models import *  # noqa: F403
from portfolio.training.models import *  # noqa: F403
from portfolio.wellbeing.models import *  # noqa: F403
