from django.urls import path

from opscenter.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("export.xlsx", views.job_export, name="job_export"),
    path("new/", views.job_upload, name="job_upload"),
    path("<int:job_id>/", views.job_detail, name="job_detail"),
    path("<int:job_id>/progress/", views.job_progress, name="job_progress"),
    path("<int:job_id>/mapping/", views.job_mapping, name="job_mapping"),
    path("<int:job_id>/validate/", views.job_validate, name="job_validate"),
    path("<int:job_id>/commit/", views.job_commit, name="job_commit"),
    path("<int:job_id>/undo/", views.job_undo, name="job_undo"),
    path(
        "<int:job_id>/followups/<int:followup_id>/retry/", views.job_followup_retry, name="job_followup_retry"
    ),
    path("<int:job_id>/cancel/", views.job_cancel, name="job_cancel"),
    path("<int:job_id>/delete/", views.job_delete, name="job_delete"),
    path("<int:job_id>/rejects.xlsx", views.job_rejects, name="job_rejects"),
    path("templates/<slug:kind>.xlsx", views.kind_template, name="kind_template"),
]
