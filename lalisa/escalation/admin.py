from django.contrib import admin

from lalisa.escalation.models import Escalation
from lalisa.readonly_admin import ReadOnly


@admin.register(Escalation)
class EscalationAdmin(ReadOnly, admin.ModelAdmin):
    """Warnings the service sent about late complaints; written by the escalation job."""

    list_display = ("created_at", "complaint", "kind", "dispatch", "recipients")
    list_filter = ("kind",)
    list_select_related = ("complaint", "dispatch__team")
    search_fields = ("complaint__code",)
    raw_id_fields = ("complaint", "dispatch")
