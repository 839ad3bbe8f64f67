"""The message templates the service sends when a person's 24-hour window is closed.

One definition per notification kind (lalisa.notifications.texts.DEFAULTS). A definition's
body uses Meta's positional {{1}}, {{2}}…, filled from the notification's params named in
`params`. Meta approves each template by name before it can be used, and an approved text
cannot be edited: a changed text is a new version, `lalisa_<key>_v<version>`, submitted by
`lalisa whatsapp_templates --sync`. Until Meta approves the new version, the last approved
one is sent (`approved_template`).
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from lalisa.whatsapp import graph
from lalisa.whatsapp.models import MessageTemplate

CATEGORY = "UTILITY"
LANGUAGE = "id"


@dataclass(frozen=True)
class TemplateDef:
    key: str
    body: str
    params: tuple[str, ...] = ()

    def name(self, version: int) -> str:
        return template_name(self.key, version)

    def example(self) -> list[str]:
        return [EXAMPLES[p] for p in self.params]


def template_name(key: str, version: int) -> str:
    return f"lalisa_{key}_v{version}"


# Values Meta's reviewers see in place of the parameters.
EXAMPLES = {
    "code": "LL-2611-0042",
    "check": "K7QF",
    "lookup_url": "https://lalisa.balangankab.go.id/publik/cek/",
    "category": "PKL / pedagang di trotoar",
    "due": "Senin, 30 November 2026 pukul 10.00 WITA",
    "question": "Mohon kirim foto lokasi dari dekat.",
    "reason": "Lokasi berada di luar Kabupaten Balangan.",
    "agency": "Satpol PP Kabupaten Balangan",
    "original": "LL-2611-0038",
    "team": "TRC Paringin",
    "outcome": "Teguran lisan",
    "note": "Pedagang sudah memindahkan lapaknya.",
    "priority": "Normal",
    "description": "PKL berjualan di trotoar depan Pasar Paringin.",
    "place": "Jl. Jend. A. Yani, Paringin, Kec. Paringin",
    "map_link": "https://maps.google.com/?q=-2.3321,115.4654",
    "status": "Diverifikasi",
    "service": "LA-LISA",
    "message": "Mohon kirim foto lokasi dari dekat agar tim mudah menemukannya.",
    "dispatched": "30 November 2026 09.15 WITA",
}

DEFINITIONS: dict[str, TemplateDef] = {
    d.key: d
    for d in [
        TemplateDef(
            "complaint_received",
            "Terima kasih, aduan Anda sudah kami terima dengan nomor tiket *{{1}}* ({{2}}).\n"
            "Kode cek: *{{3}}*\nPetugas akan memeriksanya paling lambat {{4}}. Simpan nomor "
            "tiket dan kode cek ini: di {{5}} status dapat dilihat dengan keduanya, atau "
            "ketik nomor tiket di sini.",
            ("code", "category", "check", "due", "lookup_url"),
        ),
        TemplateDef(
            "complaint_received_rahasia",
            "Terima kasih, aduan rahasia Anda sudah kami terima dengan nomor tiket *{{1}}* "
            "({{2}}).\nPetugas akan memeriksanya paling lambat {{3}}. Simpan nomor tiket ini "
            "untuk cek status di sini; aduan rahasia tidak tampil di halaman publik.",
            ("code", "category", "due"),
        ),
        TemplateDef(
            "complaint_verified",
            "Aduan *{{1}}* sudah diverifikasi petugas dan diteruskan kepada Kepala Bidang "
            "Trantibum untuk ditindaklanjuti.",
            ("code",),
        ),
        TemplateDef(
            "complaint_needs_info",
            "Petugas membutuhkan keterangan tambahan untuk aduan *{{1}}*:\n{{2}}\n"
            "Silakan balas pesan ini.",
            ("code", "question"),
        ),
        TemplateDef(
            "complaint_info_received",
            "Terima kasih, keterangan untuk aduan *{{1}}* sudah kami terima.",
            ("code",),
        ),
        TemplateDef(
            "complaint_rejected",
            "Mohon maaf, aduan *{{1}}* tidak dapat kami tindak lanjuti.\nAlasan: {{2}}\n"
            "Terima kasih telah menyampaikan aduan.",
            ("code", "reason"),
        ),
        TemplateDef(
            "complaint_referred",
            "Aduan *{{1}}* berada di luar kewenangan Satpol PP dan kami alihkan kepada {{2}}.\n"
            "Keterangan: {{3}}\nTerima kasih telah menyampaikan aduan.",
            ("code", "agency", "reason"),
        ),
        TemplateDef(
            "complaint_duplicate",
            "Aduan *{{1}}* sama dengan aduan *{{2}}* yang sedang ditangani. Anda akan "
            "menerima kabar perkembangannya.",
            ("code", "original"),
        ),
        TemplateDef(
            "complaint_dispatched",
            "Aduan *{{1}}* disetujui untuk ditindaklanjuti. Tim {{2}} sudah ditugaskan.",
            ("code", "team"),
        ),
        TemplateDef(
            "complaint_team_on_way",
            "Tim {{1}} sedang menuju lokasi aduan *{{2}}*.",
            ("team", "code"),
        ),
        TemplateDef(
            "complaint_team_on_site",
            "Tim {{1}} sudah tiba di lokasi aduan *{{2}}*.",
            ("team", "code"),
        ),
        TemplateDef(
            "complaint_done",
            "Aduan *{{1}}* selesai ditangani.\nHasil: {{2}}\nCatatan tim: {{3}}\n"
            "Mohon beri penilaian 1 sampai 5 untuk penanganan aduan ini dengan membalas "
            "pesan ini.",
            ("code", "outcome", "note"),
        ),
        TemplateDef(
            "complaint_closed",
            "Aduan *{{1}}* sudah ditutup. Terima kasih telah membantu {{2}} menjaga ketertiban.",
            ("code", "agency"),
        ),
        TemplateDef(
            "complaint_rated",
            "Terima kasih atas penilaian Anda untuk aduan *{{1}}*.",
            ("code",),
        ),
        TemplateDef(
            "complaint_supported",
            "Anda tercatat sebagai pendukung aduan *{{1}}* ({{2}}, status: {{3}}). Kami akan "
            "mengabari Anda setiap perkembangannya.",
            ("code", "category", "status"),
        ),
        TemplateDef(
            "staff_reply",
            "Pesan dari petugas tentang aduan *{{1}}*:\n{{2}}\nBalas pesan ini bila perlu.",
            ("code", "message"),
        ),
        TemplateDef(
            "reporter_blocked",
            "Mohon maaf, nomor ini tidak lagi dilayani oleh {{1}} karena pesan yang dikirim "
            "tidak sesuai ketentuan layanan. Untuk keadaan darurat hubungi 112.",
            ("service",),
        ),
        TemplateDef(
            "kabid_review",
            "Aduan baru untuk ditelaah: *{{1}}* ({{2}}, prioritas {{3}}).\nUraian: {{4}}\n"
            "Lokasi: {{5}}\nSilakan buka LA-LISA untuk memutuskan tindak lanjutnya.",
            ("code", "category", "priority", "description", "place"),
        ),
        TemplateDef(
            "trc_dispatch",
            "Penugasan TRC untuk aduan *{{1}}* ({{2}}, prioritas {{3}}).\nUraian: {{4}}\n"
            "Lokasi: {{5}}\nPeta: {{6}}\nSegera konfirmasi penugasan ini.",
            ("code", "category", "priority", "description", "place", "map_link"),
        ),
        TemplateDef(
            "trc_dispatch_cancelled",
            "Penugasan aduan *{{1}}* untuk tim {{2}} dibatalkan karena tim lain ditugaskan.",
            ("code", "team"),
        ),
        TemplateDef(
            "escalation_verify_late",
            "Peringatan: aduan *{{1}}* ({{2}}, prioritas {{3}}) belum diverifikasi admin, "
            "padahal batasnya {{4}}. Mohon pastikan aduan ini segera diperiksa.",
            ("code", "category", "priority", "due"),
        ),
        TemplateDef(
            "escalation_dispatch_late",
            "Peringatan: aduan *{{1}}* ({{2}}, prioritas {{3}}) sudah diverifikasi tetapi belum "
            "ditugaskan ke tim TRC, padahal batasnya {{4}}. Mohon segera putuskan tindak "
            "lanjutnya.",
            ("code", "category", "priority", "due"),
        ),
        TemplateDef(
            "escalation_done_late",
            "Peringatan: penanganan aduan *{{1}}* ({{2}}, prioritas {{3}}) oleh tim {{4}} "
            "melewati batas {{5}}. Status sekarang: {{6}}. Silakan buka LA-LISA.",
            ("code", "category", "priority", "team", "due", "status"),
        ),
        TemplateDef(
            "trc_accept_reminder",
            "Pengingat: penugasan aduan *{{1}}* ({{2}}, prioritas {{3}}) untuk tim {{4}} belum "
            "dikonfirmasi sejak {{5}}.\nLokasi: {{6}}\nSegera konfirmasi penugasan ini.",
            ("code", "category", "priority", "team", "dispatched", "place"),
        ),
        TemplateDef(
            "escalation_not_accepted",
            "Peringatan: penugasan aduan *{{1}}* ({{2}}, prioritas {{3}}) untuk tim {{4}} belum "
            "dikonfirmasi sejak {{5}}, meski tim sudah diingatkan. Pertimbangkan menugaskan "
            "tim lain.",
            ("code", "category", "priority", "team", "dispatched"),
        ),
    ]
}


def definition(key: str) -> TemplateDef | None:
    return DEFINITIONS.get(key)


def approved_template(key: str) -> MessageTemplate | None:
    """The newest version of `key` that Meta approved: the one to send."""
    return (
        MessageTemplate.objects.filter(key=key, status=MessageTemplate.Status.APPROVED)
        .order_by("-version")
        .first()
    )


def params_for(template: MessageTemplate, values) -> list:
    """Positional parameters for `template`: from a dict of named values (by the names the
    template version was made with), or a list taken as already positional."""
    names = template.params or []
    if isinstance(values, dict):
        return [values.get(name, "") for name in names]
    values = list(values or [])
    return (values + [""] * len(names))[: len(names)] if names else values


# --- Meta's statuses -------------------------------------------------------------------

STATUS_FROM_META = {
    "APPROVED": MessageTemplate.Status.APPROVED,
    "REINSTATED": MessageTemplate.Status.APPROVED,
    "UNARCHIVED": MessageTemplate.Status.APPROVED,
    "PENDING": MessageTemplate.Status.PENDING,
    "IN_APPEAL": MessageTemplate.Status.PENDING,
    "REJECTED": MessageTemplate.Status.REJECTED,
    "PAUSED": MessageTemplate.Status.PAUSED,
    "FLAGGED": MessageTemplate.Status.PAUSED,
    "DISABLED": MessageTemplate.Status.DISABLED,
    "ARCHIVED": MessageTemplate.Status.DISABLED,
    "DELETED": MessageTemplate.Status.DISABLED,
    "PENDING_DELETION": MessageTemplate.Status.DISABLED,
    "LIMIT_EXCEEDED": MessageTemplate.Status.DISABLED,
    "LOCKED": MessageTemplate.Status.DISABLED,
}


def _set_status(row: MessageTemplate, meta_status: str | None, reason: str = "") -> None:
    status = STATUS_FROM_META.get((meta_status or "").upper())
    if status is None:
        return
    if status != row.status and status != MessageTemplate.Status.PENDING:
        row.decided_at = timezone.now()
    row.status = status
    if reason and reason.upper() != "NONE":
        row.reason = reason


def apply_status_update(value: dict) -> MessageTemplate | None:
    """A `message_template_status_update` webhook value (the inbound side calls this)."""
    meta_id = str(value.get("message_template_id") or "")
    name = value.get("message_template_name") or ""
    row = MessageTemplate.objects.filter(meta_id=meta_id).first() if meta_id else None
    if row is None and name:
        row = MessageTemplate.objects.filter(name=name).first()
    if row is None:
        return None
    reason = (value.get("rejection_info") or {}).get("reason") or value.get("reason") or ""
    _set_status(row, value.get("event"), reason if reason != "NONE" else "")
    row.meta_id = row.meta_id or meta_id
    row.save(update_fields=["status", "reason", "decided_at", "meta_id"])
    return row


# --- sync with Meta --------------------------------------------------------------------


@dataclass
class SyncResult:
    row: MessageTemplate
    action: str  # "created", "new_version", "resubmitted", "refreshed", "unchanged", "error"
    error: str = ""


def _templates_path() -> str:
    return f"{settings.WHATSAPP_BUSINESS_ACCOUNT_ID}/message_templates"


def submission(row: MessageTemplate, example: list[str]) -> dict:
    body: dict = {"type": "BODY", "text": row.body}
    if example:
        body["example"] = {"body_text": [example]}
    return {
        "name": row.name,
        "language": row.language,
        "category": row.category,
        "components": [body],
    }


def _submit(row: MessageTemplate, example: list[str]) -> None:
    answer = graph.call("POST", _templates_path(), json_body=submission(row, example))
    row.meta_id = str(answer.get("id") or row.meta_id)
    row.category = answer.get("category") or row.category
    row.submitted_at = timezone.now()
    row.reason = ""
    _set_status(row, answer.get("status") or "PENDING")
    row.save()


def _refresh(row: MessageTemplate) -> bool:
    """Ask Meta for the status of `row`; False when Meta does not know the name."""
    answer = graph.call("GET", _templates_path(), params={"name": row.name})
    for item in answer.get("data", []) if isinstance(answer, dict) else []:
        if item.get("name") == row.name and item.get("language", row.language) == row.language:
            row.meta_id = str(item.get("id") or row.meta_id)
            _set_status(row, item.get("status"), item.get("rejected_reason") or "")
            row.save()
            return True
    return False


def sync_one(definition: TemplateDef) -> SyncResult:
    latest = MessageTemplate.objects.filter(key=definition.key).order_by("-version").first()
    changed = latest is None or (latest.body, list(latest.params)) != (
        definition.body,
        list(definition.params),
    )
    if changed:
        version = latest.version + 1 if latest else 1
        row = MessageTemplate.objects.create(
            key=definition.key,
            version=version,
            name=definition.name(version),
            language=LANGUAGE,
            category=CATEGORY,
            body=definition.body,
            params=list(definition.params),
        )
        action = "new_version" if latest else "created"
    else:
        row = latest
        action = "unchanged"
    try:
        if row.status == MessageTemplate.Status.DRAFT:
            # Not yet with Meta (new, or an earlier submission failed); if Meta already has
            # the name (a lost answer), read its status instead of submitting twice.
            if action == "unchanged" and row.submitted_at is None and _refresh(row):
                action = "refreshed"
            else:
                _submit(row, definition.example())
                action = action if action != "unchanged" else "resubmitted"
        elif row.status == MessageTemplate.Status.PENDING:
            _refresh(row)
            action = "refreshed"
    except graph.GraphError as exc:
        row.reason = f"{exc} {exc.details}".strip()
        row.save(update_fields=["reason"])
        return SyncResult(row, "error", row.reason)
    return SyncResult(row, action)


def sync() -> list[SyncResult]:
    """Submit every definition that is new or whose text changed; refresh pending ones."""
    return [sync_one(d) for d in DEFINITIONS.values()]


_PARAM = re.compile(r"\{\{(\d+)\}\}")


def check_definition(d: TemplateDef) -> list[str]:
    """Problems Meta would reject a template for (used by the tests)."""
    problems = []
    numbers = [int(n) for n in _PARAM.findall(d.body)]
    if sorted(set(numbers)) != list(range(1, len(d.params) + 1)):
        problems.append("parameters must be {{1}}..{{n}}, one per param name")
    stripped = d.body.strip()
    if stripped.startswith("{{") or stripped.endswith("}}"):
        problems.append("body may not start or end with a parameter")
    if re.search(r"\}\}\s*\{\{", d.body):
        problems.append("parameters may not be next to each other")
    if len(d.body) > 1024:
        problems.append("body longer than 1024")
    if not re.fullmatch(r"[a-z0-9_]{1,500}", d.name(99)):
        problems.append("name must be lowercase letters, digits and _")
    return problems
