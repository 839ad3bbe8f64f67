from django.contrib import admin
from django.db.models import Count

from lalisa.readonly_admin import ReadOnly
from lalisa.regions.models import Desa, Kecamatan

REFERENCE_NOTE = (
    "Kode dan nama berasal dari data Kemendagri yang dibawa aplikasi dan tidak diubah di sini. "
    "Titik tengah (lintang/bujur) hanya perkiraan: silakan perbaiki bila perlu; pembaruan data "
    "wilayah tidak menimpanya."
)


class DesaInline(ReadOnly, admin.TabularInline):
    model = Desa
    fields = ("code", "name", "kind")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False


@admin.register(Kecamatan)
class KecamatanAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "lat", "lng", "desa_count")
    search_fields = ("name", "code")
    # The loader renames from the reference data; only the centre is the superadmin's.
    readonly_fields = ("code", "name")
    fieldsets = [(None, {"fields": ("code", "name", "lat", "lng"), "description": REFERENCE_NOTE})]
    inlines = [DesaInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(desa_total=Count("desa"))

    @admin.display(description="jumlah desa/kelurahan", ordering="desa_total")
    def desa_count(self, obj):
        return obj.desa_total

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Desa)
class DesaAdmin(ReadOnly, admin.ModelAdmin):
    """Reference data: looked up, never edited."""

    list_display = ("name", "kind", "kecamatan", "code")
    list_filter = ("kecamatan", "kind")
    list_select_related = ("kecamatan",)
    search_fields = ("name", "code")
