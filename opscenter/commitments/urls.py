from django.urls import path

from opscenter.commitments import views

app_name = "commitments"
urlpatterns = [
    path("", views.work_order_list, name="work_order_list"),
    path("work-orders/new/", views.work_order_create, name="work_order_create"),
    path("work-orders/<int:work_order_id>/", views.work_order_detail, name="work_order_detail"),
    path(
        "work-orders/<int:work_order_id>/transition/",
        views.work_order_transition,
        name="work_order_transition",
    ),
    path("work-orders/<int:work_order_id>/comment/", views.work_order_comment, name="work_order_comment"),
    path("work-orders/<int:work_order_id>/due/", views.work_order_due, name="work_order_due"),
    path("work-orders/<int:work_order_id>/attach/", views.work_order_attach, name="work_order_attach"),
    path(
        "work-orders/<int:work_order_id>/attachments/<int:attachment_id>/",
        views.work_order_attachment,
        name="work_order_attachment",
    ),
    path("complaints/", views.complaint_list, name="complaint_list"),
    path("complaints/new/", views.complaint_create, name="complaint_create"),
    path("monitor/", views.monitor, name="monitor"),
    path("monitor/data.json", views.monitor_data, name="monitor_data"),
    path("stages/", views.stage_list, name="stage_list"),
    path("measurements/<int:measurement_id>/", views.measurement_detail, name="measurement_detail"),
    path("trees/", views.tree_list, name="tree_list"),
    path("trees/<int:tree_id>/", views.tree_detail, name="tree_detail"),
    path("trees/<int:tree_id>/activate/", views.tree_activate, name="tree_activate"),
    path("trees/<int:tree_id>/revise/", views.tree_revise, name="tree_revise"),
    path(
        "trees/<int:tree_id>/commitments/<int:commitment_id>/", views.commitment_edit, name="commitment_edit"
    ),
    path(
        "trees/<int:tree_id>/commitments/<int:commitment_id>/remove/",
        views.commitment_remove,
        name="commitment_remove",
    ),
    path("perception-points/", views.perception_point_list, name="perception_point_list"),
    path("perception-points/<int:point_id>/", views.perception_point_edit, name="perception_point_edit"),
    path("anomalies/", views.anomaly_rule_list, name="anomaly_rule_list"),
    path("report/", views.report_view, name="report"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/<int:meeting_id>/", views.meeting_detail, name="meeting_detail"),
]
