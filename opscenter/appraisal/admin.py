from django.contrib import admin

from opscenter.appraisal.models import Partner, PartnerContract


class PartnerContractInline(admin.TabularInline):
    model = PartnerContract
    extra = 0


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "site", "kind", "grade", "is_active"]
    list_filter = ["site", "kind", "grade"]
    search_fields = ["name"]
    inlines = [PartnerContractInline]
