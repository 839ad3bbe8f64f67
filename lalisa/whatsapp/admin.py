"""Read-only pages for what went to Meta: outbound messages, every Graph API call, and the
message templates; and for what came from Meta: the webhook deliveries and how each was
processed. Nothing here is edited by hand: the sender, the webhook, the worker and
`lalisa whatsapp_templates --sync` write these rows."""

import json

from django.contrib import admin
from django.db.models import Q
from django.db.models.functions import Length
from django.utils.html import format_html

from lalisa.notifications.texts import DEFAULTS
from lalisa.readonly_admin import ReadOnly
from lalisa.whatsapp.inbound import FAILED, state_of
from lalisa.whatsapp.models import ApiCall, MessageTemplate, OutboundMessage, WebhookDelivery
from lalisa.whatsapp.sender import template_text


def shown(name: str, label: str, ordering: str | None = None):
    """A read-only column or field with an Indonesian label (the models' own field names
    are English, and relabelling them would be a migration)."""

    @admin.display(description=label, ordering=ordering or name)
    def value(obj):
        result = getattr(obj, f"get_{name}_display", None)
        result = result() if result else getattr(obj, name)
        return "–" if result in (None, "") else result

    value.__name__ = f"show_{name}"
    return value


def pretty_json(raw) -> str:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return raw
    return json.dumps(raw, ensure_ascii=False, indent=2)


@admin.display(description="jenis", ordering="kind")
def kind_label(obj):
    return DEFAULTS.get(obj.kind, (None, obj.kind))[1]


class KindFilter(admin.SimpleListFilter):
    """What the message was for, in the words of the message texts' descriptions."""

    title = "jenis"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        kinds = model_admin.get_queryset(request).values_list("kind", flat=True).distinct()
        return sorted(((k, DEFAULTS.get(k, (None, k))[1]) for k in kinds), key=lambda kv: kv[1])

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    pass


class ApiCallBodies:
    """The request and response of a Graph API call, pretty-printed."""

    @admin.display(description="permintaan")
    def request(self, obj):
        return format_html("<pre>{}</pre>", pretty_json(obj.request_body))

    @admin.display(description="jawaban")
    def response(self, obj):
        return format_html("<pre>{}</pre>", pretty_json(obj.response_body))


class ApiCallInline(ApiCallBodies, ReadOnly, admin.TabularInline):
    model = ApiCall
    verbose_name = "panggilan Graph API"
    verbose_name_plural = "panggilan Graph API untuk pesan ini"
    fields = readonly_fields = (
        shown("created_at", "waktu"),
        shown("status_code", "kode HTTP"),
        shown("duration_ms", "durasi (ms)"),
        shown("error", "galat"),
        "request",
        "response",
    )
    extra = 0
    can_delete = False
    ordering = ("created_at",)


def _content(obj: OutboundMessage) -> str:
    payload = obj.payload or {}
    kind = payload.get("type")
    if kind == "text":
        return payload.get("text", {}).get("body", "")
    if kind == "template":
        name = payload.get("template", {}).get("name", "")
        return f"[templat {name}] {template_text(obj)}".strip()
    if kind == "interactive":
        return payload.get("interactive", {}).get("body", {}).get("text", "")
    if kind == "image":
        return "[gambar] " + payload.get("image", {}).get("caption", "")
    return f"[{kind}]"


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ReadOnlyAdmin):
    list_display = (
        shown("created_at", "dibuat"),
        "recipient",
        kind_label,
        shown("state", "status"),
        shown("attempts", "percobaan"),
        "preview",
        "short_error",
    )
    list_filter = ("state", KindFilter)
    search_fields = ("to_phone", "to_user_id", "wamid", "kind", "error")
    date_hierarchy = "created_at"
    readonly_fields = fields = (
        "recipient",
        kind_label,
        shown("complaint", "aduan"),
        shown("notification", "pemberitahuan"),
        shown("state", "status"),
        "content",
        "payload_json",
        shown("fallback_template", "templat pengganti"),
        shown("wamid", "id pesan WhatsApp (wamid)"),
        shown("attempts", "percobaan"),
        shown("next_attempt_at", "percobaan berikutnya"),
        shown("error_code", "kode galat Meta"),
        shown("error", "galat"),
        shown("created_at", "dibuat"),
        shown("sent_at", "terkirim"),
        shown("delivered_at", "sampai"),
        shown("read_at", "dibaca"),
        shown("failed_at", "gagal"),
    )
    inlines = [ApiCallInline]

    @admin.display(description="penerima")
    def recipient(self, obj):
        who = obj.reporter or obj.staff
        address = f"+{obj.to_phone}" if obj.to_phone else obj.to_user_id
        return f"{who} ({address})" if who else address

    @admin.display(description="isi")
    def preview(self, obj):
        text = _content(obj)
        return text if len(text) <= 80 else text[:79] + "…"

    @admin.display(description="isi pesan")
    def content(self, obj):
        return format_html('<div style="white-space: pre-wrap">{}</div>', _content(obj))

    @admin.display(description="objek pesan (dikirim ke Meta)")
    def payload_json(self, obj):
        return format_html("<pre>{}</pre>", pretty_json(obj.payload))

    @admin.display(description="galat", ordering="error_code")
    def short_error(self, obj):
        if not obj.error:
            return "–"
        return obj.error if len(obj.error) <= 80 else obj.error[:79] + "…"


