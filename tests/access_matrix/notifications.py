"""Notifications and the profile page: each person reaches only their own."""

from tests.access_matrix.base import NOT_FOUND, OK, REDIRECT, Entry, everyone, only


def _tutors_notification(ctx):
    from notifications.models import Notification

    notification = Notification.objects.create(
        recipient=ctx["tutor"],
        key="matrix:evidence_submitted",
        event="evidence_submitted",
        apprenticeship=ctx["apprenticeship"],
        url="/caseload/",
    )
    return [notification.pk]


ENTRIES = [
    Entry("notifications:list", everyone(OK)),
    Entry("notifications:unread-count", everyone(OK)),
    Entry("notifications:profile", everyone(OK)),
    Entry(
        "notifications:profile",
        everyone(REDIRECT),
        method="post",
        data=lambda ctx: {"email": "digest"},
        label="notifications:profile POST",
    ),
    Entry(
        "notifications:sign-out-everywhere",
        everyone(REDIRECT),
        method="post",
        label="notifications:sign-out-everywhere POST",
    ),
    Entry(
        "notifications:read-all",
        everyone(REDIRECT),
        method="post",
        label="notifications:read-all POST",
    ),
    # Only the person it was written for; for anyone else it does not exist.
    Entry(
        "notifications:open",
        only({"tutor": REDIRECT}, NOT_FOUND),
        args=_tutors_notification,
        method="post",
        label="notifications:open POST",
    ),
]
