from django.urls import path

from apprenticeship import provider_views, views

app_name = "apprenticeship"

urlpatterns = [
    path("apprenticeships/new/", views.apprenticeship_create, name="apprenticeship-create"),
    path("apprenticeships/<int:pk>/edit/", views.apprenticeship_edit, name="apprenticeship-edit"),
    path(
        "apprenticeships/<int:pk>/standard-version/",
        views.apprenticeship_move_version,
        name="apprenticeship-move-version",
    ),
    path(
        "apprenticeships/<int:pk>/history/",
        views.apprenticeship_history,
        name="apprenticeship-history",
    ),
    path("apprenticeships/<int:pk>/people/add/<str:role>/", views.member_add, name="member-add"),
    path("memberships/<int:pk>/end/", views.member_end, name="member-end"),
    path("off-the-job-minimums/", views.interim_minimums, name="interim-minimums"),
    path(
        "off-the-job-minimums/<int:provider_pk>/<int:version_pk>/",
        views.interim_minimum_edit,
        name="interim-minimum",
    ),
    path(
        "providers/<int:pk>/supervision-interval/",
        provider_views.supervision_interval,
        name="supervision-interval",
    ),
    path("providers/<int:pk>/crosswalks/", provider_views.crosswalk_list, name="crosswalk-list"),
    path(
        "providers/<int:pk>/crosswalks/<int:framework_pk>/<int:version_pk>/",
        provider_views.crosswalk_detail,
        name="crosswalk",
    ),
    path(
        "providers/<int:pk>/crosswalks/<int:framework_pk>/duties/<int:duty_pk>/",
        provider_views.crosswalk_duty,
        name="crosswalk-duty",
    ),
    path("organisations/", views.organisation_list, name="organisation-list"),
    path("organisations/new/", views.organisation_create, name="organisation-create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation-detail"),
    path("invitations/", views.invitation_list, name="invitation-list"),
    path("invitations/<int:pk>/accept/", views.invitation_accept, name="invitation-accept"),
    path("invitations/<int:pk>/decline/", views.invitation_decline, name="invitation-decline"),
    path("people/invite/", views.person_invite, name="person-invite"),
    path(
        "people/<int:pk>/reset-two-factor/",
        views.person_reset_two_factor,
        name="person-reset-two-factor",
    ),
    path(
        "people/<int:pk>/resend-invitation/",
        views.person_resend_invitation,
        name="person-resend-invitation",
    ),
]
