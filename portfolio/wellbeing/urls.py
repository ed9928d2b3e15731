"""The wellbeing plan."""

from django.urls import path

from portfolio.wellbeing import views

urlpatterns = [
    path("apprenticeships/<int:pk>/wellbeing/", views.wellbeing_plan, name="wellbeing-plan"),
    path(
        "apprenticeships/<int:pk>/wellbeing/edit/",
        views.wellbeing_plan_edit,
        name="wellbeing-plan-edit",
    ),
    path(
        "apprenticeships/<int:pk>/wellbeing/sharing/",
        views.wellbeing_sharing,
        name="wellbeing-sharing",
    ),
]
