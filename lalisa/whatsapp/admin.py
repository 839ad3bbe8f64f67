"""Read-only pages for what went to Meta: outbound messages, every Graph API call, and the
message templates; and for what came from Meta: the webhook deliveries and how each was
processed. Nothing here is edited by hand: the sender, the webhook, the worker and
`lalisa whatsapp_templates --sync` write these rows.

A citizen the viewer may not see (lalisa.access) is shown by a label and a masked number,
in the columns, the fields and the bodies alike, and a search never finds them."""

from django.contrib import admin
from django.db.models import Q
from django.db.models.functions import Length
from django.utils.html import format_html

from lalisa.notifications.texts import DEFAULTS
from lalisa.readonly_admin import (
    ReadOnly,
    SearchWithoutCitizens,
    ViewerAware,
    address_of,
    disclosure,
    for_viewer,
    pretty_json,
)
from lalisa.redact import redact
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


def message_disclosure(user, msg: OutboundMessage | None):
    """Who a message names: its recipient, and the reporter of the complaint it is about."""
    complaint = msg.complaint if msg is not None else None
    return disclosure(
        user,
        (msg.reporter if msg is not None else None, complaint),
        (complaint.reporter if complaint is not None else None, complaint),
    )


class ApiCallBodies:
    """The request and response of a Graph API call, pretty-printed, as the viewer may see
    the message it carried."""

    @for_viewer
    @admin.display(description="permintaan")
    def request(self, obj, user):
        shown = message_disclosure(user, obj.outbound).text(pretty_json(obj.request_body))
        return format_html("<pre>{}</pre>", shown)

    @for_viewer
    @admin.display(description="jawaban")
    def response(self, obj, user):
        shown = message_disclosure(user, obj.outbound).text(pretty_json(obj.response_body))
        return format_html("<pre>{}</pre>", shown)

    @for_viewer
    @admin.display(description="galat", ordering="error")
    def call_error(self, obj, user):
        return message_disclosure(user, obj.outbound).text(obj.error) or "–"


class ApiCallInline(ViewerAware, ApiCallBodies, ReadOnly, admin.TabularInline):
    model = ApiCall
    verbose_name = "panggilan Graph API"
    verbose_name_plural = "panggilan Graph API untuk pesan ini"
    fields = readonly_fields = (
        shown("created_at", "waktu"),
        shown("status_code", "kode HTTP"),
        shown("duration_ms", "durasi (ms)"),
        "call_error",
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
class OutboundMessageAdmin(ViewerAware, SearchWithoutCitizens, ReadOnlyAdmin):
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
    list_select_related = ("reporter", "staff", "complaint__reporter")
    # A citizen's number or id is never searched: only the staff's (rows_without_citizens).
    search_fields = ("kind", "error", "=wamid")
    named_search_fields = ("to_phone", "to_user_id")
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
        "wamid_shown",
        shown("attempts", "percobaan"),
        shown("next_attempt_at", "percobaan berikutnya"),
        shown("error_code", "kode galat Meta"),
        "error_shown",
        shown("created_at", "dibuat"),
        shown("sent_at", "terkirim"),
        shown("delivered_at", "sampai"),
        shown("read_at", "dibaca"),
        shown("failed_at", "gagal"),
    )
    inlines = [ApiCallInline]

    def rows_without_citizens(self, queryset):
        return queryset.filter(reporter__isnull=True, staff__isnull=False)

    @for_viewer
    @admin.display(description="penerima")
    def recipient(self, obj, user):
        if obj.staff is not None:
            return f"{obj.staff} ({address_of(obj.to_phone, obj.to_user_id, masked=False)})"
        label = message_disclosure(user, obj).label(obj.reporter) if obj.reporter else None
        if obj.reporter is not None and label is None:
            address = address_of(obj.to_phone, obj.to_user_id, masked=False)
            return f"{obj.reporter} ({address})"
        # Hidden, or nobody the service knows: never the whole number.
        address = address_of(obj.to_phone, obj.to_user_id, masked=True)
        return f"{label} ({address})" if label else address

    @for_viewer
    @admin.display(description="isi")
    def preview(self, obj, user):
        text = message_disclosure(user, obj).text(_content(obj))
        return text if len(text) <= 80 else text[:79] + "…"

    @for_viewer
    @admin.display(description="isi pesan")
    def content(self, obj, user):
        text = message_disclosure(user, obj).text(_content(obj))
        return format_html('<div style="white-space: pre-wrap">{}</div>', text)

    @for_viewer
    @admin.display(description="objek pesan (dikirim ke Meta)")
    def payload_json(self, obj, user):
        text = message_disclosure(user, obj).text(pretty_json(obj.payload))
        return format_html("<pre>{}</pre>", text)

    @for_viewer
    @admin.display(description="id pesan WhatsApp (wamid)")
    def wamid_shown(self, obj, user):
        # Its head encodes the chat's number: only the tail is shown (search takes it whole).
        return message_disclosure(user, obj).text(obj.wamid) or "–"

    @for_viewer
    @admin.display(description="galat")
    def error_shown(self, obj, user):
        return message_disclosure(user, obj).text(obj.error) or "–"

    @for_viewer
    @admin.display(description="galat", ordering="error_code")
    def short_error(self, obj, user):
        error = message_disclosure(user, obj).text(obj.error)
        if not error:
            return "–"
        return error if len(error) <= 80 else error[:79] + "…"


@admin.register(ApiCall)
class ApiCallAdmin(ViewerAware, SearchWithoutCitizens, ApiCallBodies, ReadOnlyAdmin):
    list_display = (
        shown("created_at", "waktu"),
        shown("method", "metode"),
        "short_url",
        shown("status_code", "kode HTTP"),
        shown("duration_ms", "durasi (ms)"),
        "call_error",
    )
    list_filter = ("method", "status_code")
    list_select_related = ("outbound__reporter", "outbound__complaint__reporter")
    search_fields = ("url", "error")
    # Bodies carry the recipient's number and the text: searched only where no citizen is.
    named_search_fields = ("request_body", "response_body")
    date_hierarchy = "created_at"
    readonly_fields = fields = (
        shown("created_at", "waktu"),
        shown("method", "metode"),
        "url_shown",
        shown("outbound", "pesan keluar"),
        shown("status_code", "kode HTTP"),
        shown("duration_ms", "durasi (ms)"),
        "call_error",
        "request",
        "response",
    )

    def rows_without_citizens(self, queryset):
        # A staff message about a complaint quotes it, and the citizen may have named
        # themselves in it.
        to_staff = Q(outbound__staff__isnull=False, outbound__complaint__isnull=True)
        # Calls of no message: uploads, media, templates; but a read receipt to /messages
        # carries the citizen's wamid.
        no_message = Q(outbound__isnull=True) & ~Q(url__endswith="/messages")
        return queryset.filter(to_staff | no_message)

    @for_viewer
    @admin.display(description="alamat")
    def url_shown(self, obj, user):
        return message_disclosure(user, obj.outbound).text(obj.url)

    @for_viewer
    @admin.display(description="alamat", ordering="url")
    def short_url(self, obj, user):
        # The version and host are the same on every row; the path says what was asked.
        url = obj.url.split("/", 4)[-1] if obj.url.count("/") >= 4 else obj.url
        return message_disclosure(user, obj.outbound).text(url)


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
        first = redact(obj.error).splitlines()[0]
        return first if len(first) <= 80 else first[:79] + "…"

    @admin.display(description="galat / catatan")
    def full_error(self, obj):
        return format_html('<div style="white-space: pre-wrap">{}</div>', redact(obj.error) or "–")
