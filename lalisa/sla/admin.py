import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.contrib import admin
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from lalisa.sla.calendar import national_holiday_name
from lalisa.sla.models import DayOff, SlaTarget

# A new version may start a little before saving: the form's "now" is taken when it opens.
BACKDATE_GRACE = dt.timedelta(minutes=30)

VERSION_HELP = (
    "Target yang sudah berlaku tidak dapat diubah atau dihapus, karena batas waktu aduan "
    "dihitung dari target yang berlaku saat aduan diterima. Untuk mengganti target, tambahkan "
    "versi baru dengan tanggal “berlaku sejak” yang baru: versi baru hanya berlaku untuk aduan "
    "yang diterima sesudah tanggal itu. Versi yang belum berlaku masih dapat diubah atau dihapus."
)


class SlaTargetForm(forms.ModelForm):
    class Meta:
        model = SlaTarget
        fields = ["priority", "stage", "amount", "unit", "effective_from"]
        help_texts = {
            "amount": "Dihitung dari saat aduan diterima.",
            "unit": "“Menit” berjalan terus siang dan malam, termasuk hari libur. “Hari kerja” "
            "melewati Sabtu, Minggu, libur nasional, cuti bersama dan hari libur tambahan; "
            "jam yang sama pada hari kerja ke-N (dari hari libur: mulai pukul 08.00 WITA).",
            "effective_from": "Berlaku untuk aduan yang diterima pada atau sesudah waktu ini "
            "(WITA). Tidak boleh mundur ke masa lalu.",
        }

    def clean_effective_from(self):
        value = self.cleaned_data["effective_from"]
        if value is not None and value < timezone.now() - BACKDATE_GRACE:
            raise forms.ValidationError(
                "Waktu berlaku tidak boleh di masa lalu: aduan yang sudah diterima tetap "
                "memakai target lama."
            )
        return value


@admin.register(SlaTarget)
class SlaTargetAdmin(admin.ModelAdmin):
    form = SlaTargetForm
    list_display = [
        "priority",
        "stage",
        "amount",
        "unit",
        "effective_from",
        "version_state",
        "new_version_link",
    ]
    list_filter = ["priority", "stage", "unit"]
    date_hierarchy = "effective_from"
    fieldsets = [(None, {"fields": SlaTargetForm.Meta.fields, "description": VERSION_HELP})]

    def get_queryset(self, request):
        # The version in force per priority/stage, so each row can say whether it is the one.
        in_force = (
            SlaTarget.objects.filter(
                priority=OuterRef("priority"),
                stage=OuterRef("stage"),
                effective_from__lte=timezone.now(),
            )
            .order_by("-effective_from")
            .values("pk")[:1]
        )
        return super().get_queryset(request).annotate(in_force_pk=Subquery(in_force))

    @admin.display(description="keadaan")
    def version_state(self, obj):
        if obj.effective_from > timezone.now():
            return "terjadwal"
        if getattr(obj, "in_force_pk", None) == obj.pk:
            return "berlaku"
        return "sudah diganti"

    @admin.display(description="versi baru")
    def new_version_link(self, obj):
        # Admin add forms take initial values from the query string.
        query = urlencode(
            {"priority": obj.priority, "stage": obj.stage, "amount": obj.amount, "unit": obj.unit}
        )
        url = f"{reverse('admin:sla_slatarget_add')}?{query}"
        return format_html('<a href="{}">Buat versi baru</a>', url)

    def _in_force_or_past(self, obj):
        return obj is not None and obj.effective_from <= timezone.now()

    def has_change_permission(self, request, obj=None):
        # Past versions only open read-only: due times already depend on them.
        if self._in_force_or_past(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if self._in_force_or_past(obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        # Bulk delete would bypass the per-row check above.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(DayOff)
class DayOffAdmin(admin.ModelAdmin):
    list_display = ["date", "weekday", "name", "national_name"]
    list_filter = ["date"]
    search_fields = ["name"]
    date_hierarchy = "date"
    fieldsets = [
        (
            None,
            {
                "fields": ["date", "name"],
                "description": "Hari libur di luar libur nasional dan cuti bersama (yang sudah "
                "diketahui sistem), misalnya libur daerah. Pada hari ini batas waktu dalam hari "
                "kerja tidak berjalan. Batas waktu aduan yang sudah diterima tidak berubah.",
            },
        )
    ]

    @admin.display(description="hari", ordering="date")
    def weekday(self, obj):
        return date_format(obj.date, "l")

    @admin.display(description="libur nasional/cuti bersama pada tanggal ini")
    def national_name(self, obj):
        return national_holiday_name(obj.date) or "–"
