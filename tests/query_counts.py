"""Helper for pinning a page's query count at two data sizes.

The counts hold no session write: a session is renewed at most once a minute
(config.middleware.IdleSessionMiddleware), not saved on every request."""

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def assert_flat_queries(client, url: str, grow: Callable[[], None], expected: int) -> None:
    """The page at `url` runs `expected` queries, and still does after `grow()` adds rows."""
    before = count_queries(client, url)
    grow()
    after = count_queries(client, url)
    assert (before, after) == (expected, expected), (
        f"{url}: {before} queries, then {after} after adding rows; pinned at {expected}"
    )


# The tutor's caseload: the page of apprenticeships with its annotations and the standard
# versions they are on (read once, not joined to each row), then five queries for the
# page's off-the-job totals (plans, sums, schedules, the providers' interim minimums for
# 2025 starts, breaks), then one for the "Waiting for you" list. It shows no tutors, so it
# reads no memberships.
CASELOAD_QUERIES = 12

# The apprenticeship page summarises every area; tests that grow each area's data pin it.
# One of them is the rules in force (the assessment organisation's resit policy: the
# gateway policy and the assessment plan come with the apprenticeship, and the minimum in
# force with the off-the-job summary). The review summary reads how many reviews wait for
# signatures from the review standing it already reads for the due date.
APPRENTICESHIP_PAGE_QUERIES = 22

# The "Waiting for you" list (dashboards/waiting.py) on each role's home: one query for the
# apprentice, tutor and employer, two for the assessor (the list and its people), three
# for a provider admin (enrolments with no tutor, overdue reviews, failed reports), of
# which the overview saves one: it passes the overdue count its review flags already have.
OVERVIEW_QUERIES = 14
EMPLOYER_HOME_QUERIES = 7
ASSESSOR_HOME_QUERIES = 8
MY_APPRENTICESHIPS_QUERIES = 6

# A provider's mapping of duties to framework units (apprenticeship/crosswalk.py), for its
# admin, once it holds suggestions: sign-in and navigation, the provider, the framework and
# the standard version, then the duties and the suggestions in one query each. (While it is
# empty, two more: the starting suggestion's duties and units.)
CROSSWALK_PAGE_QUERIES = 8
# The list of frameworks and the standard versions the provider's apprentices are on.
CROSSWALK_LIST_QUERIES = 6
# Internal quality assurance (quality/iqa). Each page starts with the session, the user and
# the navigation's roles.
# A plan: the plan (through the viewer's providers), the last draw's period, whether the
# viewer leads there, the draws, then the page of sampled decisions (count and rows).
IQA_PLAN_QUERIES = 9
# The plans: the reader check, the page (count, and rows with their counts as
# annotations), the viewer's providers and whether they lead anywhere.
IQA_PLAN_LIST_QUERIES = 8
# The IQA lead's home: the lead check, the plans (count and rows), the providers, and one
# query for the "Waiting for you" list.
IQA_HOME_QUERIES = 8
# The report: the provider, the decisions made (summed from the days kept for them, by
# tutor and kind), the sampled decisions grouped by tutor and kind, and the tutors' names.
IQA_REPORT_QUERIES = 7
# Adding to a sample: the plan and the lead check, a page of decisions not yet sampled
# (no count), then the page's apprentices and tutors.
IQA_ADD_ITEM_QUERIES = 8
# A tutor's follow-ups: the page of judged decisions (count and rows).
IQA_FOLLOW_UPS_QUERIES = 5
# A provider's retention page: the session and user, the provider (with the admin check),
# its policy, then the due and held lists with their counts, how many were reduced, and
# the holds in place (dataio/retention.py overview).
RETENTION_PAGE_QUERIES = 12
# A provider admin's interim off-the-job minimums: the session, the user and the providers
# they administer, the three queries of `interim_minimum_rows` (the apprentices counted per
# provider and version, the interim figures, the standard versions), then the navigation's
# roles.
INTERIM_MINIMUMS_QUERIES = 7
# An apprentice's "A copy of your records": the session and user, whether they are an
# apprentice, then the copies asked for with who asked (an admin, on their behalf), then
# the navigation's roles.
MY_DATA_QUERIES = 5
# Adding a tutor or employer contact: the session and user, the apprenticeship with the
# admin's check, then the navigation's roles. The person is typed in by email address, so
# the page reads no one who works for the provider or the employer.
MEMBER_ADD_QUERIES = 4
