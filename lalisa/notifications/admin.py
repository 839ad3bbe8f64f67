"""Message texts the superadmin edits. Notifications themselves are not registered: they
are written by the workflow and delivered by the worker."""

import string

from django import forms
from django.contrib import admin, messages

from lalisa.notifications.models import MessageText
from lalisa.notifications.texts import DEFAULTS, GLOBAL_PLACEHOLDERS, TEXT_MAX, limit


def placeholders(text: str) -> list[str]:
    """The {names} in a text, in order of first use; ValueError when its braces are broken."""
    names = []
    for _literal, name, _spec, _conversion in string.Formatter().parse(text):
        if name is not None and name not in names:
            names.append(name)
    return names


def allowed_placeholders(key: str) -> list[str] | None:
    """What the sender fills in for this key: the placeholders of its default text."""
    default = DEFAULTS.get(key)
    if not default:
        return None
    return placeholders(default[0]) + [g for g in GLOBAL_PLACEHOLDERS if g not in default[0]]


def placeholder_help(key: str) -> str:
    allowed = allowed_placeholders(key)
    if allowed is None:
        return "Teks ini tidak punya teks bawaan; isian {…} tidak diperiksa."
    if not allowed:
        return "Teks ini tidak memakai isian. Tulis {{ dan }} untuk kurung kurawal biasa."
    names = ", ".join("{" + name + "}" for name in allowed)
    return (
        f"Isian yang tersedia: {names}. Isian diganti otomatis saat pesan dikirim. "
        "Tulis {{ dan }} untuk kurung kurawal biasa. *tebal* dan _miring_ mengikuti "
        "format WhatsApp."
    )


class MessageTextForm(forms.ModelForm):
    class Meta:
        model = MessageText
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 8, "cols": 80})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].help_text = placeholder_help(self.instance.key)

    def clean_text(self):
        text = self.cleaned_data["text"]
        try:
            used = placeholders(text)
        except ValueError as exc:
            raise forms.ValidationError(
                "Kurung kurawal tidak berpasangan. Isian ditulis {nama}; untuk kurung kurawal "
                "biasa tulis {{ atau }}."
            ) from exc
        maximum = limit(self.instance.key)
        if len(text) > maximum:
            raise forms.ValidationError(
                f"Teks terlalu panjang: {len(text)} karakter. Bagian pesan WhatsApp ini "
                f"menerima paling banyak {maximum} karakter."
            )
        if maximum < TEXT_MAX and maximum <= 72 and "\n" in text.strip():
            raise forms.ValidationError("Judul tombol atau pilihan harus satu baris.")
        allowed = allowed_placeholders(self.instance.key)
        if allowed is not None:
            # An unknown name would reach the citizen as literal "{name}".
            unknown = [name for name in used if name not in allowed]
            if unknown:
                raise forms.ValidationError(
                    "Isian tidak dikenal: "
                    + ", ".join("{" + name + "}" for name in unknown)
                    + ". Pakai hanya isian yang tersedia."
                )
        return text


@admin.register(MessageText)
class MessageTextAdmin(admin.ModelAdmin):
    form = MessageTextForm
    list_display = ("key", "description", "preview", "is_default")
    search_fields = ("key", "description", "text")
    readonly_fields = ("key", "description", "default_text")
    fields = ("key", "description", "text", "default_text")
    actions = ["reset_to_default"]

    @admin.display(description="teks")
    def preview(self, obj):
        return obj.text if len(obj.text) <= 80 else obj.text[:79] + "…"

    @admin.display(description="teks bawaan", boolean=True)
    def is_default(self, obj):
        default = DEFAULTS.get(obj.key)
        return default is not None and obj.text == default[0]

    @admin.display(description="teks bawaan")
    def default_text(self, obj):
        default = DEFAULTS.get(obj.key)
        return default[0] if default else "–"

    @admin.action(description="Kembalikan ke teks bawaan")
    def reset_to_default(self, request, queryset):
        count = 0
        for row in queryset:
            default = DEFAULTS.get(row.key)
            if default is not None and row.text != default[0]:
                row.text = default[0]
                row.save(update_fields=["text"])
                count += 1
        self.message_user(request, f"{count} teks dikembalikan ke teks bawaan.", messages.SUCCESS)

    def has_add_permission(self, request):
        # Every key the service sends already has a row (created at migrate).
        return False

    def has_delete_permission(self, request, obj=None):
        return False
