"""Setup only: categories and outcomes. Complaints, reporters, events, dispatches and ratings
are not registered — their state changes only through lalisa.complaints.workflow."""

from django.contrib import admin

from lalisa import access, redact
from lalisa.complaints.models import Category, Outcome, ReporterBlock
from lalisa.readonly_admin import (
    OfferedFiltersOnly,
    ReadOnly,
    ViewerAware,
    disclosure,
    for_viewer,
)

CODE_HELP = "Kode tetap setelah disimpan, karena dipakai sistem dan laporan."


class CodedAdmin(admin.ModelAdmin):
    search_fields = ("code", "name")
    list_filter = ("active",)
    list_editable = ("order", "active")

    def get_readonly_fields(self, request, obj=None):
        # Codes are referenced by the bot, the API and reports: fixed once saved.
        return ("code",) if obj is not None else ()

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "code" in form.base_fields:
            form.base_fields["code"].help_text = CODE_HELP
        return form


@admin.register(Category)
class CategoryAdmin(CodedAdmin):
    list_display = ("name", "code", "default_priority", "order", "active")
    list_filter = ("active", "default_priority")
    search_fields = ("code", "name", "keywords")
    fieldsets = [
        (
            None,
            {
                "fields": ("code", "name", "description", "default_priority", "order", "active"),
                "description": "Kategori yang tidak aktif tidak ditawarkan untuk aduan baru; "
                "aduan lama tetap memakainya. Nonaktifkan daripada menghapus.",
            },
        ),
        (
            "Pengenalan oleh bot",
            {
                "fields": ("keywords",),
                "description": "Bot WhatsApp mengenali kategori aduan dari kata-kata ini "
                "dalam pesan warga.",
            },
        ),
    ]


@admin.register(Outcome)
class OutcomeAdmin(CodedAdmin):
    list_display = ("name", "code", "order", "active")
    fieldsets = [
        (
            None,
            {
                "fields": ("code", "name", "order", "active"),
                "description": "Pilihan hasil penanganan yang dilaporkan tim TRC. Hasil yang "
                "tidak aktif tidak ditawarkan lagi; nonaktifkan daripada menghapus.",
            },
        )
    ]


@admin.register(ReporterBlock)
class ReporterBlockAdmin(ViewerAware, OfferedFiltersOnly, ReadOnly, admin.ModelAdmin):
    """The log of blocked numbers: written by the admin's block action, read here. The
    number is a citizen's: shown only to whom lalisa.access lets see them."""

    list_display = fields = readonly_fields = [
        "blocked_reporter",
        "block_reason",
        "blocked_by",
        "created_at",
        "lifted_at",
        "lifted_by",
    ]
    list_select_related = ["reporter", "blocked_by", "lifted_by"]
    date_hierarchy = "created_at"

    @for_viewer
    @admin.display(description="pelapor")
    def blocked_reporter(self, obj, user):
        shown = access.citizen_label(user, obj.reporter)
        if access.can_see_citizen(user, obj.reporter) or not obj.reporter.phone:
            return shown
        return f"{shown} · {redact.mask_phone(obj.reporter.phone)}"

    @for_viewer
    @admin.display(description="alasan")
    def block_reason(self, obj, user):
        return disclosure(user, (obj.reporter, None)).text(obj.reason)
