from django.urls import path

from opscenter.workday import views

app_name = "workday"
urlpatterns = [
    path("", views.today, name="today"),
    path("submissions/", views.submission_list, name="submission_list"),
    path("submissions/<int:submission_id>/", views.submission_detail, name="submission_detail"),
    path("submissions/<int:submission_id>/submit/", views.submission_submit, name="submission_submit"),
    path("submissions/<int:submission_id>/review/", views.submission_review, name="submission_review"),
    path("submissions/<int:submission_id>/reopen/", views.submission_reopen, name="submission_reopen"),
    path("grid/", views.grid, name="grid"),
    path("templates/", views.template_list, name="template_list"),
    path("templates/new/", views.template_create, name="template_create"),
    path("templates/<int:template_id>/", views.template_detail, name="template_detail"),
    path("templates/<int:template_id>/edit/", views.template_edit, name="template_edit"),
    path("templates/<int:template_id>/draft/", views.template_draft, name="template_draft"),
    path(
        "templates/<int:template_id>/versions/<int:version_id>/publish/",
        views.template_version_publish,
        name="template_version_publish",
    ),
    path(
        "templates/<int:template_id>/versions/<int:version_id>/discard/",
        views.template_version_discard,
        name="template_version_discard",
    ),
    path("log/", views.work_log, name="work_log"),
    path("visits/", views.outbound_visits, name="outbound_visits"),
    path("cards/", views.cards, name="cards"),
    path("cards/<int:card_id>/use/", views.card_use, name="card_use"),
    path("announcements/", views.announcement_list, name="announcement_list"),
    path("announcements/new/", views.announcement_create, name="announcement_create"),
    path("announcements/<int:announcement_id>/", views.announcement_detail, name="announcement_detail"),
]
