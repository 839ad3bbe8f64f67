from django.contrib import admin
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from lalisa.accounts.models import User
from lalisa.readonly_admin import ReadOnly
from lalisa.teams.models import TrcTeam


class MemberInline(ReadOnly, admin.TabularInline):
    """Members are added on the user's page (role TRC, team); shown here to read."""

    model = User
    fk_name = "team"
    fields = ("member", "whatsapp", "is_active")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = "anggota"
    verbose_name_plural = "anggota (diatur di halaman pengguna)"

    @admin.display(description="nama")
    def member(self, obj):
        url = reverse("admin:accounts_user_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj)


@admin.register(TrcTeam)
class TrcTeamAdmin(admin.ModelAdmin):
    list_display = ("name", "post_name", "kecamatan_names", "member_names", "active")
    list_filter = ("active", "kecamatan")
    search_fields = ("name", "post_name")
    filter_horizontal = ("kecamatan",)
    fieldsets = [
        (None, {"fields": ("name", "active")}),
        (
            "Pos",
            {
                "fields": ("post_name", "post_lat", "post_lng"),
                "description": "Titik pos dipakai untuk menghitung jarak tim ke lokasi aduan.",
            },
        ),
        ("Wilayah", {"fields": ("kecamatan",)}),
    ]
    inlines = [MemberInline]

    def get_queryset(self, request):
        members = User.objects.filter(is_active=True).order_by("first_name", "username")
        return (
            super()
            .get_queryset(request)
            .prefetch_related("kecamatan", Prefetch("members", queryset=members))
        )

    @admin.display(description="kecamatan")
    def kecamatan_names(self, obj):
        return ", ".join(k.name for k in obj.kecamatan.all()) or "–"

    @admin.display(description="anggota aktif")
    def member_names(self, obj):
        members = list(obj.members.all())
        if not members:
            return "–"
        return format_html_join(", ", "{}", ((str(m),) for m in members))
