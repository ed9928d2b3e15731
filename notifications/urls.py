from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/sign-out-everywhere/", views.sign_out_everywhere, name="sign-out-everywhere"),
    path("notifications/", views.notification_list, name="list"),
    path("notifications/<int:pk>/open/", views.notification_open, name="open"),
    path("notifications/read-all/", views.notification_read_all, name="read-all"),
    path("notifications/unread.json", views.unread_count, name="unread-count"),
]
