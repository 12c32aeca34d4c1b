"""Django admin for the pipeline: the editable lists (channels, exit reasons) and read-mostly records.

Business writes go through the services (screens and API); the admin is for administrators to fix
lists and look at rows. Funnel event rows are shown read-only so their denormalized columns stay
consistent with the customer.
"""

from django.contrib import admin

from opscenter.pipeline.models import (
    Appointment,
    Assessment,
    Channel,
    Consultation,
    Customer,
    Deal,
    DealLine,
    Exit,
    ExitReason,
    FollowUp,
    OwnershipChange,
    Transaction,
    Visit,
)


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "site", "partner", "sort_order", "is_active")
    list_filter = ("kind", "site", "is_active")
    search_fields = ("name", "partner")


@admin.register(ExitReason)
class ExitReasonAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "sort_order", "is_active")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by services: viewable, not editable here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    list_display = ("name", "phone", "site", "status", "channel_kind", "owner", "cohort_month", "is_deleted")
    list_filter = ("site", "status", "channel_kind", "is_deleted")
    search_fields = ("name", "phone")
    list_select_related = ("site", "owner")


@admin.register(OwnershipChange)
class OwnershipChangeAdmin(ReadOnlyAdmin):
    list_display = ("customer", "kind", "from_owner", "to_owner", "reason", "changed_by", "changed_at")
    list_filter = ("kind",)
    list_select_related = ("customer", "from_owner", "to_owner", "changed_by")


@admin.register(Consultation)
class ConsultationAdmin(ReadOnlyAdmin):
    list_display = ("customer", "mode", "staff", "occurred_at", "month", "cohort_month", "is_first")
    list_filter = ("site", "mode")
    list_select_related = ("customer", "staff")


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin):
    list_display = ("customer", "mode", "status", "booked_at", "scheduled_for")
    list_filter = ("site", "mode", "status")
    list_select_related = ("customer",)


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ("customer", "source", "kind", "arrived_at", "onsite_consultant", "outcome")
    list_filter = ("site", "source", "outcome")
    list_select_related = ("customer", "onsite_consultant")


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ("customer", "assessor", "assessor_role", "zone", "second_opinion_of", "resolved_zone")
    list_filter = ("site", "zone", "assessor_role")
    list_select_related = ("customer", "assessor")


class DealLineInline(admin.TabularInline):
    model = DealLine
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Deal)
class DealAdmin(ReadOnlyAdmin):
    list_display = (
        "customer",
        "signed_on",
        "amount_fen",
        "status",
        "stay_type",
        "is_new_customer",
        "consultant",
    )
    list_filter = ("site", "status", "stay_type")
    list_select_related = ("customer", "consultant")
    inlines = [DealLineInline]


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    list_display = ("customer", "occurred_on", "item", "category", "sessions", "amount_fen", "kind")
    list_filter = ("site", "category", "kind")
    list_select_related = ("customer",)


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdmin):
    list_display = ("customer", "scheduled_on", "done_on", "outcome", "satisfaction", "staff")
    list_filter = ("site", "outcome", "satisfaction")
    list_select_related = ("customer", "staff")


@admin.register(Exit)
class ExitAdmin(ReadOnlyAdmin):
    list_display = ("customer", "exited_on", "reason")
    list_filter = ("site", "reason")
    list_select_related = ("customer", "reason")
