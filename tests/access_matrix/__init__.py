"""The project's access matrix: for every URL, which persona gets which status.

One module per area of the product lists its URLs; ENTRIES joins them. See base.py for
how an entry is written.
"""

from tests.access_matrix import (
    auditor,
    core,
    dataio,
    epa,
    evidence,
    gateway,
    iqa,
    notifications,
    otj,
    quality,
    reports,
    reviews,
    supervision,
    wellbeing,
)
from tests.access_matrix.base import PERSONA_NAMES, STATES, Entry
from tests.access_matrix.core import PUBLIC as CORE_PUBLIC

PUBLIC = {**CORE_PUBLIC, **auditor.PUBLIC}

ENTRIES: list[Entry] = [
    *core.ENTRIES,
    *evidence.ENTRIES,
    *gateway.ENTRIES,
    *reports.ENTRIES,
    *reviews.ENTRIES,
    *otj.ENTRIES,
    *epa.ENTRIES,
    *supervision.ENTRIES,
    *notifications.ENTRIES,
    *wellbeing.ENTRIES,
    *dataio.ENTRIES,
    *quality.ENTRIES,
    *iqa.ENTRIES,
    *auditor.ENTRIES,
]

__all__ = ["ENTRIES", "PERSONA_NAMES", "PUBLIC", "STATES", "Entry"]
