from django.urls import path

from opscenter.marketing import views

app_name = "marketing"
urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:campaign_id>/", views.campaign_detail, name="campaign_detail"),
    path(
        "campaigns/<int:campaign_id>/<str:action>/",
        views.campaign_action,
        name="campaign_action",
    ),
    path("landing/", views.landing, name="landing"),
    path("roi/", views.roi, name="roi"),
    path("roi/data.json", views.roi_data, name="roi_data"),
    path("roi/rows/", views.roi_rows, name="roi_rows"),
    path("costs/", views.cost_line_list, name="cost_line_list"),
    path("costs/<int:cost_line_id>/reverse/", views.cost_line_reverse, name="cost_line_reverse"),
    path("budget/", views.budget, name="budget"),
    path("partners/", views.partner_list, name="partner_list"),
    path("partners/<int:partner_id>/", views.partner_detail, name="partner_detail"),
    path("partners/<int:partner_id>/<str:action>/", views.partner_action, name="partner_action"),
    path("statements/<int:statement_id>/", views.statement_detail, name="statement_detail"),
    path("statements/<int:statement_id>/confirm/", views.statement_confirm, name="statement_confirm"),
    path("tours/", views.tour_list, name="tour_list"),
    path("content/", views.content_list, name="content_list"),
    path("content/data.json", views.content_data, name="content_data"),
    path("grading/", views.grading, name="grading"),
]
