from django.urls import path

from opscenter.targets import views

app_name = "targets"
urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("new/", views.plan_create, name="plan_create"),
    path("plans/<int:plan_id>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:plan_id>/split/", views.plan_split, name="plan_split"),
    path(
        "plans/<int:plan_id>/metrics/<int:metric_id>/sync/", views.plan_sync_annual, name="plan_sync_annual"
    ),
    path("plans/<int:plan_id>/activate/", views.plan_activate, name="plan_activate"),
    path("plans/<int:plan_id>/revise/", views.plan_revise, name="plan_revise"),
    path("plans/<int:plan_id>/solve/", views.plan_solve, name="plan_solve"),
    path("plans/<int:plan_id>/solve/data.json", views.plan_solve_data, name="plan_solve_data"),
    path("plans/<int:plan_id>/progress/", views.plan_progress_view, name="plan_progress"),
    path("plans/<int:plan_id>/progress/data.json", views.plan_progress_data, name="plan_progress_data"),
    path("allocations/<int:allocation_id>/", views.allocation_edit, name="allocation_edit"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read/", views.notification_read, name="notification_read"),
]
