"""Admin for the call center's reference data: queues (SL threshold and target, short-abandon
threshold) and the editable list of business types. Calls, QA scores and scorecards change only
through their services (idempotent feeds, versions), so they are read-only here."""

from django.contrib import admin

from opscenter.callcenter.models import Call, Disposition, QaScorecard, Queue


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "code",
        "site",
        "hotline",
        "sl_seconds",
        "sl_target",
        "short_abandon_seconds",
        "is_active",
    )
    list_filter = ("site", "is_active")


@admin.register(Disposition)
class DispositionAdmin(admin.ModelAdmin):
    list_display = ("name", "site", "position", "opens_complaint", "is_active")
    list_filter = ("site", "is_active")
    list_editable = ("position", "opens_complaint", "is_active")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Call)
class CallAdmin(ReadOnlyAdmin):
    list_display = ("telephony_id", "queue", "arrived_at", "outcome", "agent")
    list_filter = ("site", "outcome")
    search_fields = ("telephony_id",)
    raw_id_fields = ("parent", "customer")


@admin.register(QaScorecard)
class QaScorecardAdmin(ReadOnlyAdmin):
    list_display = ("name", "family", "version", "site", "is_active")
