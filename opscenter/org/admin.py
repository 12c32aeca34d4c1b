from django.contrib import admin

from opscenter.org.models import Department, Liaison, Position, Site, Staff, Team


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "city", "ownership_protection_days", "is_active")
    search_fields = ("code", "name")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "site", "kind", "manager")
    list_filter = ("site", "kind")
    search_fields = ("name",)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "department", "territory", "leader")
    list_filter = ("department__site",)


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ("name", "is_manager")


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ("employee_no", "name", "department", "team", "position", "is_active")
    list_filter = ("department__site", "department", "is_active")
    search_fields = ("employee_no", "name", "phone")
    filter_horizontal = ("extra_sites",)
    raw_id_fields = ("user",)


@admin.register(Liaison)
class LiaisonAdmin(admin.ModelAdmin):
    list_display = ("department", "staff", "since")
