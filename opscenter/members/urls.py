from django.urls import path

from opscenter.members import views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="member_list"),
    path("customers/<int:customer_id>/", views.member_detail, name="member_detail"),
    path("customers/<int:customer_id>/disputes/new/", views.dispute_open, name="dispute_open"),
    path("disputes/", views.dispute_list, name="dispute_list"),
    path("disputes/<int:dispute_id>/settle/", views.dispute_settle, name="dispute_settle"),
    path("rules/", views.ruleset_list, name="ruleset_list"),
    path("rules/new/", views.ruleset_new, name="ruleset_new"),
    path("rules/<int:rule_set_id>/", views.ruleset_edit, name="ruleset_edit"),
    path("rules/<int:rule_set_id>/preview/", views.ruleset_preview, name="ruleset_preview"),
    path("rules/<int:rule_set_id>/activate/", views.ruleset_activate, name="ruleset_activate"),
    path("care/", views.caretask_list, name="caretask_list"),
    path("upgrades/", views.tier_upgrade_list, name="tier_upgrade_list"),
    path("care/<int:task_id>/close/", views.caretask_close, name="caretask_close"),
    path("care/completion/", views.care_completion, name="care_completion"),
]
