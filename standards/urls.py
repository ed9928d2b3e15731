from django.urls import path

from standards import views

app_name = "standards"

urlpatterns = [
    path("", views.standard_list, name="standard-list"),
    path("import/", views.standard_import, name="standard-import"),
    path("<int:pk>/", views.standard_detail, name="standard-detail"),
    path("frameworks/<int:pk>/", views.framework_detail, name="framework-detail"),
]
