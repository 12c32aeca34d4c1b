from django.contrib import admin

from opscenter.scheduler.models import ScheduledJob, ScheduledRun


@admin.register(ScheduledJob)
class ScheduledJobAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "label",
        "enabled",
        "cadence_kind",
        "interval_minutes",
        "at_time",
        "next_due_at",
        "last_run_at",
        "last_status",
    )
    list_filter = ("enabled", "cadence_kind", "last_status")
    readonly_fields = (
        "code",
        "target",
        "next_due_at",
        "last_run_at",
        "last_status",
        "last_message",
        "registered",
        "version",
    )


@admin.register(ScheduledRun)
class ScheduledRunAdmin(admin.ModelAdmin):
    list_display = ("job", "due_at", "manual", "status", "worker", "started_at", "finished_at")
    list_filter = ("status", "manual")
    readonly_fields = [f.name for f in ScheduledRun._meta.fields]
