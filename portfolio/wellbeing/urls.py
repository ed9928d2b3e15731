"""The wellbeing plan."""

from django.urls import path

from portfolio.wellbeing import adjustment_views, views

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
    path(
        "apprenticeships/<int:pk>/adjustments/",
        adjustment_views.adjustment_list,
        name="adjustment-list",
    ),
    path("adjustments/<int:pk>/agree/", adjustment_views.adjustment_agree, name="adjustment-agree"),
    path(
        "adjustments/<int:pk>/decide/",
        adjustment_views.adjustment_decide,
        name="adjustment-decide",
    ),
]
