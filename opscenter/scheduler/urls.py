from django.urls import path

from opscenter.scheduler import views

app_name = "scheduler"

urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("<int:job_id>/", views.job_edit, name="job_edit"),
    path("<int:job_id>/run/", views.job_run, name="job_run"),
]
