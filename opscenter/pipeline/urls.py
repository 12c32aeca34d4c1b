from django.urls import path

from opscenter.pipeline import views
from opscenter.pipeline.views.handover import staff_hand_over_view

app_name = "pipeline"
urlpatterns = [
    path("", views.customer_list, name="customer_list"),
    path("export.xlsx", views.customer_export, name="customer_export"),
    path("customers/bulk/", views.customer_bulk, name="customer_bulk"),
    path("customers/new/", views.customer_register, name="customer_register"),
    path("customers/<int:customer_id>/", views.customer_detail, name="customer_detail"),
    path("customers/<int:customer_id>/edit/", views.customer_edit, name="customer_edit"),
    path("deals/<int:deal_id>/cancel/", views.deal_cancel, name="deal_cancel"),
    path("customers/<int:customer_id>/claim/", views.customer_claim, name="customer_claim"),
    path(
        "customers/<int:customer_id>/consultations/new/", views.consultation_quick, name="consultation_quick"
    ),
    path("customers/<int:customer_id>/visits/new/", views.visit_quick, name="visit_quick"),
    path("customers/<int:customer_id>/appointments/new/", views.appointment_book, name="appointment_book"),
    path("customers/<int:customer_id>/deals/new/", views.deal_record, name="deal_record"),
    path("customers/<int:customer_id>/followups/new/", views.followup_schedule, name="followup_schedule"),
    path("customers/<int:customer_id>/exit/", views.exit_record, name="exit_record"),
    path("customers/<int:customer_id>/reassign/", views.customer_reassign, name="customer_reassign"),
    path("customers/<int:customer_id>/assessments/new/", views.assessment_record, name="assessment_record"),
    path(
        "assessments/<int:assessment_id>/second-opinion/",
        views.assessment_second_opinion,
        name="assessment_second_opinion",
    ),
    path("assessments/<int:assessment_id>/resolve/", views.assessment_resolve, name="assessment_resolve"),
    path(
        "appointments/<int:appointment_id>/status/",
        views.appointment_transition,
        name="appointment_transition",
    ),
    path("visits/<int:visit_id>/triage/", views.visit_triage, name="visit_triage"),
    path("appointments/", views.appointment_calendar, name="appointment_calendar"),
    path("visits/", views.visit_list, name="visit_list"),
    path("deals/", views.deal_list, name="deal_list"),
    path("assessments/awaiting-ruling/", views.assessment_queue, name="assessment_queue"),
    path("followups/", views.followups_due, name="followups_due"),
    path("followups/rows/", views.followup_rows, name="followup_rows"),
    path("followups/<int:followup_id>/complete/", views.followup_complete, name="followup_complete"),
    path("funnel/", views.funnel, name="funnel"),
    path("funnel/data.json", views.funnel_data, name="funnel_data"),
    path("funnel/rows/", views.funnel_rows, name="funnel_rows"),
    path("staff/<int:staff_id>/hand-over/", staff_hand_over_view, name="staff_hand_over"),
]
