"""Admin for import jobs: read-only (jobs move through the services, never by hand)."""

from django.contrib import admin

from opscenter.imports.models import ColumnMapping, ImportChange, ImportJob, ImportRowError


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class RowErrorInline(admin.TabularInline):
    model = ImportRowError
    fields = ("row_no", "column", "value", "message")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "kind",
        "site",
        "original_filename",
        "status",
        "rows_total",
        "rows_error",
        "rows_created",
        "created_by",
        "created_at",
    )
    list_filter = ("kind", "status", "site")
    search_fields = ("original_filename", "sha256")
    list_select_related = ("site", "created_by")
    inlines = [RowErrorInline]


@admin.register(ImportChange)
class ImportChangeAdmin(ReadOnlyAdmin):
    list_display = ("job", "model", "object_id", "created")
    list_filter = ("model", "created")


@admin.register(ColumnMapping)
class ColumnMappingAdmin(admin.ModelAdmin):
    list_display = ("kind", "site", "updated_by", "updated_at")
    list_select_related = ("site", "updated_by")
