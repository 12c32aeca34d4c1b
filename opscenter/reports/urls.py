from django.urls import path

from opscenter.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("cockpit/", views.cockpit, name="cockpit"),
    path("<int:report_id>/", views.report_detail, name="report_detail"),
    path("<int:report_id>/narrative/", views.report_narrative, name="report_narrative"),
    path("<int:report_id>/publish/", views.report_publish, name="report_publish"),
    path("<int:report_id>/report.xlsx", views.report_xlsx_view, name="report_xlsx"),
    path("<int:report_id>/report.pdf", views.report_pdf_view, name="report_pdf"),
]
