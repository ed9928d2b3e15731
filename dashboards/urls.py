from django.urls import path

from dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.home, name="home"),
    path("overview/", views.overview, name="overview"),
    path("overview/jobs/<int:pk>/retry/", views.job_retry, name="job-retry"),
    path("caseload/", views.caseload, name="caseload"),
    path("my-apprentices/", views.employer_home, name="employer-home"),
    path("assigned/", views.assessor_home, name="assessor-home"),
    path("iqa/", views.iqa_home, name="iqa-home"),
    path("my-apprenticeships/", views.my_apprenticeships, name="my-apprenticeships"),
    path("apprenticeships/<int:pk>/", views.apprenticeship_detail, name="apprenticeship-detail"),
]
