"""Who may see a notification: only the person it was written for."""

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from notifications.models import Notification


def visible_notifications(user: User) -> QuerySet[Notification]:
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user)


def get_notification_for(user: User, pk: int) -> Notification:
    """One of the user's own notifications; anyone else's is a 404."""
    notification = visible_notifications(user).filter(pk=pk).first()
    if notification is None:
        raise Http404
    return notification
