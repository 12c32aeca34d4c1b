from django.contrib import admin

from opscenter.reports.models import Report, ReportSubscription


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("site", "kind", "label", "department", "status", "published_at")
    list_filter = ("kind", "status", "site")
    readonly_fields = ("snapshot", "data_as_of", "published_at")


@admin.register(ReportSubscription)
class ReportSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("site", "kind")
    filter_horizontal = ("recipients",)
