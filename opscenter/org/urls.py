from django.urls import path

from opscenter.org import views

app_name = "org"
urlpatterns = [
    path("", views.org_chart, name="org_chart"),
    path("departments/<int:department_id>/liaison/", views.liaison_assign, name="liaison_assign"),
    path("staff/export.xlsx", views.staff_export, name="staff_export"),
    path("staff/<int:staff_id>/", views.staff_detail, name="staff_detail"),
    path("workforce/", views.workforce, name="workforce"),
    path("workforce/rows/", views.workforce_rows, name="workforce_rows"),
    path("staff/<int:staff_id>/password/", views.staff_password_reset, name="staff_password_reset"),
]
