from django.urls import path

from opscenter.appraisal import views

app_name = "appraisal"
urlpatterns = [
    path("", views.appraisal_list, name="appraisal_list"),
    path("queue/", views.appraiser_queue, name="queue"),
    path("run/", views.period_run, name="period_run"),
    path("runs/<int:run_id>/", views.run_status, name="run_status"),
    path("periods/<str:label>/", views.period_detail, name="period_detail"),
    path("periods/<str:label>/publish/", views.period_publish, name="period_publish"),
    path("periods/<str:label>/export.xlsx", views.period_export, name="period_export"),
    path("periods/<str:label>/partner-grades/", views.period_partner_grades, name="period_partner_grades"),
    path("a/<int:appraisal_id>/", views.statement, name="statement"),
    path("a/<int:appraisal_id>/export.xlsx", views.statement_export, name="statement_export"),
    path("a/<int:appraisal_id>/events/", views.rule_event_add, name="rule_event_add"),
    path("a/<int:appraisal_id>/interview/", views.interview_record, name="interview_record"),
    path("scores/<int:item_score_id>/enter/", views.item_score_enter, name="item_score_enter"),
    path("scores/<int:item_score_id>/appeal/", views.appeal_file, name="appeal_file"),
    path("appeals/<int:appeal_id>/decide/", views.appeal_decide, name="appeal_decide"),
    path("scorecards/", views.scorecard_list, name="scorecard_list"),
    path("scorecards/<int:scorecard_id>/", views.scorecard_detail, name="scorecard_detail"),
    path("scorecards/<int:scorecard_id>/bands/", views.scorecard_bands, name="scorecard_bands"),
    path("scorecards/<int:scorecard_id>/publish/", views.scorecard_publish, name="scorecard_publish"),
    path(
        "scorecards/<int:scorecard_id>/new-version/",
        views.scorecard_new_version,
        name="scorecard_new_version",
    ),
    path("scorecards/<int:scorecard_id>/what-if/", views.scorecard_whatif, name="scorecard_whatif"),
    path(
        "scorecards/<int:scorecard_id>/items/<int:item_id>/delete/",
        views.scorecard_item_delete,
        name="scorecard_item_delete",
    ),
    path(
        "scorecards/<int:scorecard_id>/rules/<int:rule_id>/delete/",
        views.scorecard_rule_delete,
        name="scorecard_rule_delete",
    ),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/<int:plan_id>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:plan_id>/payout/", views.payout_compute, name="payout_compute"),
    path("payouts/<int:payout_id>/", views.payout_detail, name="payout_detail"),
    path("payouts/<int:payout_id>/publish/", views.payout_publish, name="payout_publish"),
    path("payouts/<int:payout_id>/export.xlsx", views.payout_export, name="payout_export"),
    path("payouts/<int:payout_id>/leave/", views.staff_leave, name="staff_leave"),
    path("partners/", views.partner_list, name="partner_list"),
    path("partners/<int:partner_id>/", views.partner_detail, name="partner_detail"),
    path("referrals/", views.referral_list, name="referral_list"),
    path("referrals/new/", views.referral_record, name="referral_record"),
    path("referrals/<int:referral_id>/withdraw/", views.referral_withdraw, name="referral_withdraw"),
]
