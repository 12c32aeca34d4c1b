from django.urls import path

from opscenter.org import views

app_name = "org"
urlpatterns = [
    path("", views.org_chart, name="org_chart"),
    path("staff/<int:staff_id>/", views.staff_detail, name="staff_detail"),
]