@admin.register(ApiCall)
class ApiCallAdmin(ApiCallBodies, ReadOnlyAdmin):
    list_display = (
        shown("created_at", "waktu"),
        shown("method", "metode"),
        "short_url",
        shown("status_code", "kode HTTP"),
        shown("duration_ms", "durasi (ms)"),
        shown("error", "galat"),
    )
    list_filter = ("method", "status_code")
    search_fields = ("url", "request_body", "response_body", "error")
    date_hierarchy = "created_at"
    readonly_fields = fields = (
        shown("created_at", "waktu"),
        shown("method", "metode"),
        shown("url", "alamat"),
        shown("outbound", "pesan keluar"),
        shown("status_code", "kode HTTP"),
        shown("duration_ms", "durasi (ms)"),
        shown("error", "galat"),
        "request",
        "response",
    )

    @admin.display(description="alamat", ordering="url")
    def short_url(self, obj):
        # The version and host are the same on every row; the path says what was asked.
        return obj.url.split("/", 4)[-1] if obj.url.count("/") >= 4 else obj.url


@admin.register(MessageTemplate)
class MessageTemplateAdmin(ReadOnlyAdmin):
    list_display = (
        shown("name", "nama di Meta"),
        shown("key", "kunci"),
        shown("version", "versi"),
        shown("status", "status"),
        "in_use",
        shown("submitted_at", "diajukan"),
    )
    list_filter = ("status", "key")
    search_fields = ("name", "key", "body")
    readonly_fields = fields = (
        shown("name", "nama di Meta"),
        shown("key", "kunci"),
        shown("version", "versi"),
        shown("language", "bahasa"),
        shown("category", "kategori"),
        "body_text",
        shown("params", "parameter ({{1}}, {{2}}, …)"),
        shown("status", "status"),
        "in_use",
        shown("meta_id", "id di Meta"),
        shown("submitted_at", "diajukan"),
        shown("decided_at", "diputuskan"),
        shown("reason", "alasan / galat"),
    )

    @admin.display(description="isi")
    def body_text(self, obj):
        return format_html('<div style="white-space: pre-wrap">{}</div>', obj.body)

    @admin.display(description="dipakai saat ini", boolean=True)
    def in_use(self, obj):
        from lalisa.whatsapp.templates import approved_template

        current = approved_template(obj.key)
        return current is not None and current.pk == obj.pk


class DeliveryStateFilter(admin.SimpleListFilter):
    title = "keadaan"
    parameter_name = "keadaan"
    STATES = {
        "menunggu": ("Belum selesai", Q(processed_at__isnull=True)),
        "gagal": ("Gagal", Q(processed_at__isnull=False, error__startswith=FAILED)),
        "catatan": (
            "Selesai, dengan catatan",
            Q(processed_at__isnull=False) & ~Q(error="") & ~Q(error__startswith=FAILED),
        ),
        "selesai": ("Selesai", Q(processed_at__isnull=False, error="")),
    }

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _) in self.STATES.items()]

    def queryset(self, request, queryset):
        state = self.STATES.get(self.value() or "")
        return queryset.filter(state[1]) if state else queryset


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    """Each signed POST and how the worker fared with it. The body is kept in the database
    as it came but not shown: it holds reporters' numbers and names, *anonim* and *rahasia*
    ones too, which the setup pages never show."""

    list_display = (
        shown("received_at", "diterima"),
        "state",
        shown("attempts", "percobaan"),
        "size",
        "short_error",
    )
    list_filter = (DeliveryStateFilter,)
    date_hierarchy = "received_at"
    readonly_fields = fields = (
        shown("received_at", "diterima"),
        "state",
        shown("attempts", "percobaan"),
        shown("next_attempt_at", "percobaan berikutnya"),
        shown("processed_at", "selesai diproses"),
        "size",
        "full_error",
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .defer("body", "signature")
            .annotate(body_size=Length("body"))
        )

    @admin.display(description="keadaan")
    def state(self, obj):
        return state_of(obj)

    @admin.display(description="ukuran isi (bita)")
    def size(self, obj):
        return obj.body_size

    @admin.display(description="galat / catatan")
    def short_error(self, obj):
        if not obj.error:
            return "–"
        first = obj.error.splitlines()[0]
        return first if len(first) <= 80 else first[:79] + "…"

    @admin.display(description="galat / catatan")
    def full_error(self, obj):
        return format_html('<div style="white-space: pre-wrap">{}</div>', obj.error or "–")
