from django.urls import path

from opscenter.care.views import admissions, incidents, risks, settings, stays

app_name = "care"

urlpatterns = [
    path("", stays.home, name="home"),
    path("census/", stays.census, name="census"),
    path("census/data/", stays.census_data, name="census_data"),
    path("residents/", stays.resident_list, name="resident_list"),
    path("residents/admit/", stays.resident_admit, name="resident_admit"),
    path("residents/<int:residency_id>/", stays.resident_detail, name="resident_detail"),
    path("residents/<int:residency_id>/transfer/", stays.resident_transfer, name="resident_transfer"),
    path("residents/<int:residency_id>/discharge/", stays.resident_discharge, name="resident_discharge"),
    path("residents/<int:residency_id>/risk/<str:kind>/", stays.risk_assess, name="risk_assess"),
    path("risks/<int:risk_id>/measures/", stays.measure_add, name="measure_add"),
    path("risks/due/", risks.due_reviews, name="due_reviews"),
    path("risks/summary/", risks.risk_summary, name="risk_summary"),
    path("risks/measures/", risks.measure_list, name="measure_list"),
    path("risks/measures/<int:measure_id>/done/", risks.measure_done, name="measure_done"),
    path("admissions/", admissions.admission_list, name="admission_list"),
    path("admissions/new/", admissions.admission_create, name="admission_create"),
    path("admissions/<int:request_id>/", admissions.admission_detail, name="admission_detail"),
    path("admissions/disagreements/", admissions.disagreements, name="disagreements"),
    path("incidents/", incidents.incident_list, name="incident_list"),
    path("incidents/new/", incidents.incident_create, name="incident_create"),
    path("incidents/<int:incident_id>/", incidents.incident_detail, name="incident_detail"),
    path("incidents/rates/", incidents.incident_rates, name="incident_rates"),
    path("incidents/rates/data/", incidents.incident_rates_data, name="incident_rates_data"),
    path("setup/", settings.setup, name="setup"),
]
