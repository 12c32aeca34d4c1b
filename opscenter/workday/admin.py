from django.contrib import admin

from opscenter.workday.models import (
    Announcement,
    CardIssue,
    OutboundVisit,
    Submission,
    SubmissionTemplate,
    SubmissionTemplateVersion,
    WorkLog,
)


class VersionInline(admin.TabularInline):
    """Versions are read here; they are drafted and published on the template page."""

    model = SubmissionTemplateVersion
    fields = ("number", "status", "effective_from", "schedule_kind", "due_time", "weekday", "business_day")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(SubmissionTemplate)
class SubmissionTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "site", "is_active", "revision")
    list_filter = ("site",)
    inlines = [VersionInline]


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("template", "staff", "period", "due_at", "status", "late")
    list_filter = ("status", "late")
    raw_id_fields = ("template", "template_version", "staff", "reviewer")


admin.site.register(WorkLog)
admin.site.register(OutboundVisit)
admin.site.register(CardIssue)
admin.site.register(Announcement)
