from django.urls import path

from opscenter.clinic import views, views_loyalty

app_name = "clinic"

urlpatterns = [
    path("", views.home, name="home"),
    path("quotes/new/", views.quote_create, name="quote_create"),
    path("quotes/<int:pk>/", views.quote_detail, name="quote_detail"),
    path("quotes/<int:pk>/print/", views.quote_print, name="quote_print"),
    path("quotes/<int:pk>/accept/", views.quote_accept, name="quote_accept"),
    path("packages/<int:pk>/", views.package_detail, name="package_detail"),
    path("packages/<int:pk>/consume/", views.session_consume, name="session_consume"),
    path("clinical/", views.clinical_queue, name="clinical_queue"),
    path("clinical/<int:pk>/answer/", views.clinical_answer, name="clinical_answer"),
    path("clinical/ask/<int:customer_id>/", views.clinical_ask, name="clinical_ask"),
    path("customers/<int:customer_id>/", views.customer_clinic, name="customer_clinic"),
    path("credited/", views.credited_rows, name="credited_rows"),
    path("customers/<int:customer_id>/refund/", views.refund_record, name="refund_record"),
    path("customers/<int:customer_id>/points/redeem/", views_loyalty.points_redeem, name="points_redeem"),
    path("customers/<int:customer_id>/points/grant/", views_loyalty.points_grant, name="points_grant"),
    path("gifts/", views_loyalty.gift_list, name="gift_list"),
    path("gifts/new/", views_loyalty.gift_create, name="gift_create"),
    path("gifts/<int:pk>/", views_loyalty.gift_detail, name="gift_detail"),
    path("points-rules/", views_loyalty.points_rules, name="points_rules"),
    path("funnel/", views_loyalty.quote_funnel, name="quote_funnel"),
    path("funnel/quotes/", views_loyalty.quote_rows, name="quote_rows"),
]
