"""Internal quality assurance URLs, included by quality/urls.py under iqa/."""

from django.urls import path

from quality.iqa import views

urlpatterns = [
    path("providers/<int:pk>/leads/", views.leads, name="iqa-leads"),
    path("providers/<int:pk>/report/", views.report, name="iqa-report"),
    path("providers/<int:pk>/report.csv", views.report_csv, name="iqa-report-csv"),
    path("providers/<int:pk>/report.pdf", views.report_pdf, name="iqa-report-pdf"),
    path("plans/", views.plan_list, name="iqa-plan-list"),
    path("plans/new/", views.plan_add, name="iqa-plan-add"),
    path("plans/<int:pk>/", views.plan_detail, name="iqa-plan"),
    path("plans/<int:pk>/draw/", views.plan_draw, name="iqa-plan-draw"),
    path("plans/<int:pk>/add/", views.plan_add_item, name="iqa-plan-add-item"),
    path("items/<int:pk>/", views.item_detail, name="iqa-item"),
    path("items/<int:pk>/files/<int:file_pk>/", views.item_file, name="iqa-item-file"),
    path("items/<int:pk>/follow-up/", views.item_follow_up, name="iqa-item-follow-up"),
    path("follow-ups/", views.follow_up_list, name="iqa-follow-ups"),
]
