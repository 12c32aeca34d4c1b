from django.contrib import admin

from opscenter.workday.models import (
    Announcement,
    CardIssue,
    OutboundVisit,
    Submission,
    SubmissionTemplate,
    WorkLog,
)


@admin.register(SubmissionTemplate)
class SubmissionTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "site", "schedule_kind", "due_time", "weekday", "business_day", "is_active")
    list_filter = ("site", "schedule_kind")


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("template", "staff", "period", "due_at", "status", "late")
    list_filter = ("status", "late")
    raw_id_fields = ("template", "staff", "reviewer")


admin.site.register(WorkLog)
admin.site.register(OutboundVisit)
admin.site.register(CardIssue)
admin.site.register(Announcement)
