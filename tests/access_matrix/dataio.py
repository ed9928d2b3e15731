"""Data in and out: exports, bulk enrolment, subject access and retention."""

from tests.access_matrix.base import ADMIN_ONLY, FORBIDDEN, NOT_ALLOWED, OK, Entry, everyone, only

# Anyone who tutors someone downloads their own caseload (the second provider's admin tutors
# no one); the outsider and the second provider's tutor get a file of their own apprentices
# only (tests/dataio checks the rows).
TUTORS = only({"tutor": OK, "outsider": OK, "p2_admin": FORBIDDEN}, FORBIDDEN)


ENTRIES: list[Entry] = [
    Entry("dataio:caseload-export", TUTORS),
    # The admin's providers only: another provider's admin gets a file of their own.
    Entry("dataio:provider-export", ADMIN_ONLY),
    Entry("dataio:funding-return-export", ADMIN_ONLY),
    Entry("dataio:caseload-export", everyone(NOT_ALLOWED), method="post", label="export POST"),
]
