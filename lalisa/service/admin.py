from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse

from lalisa.service.models import EmergencyNumber, ServiceProfile


@admin.register(ServiceProfile)
class ServiceProfileAdmin(admin.ModelAdmin):
    """One row: the public face of the service. Credentials stay in the environment."""

    list_display = ("service_name", "agency_name", "whatsapp_number")
    fieldsets = [
        (None, {"fields": ("agency_name", "service_name", "whatsapp_number", "service_hours")}),
        ("Kantor", {"fields": ("address", "office_lat", "office_lng")}),
        ("Privasi", {"fields": ("privacy_url",)}),
        ("Laporan bulanan", {"fields": ("head_name", "head_nip", "signing_place")}),
        (
            "Aduan serupa",
            {
                "fields": ("duplicate_radius_m", "duplicate_window_hours"),
                "description": "Warga yang melapor hal yang sama di dekat aduan yang masih "
                "terbuka ditawari bergabung sebagai pendukung, bukan membuat aduan baru. "
                "Aduan rahasia tidak pernah ditawarkan.",
            },
        ),
    ]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not ServiceProfile.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        # A list of one row is a detour: open the row itself.
        profile = ServiceProfile.objects.order_by("pk").first()
        if profile is not None and self.has_view_or_change_permission(request, profile):
            return redirect(reverse("admin:service_serviceprofile_change", args=[profile.pk]))
        return super().changelist_view(request, extra_context)


@admin.register(EmergencyNumber)
class EmergencyNumberAdmin(admin.ModelAdmin):
    list_display = ("name", "number", "order")
    list_editable = ("number", "order")
    search_fields = ("name", "number")
