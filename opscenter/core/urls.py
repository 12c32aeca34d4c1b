from django.urls import path

from opscenter.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("home/staff-chart.json", views.home_staff_chart, name="home_staff_chart"),
    path("settings/language/", views.set_language, name="set_language"),
    path("settings/password/", views.password_change, name="password_change"),
    path("settings/tokens/", views.token_list, name="token_list"),
    path("settings/tokens/new/", views.token_create, name="token_create"),
    path("settings/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("settings/filters/new/", views.saved_filter_save, name="saved_filter_save"),
    path(
        "settings/filters/<int:saved_filter_id>/delete/",
        views.saved_filter_delete,
        name="saved_filter_delete",
    ),
]
