"""Admin for the reference data of the commitments app (perception points, anomaly rules). Trees,
work orders and measurements change only through their services (versions, transitions), so they
are read-only here."""

from django.contrib import admin

from opscenter.commitments.models import AnomalyRule, CommitmentTree, PerceptionPoint, WorkOrder


@admin.register(PerceptionPoint)
class PerceptionPointAdmin(admin.ModelAdmin):
    list_display = ("touchpoint", "perception", "site", "importance", "satisfaction_pct", "is_example")
    list_filter = ("site",)


@admin.register(AnomalyRule)
class AnomalyRuleAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "site",
        "metric",
        "grain",
        "period",
        "comparison",
        "bound",
        "consecutive",
        "is_active",
    )
    list_filter = ("site", "is_active")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CommitmentTree)
class CommitmentTreeAdmin(ReadOnlyAdmin):
    list_display = ("name", "site", "family", "version", "status", "is_example")
    list_filter = ("site", "status")


@admin.register(WorkOrder)
class WorkOrderAdmin(ReadOnlyAdmin):
    list_display = ("pk", "title", "site", "department", "source", "status", "due_at")
    list_filter = ("site", "status", "source")
