"""The texts the service sends, with their defaults. The superadmin edits them
(MessageText rows); a key without a row uses the default below.

Placeholders in {braces}; an unknown one is left as it is rather than failing a send.
"""

import time

from django.db.utils import DatabaseError

DEFAULTS: dict[str, tuple[str, str]] = {
    # key: (text, what it is for)
    "complaint_received": (
        "Terima kasih, aduan Anda sudah kami terima dengan nomor tiket *{code}* ({category}).\n"
        "Kode cek: *{check}*\n"
        "Petugas akan memeriksanya paling lambat {due}, lalu Kepala Bidang memutuskan tindak "
        "lanjutnya dan menugaskan tim ke lokasi. Setiap perkembangan kami kabarkan di sini.\n"
        "Simpan nomor tiket dan kode cek ini. Ketik nomor tiket di sini kapan saja untuk cek "
        "status; di {lookup_url} status dapat dilihat dengan keduanya.",
        "Warga: aduan tercatat (dengan kode cek untuk halaman cek status)",
    ),
    # A rahasia complaint is nowhere in public: no check part, its status is asked here.
    "complaint_received_rahasia": (
        "Terima kasih, aduan rahasia Anda sudah kami terima dengan nomor tiket *{code}* "
        "({category}).\n"
        "Petugas akan memeriksanya paling lambat {due}, lalu Kepala Bidang memutuskan tindak "
        "lanjutnya dan menugaskan tim ke lokasi. Setiap perkembangan kami kabarkan di sini.\n"
        "Simpan nomor tiket ini; ketik nomornya di sini kapan saja untuk cek status. Aduan "
        "rahasia tidak tampil di halaman publik.",
        "Warga: aduan rahasia tercatat",
    ),
    "complaint_verified": (
        "Aduan *{code}* sudah diverifikasi petugas dan diteruskan kepada Kepala Bidang "
        "Trantibum untuk ditindaklanjuti.",
        "Warga: aduan diverifikasi",
    ),
    "complaint_needs_info": (
        "Petugas membutuhkan keterangan tambahan untuk aduan *{code}*:\n{question}\n"
        "Silakan balas pesan ini.",
        "Warga: diminta keterangan",
    ),
    "complaint_info_received": (
        "Terima kasih, keterangan untuk aduan *{code}* sudah kami terima.",
        "Warga: keterangan diterima",
    ),
    "complaint_rejected": (
        "Mohon maaf, aduan *{code}* tidak dapat kami tindak lanjuti.\nAlasan: {reason}",
        "Warga: aduan ditolak",
    ),
    "complaint_referred": (
        "Aduan *{code}* berada di luar kewenangan Satpol PP dan kami alihkan kepada "
        "{agency}.\n{reason}",
        "Warga: aduan dialihkan",
    ),
    "complaint_duplicate": (
        "Aduan *{code}* sama dengan aduan *{original}* yang sedang ditangani. Anda akan "
        "menerima kabar perkembangannya.",
        "Warga: aduan digabung",
    ),
    "complaint_dispatched": (
        "Aduan *{code}* disetujui untuk ditindaklanjuti. Tim {team} sudah ditugaskan.",
        "Warga: tim ditugaskan",
    ),
    "complaint_team_on_way": (
        "Tim {team} sedang menuju lokasi aduan *{code}*.",
        "Warga: tim menuju lokasi",
    ),
    "complaint_team_on_site": (
        "Tim {team} sudah tiba di lokasi aduan *{code}*.",
        "Warga: tim di lokasi",
    ),
    "complaint_done": (
        "Aduan *{code}* selesai ditangani.\nHasil: {outcome}\nCatatan tim: {note}\n\n"
        "Mohon beri penilaian 1 sampai 5 untuk penanganan aduan ini (balas dengan angkanya).",
        "Warga: selesai ditangani, minta penilaian",
    ),
    "complaint_closed": (
        "Aduan *{code}* sudah ditutup. Terima kasih telah membantu {agency} menjaga ketertiban.",
        "Warga: aduan ditutup",
    ),
    "complaint_rated": (
        "Terima kasih atas penilaian Anda untuk aduan *{code}*. Jika ingin, tulis komentar "
        "atau saran Anda di sini.",
        "Warga: penilaian diterima",
    ),
    "complaint_supported": (
        "Anda tercatat sebagai pendukung aduan *{code}* ({category}, status: {status}). "
        "Kami akan mengabari Anda setiap perkembangannya.",
        "Warga: bergabung sebagai pendukung",
    ),
    "staff_reply": (
        "Pesan dari petugas {agency} tentang aduan *{code}*:\n{message}",
        "Warga: balasan petugas di percakapan aduan",
    ),
    "reporter_blocked": (
        "Mohon maaf, nomor ini tidak lagi dilayani oleh {service} karena pesan yang dikirim "
        "tidak sesuai ketentuan layanan. Untuk keadaan darurat hubungi 112.",
        "Warga: nomor diblokir (pemberitahuan sekali)",
    ),
    "kabid_review": (
        "Aduan baru untuk ditelaah: *{code}* ({category}, {priority}).\n{description}\n"
        "Lokasi: {place}",
        "Kabid: aduan terverifikasi menunggu keputusan",
    ),
    "trc_dispatch": (
        "PENUGASAN TRC — *{code}* ({category}, {priority})\n{description}\nLokasi: {place}\n"
        "{map_link}",
        "TRC: penugasan baru",
    ),
    "trc_dispatch_cancelled": (
        "Penugasan aduan *{code}* untuk tim {team} dibatalkan: tim lain ditugaskan.",
        "TRC: penugasan dialihkan ke tim lain",
    ),
    "escalation_verify_late": (
        "PERINGATAN — aduan *{code}* ({category}, {priority}) belum diverifikasi admin, "
        "padahal batasnya {due}.\nMohon pastikan aduan ini segera diperiksa.",
        "Kabid: verifikasi aduan terlambat",
    ),
    "escalation_dispatch_late": (
        "PERINGATAN — aduan *{code}* ({category}, {priority}) sudah diverifikasi tetapi belum "
        "ditugaskan ke tim TRC, padahal batasnya {due}.\nMohon segera putuskan tindak "
        "lanjutnya.",
        "Kabid: penugasan aduan terlambat",
    ),
    "escalation_done_late": (
        "PERINGATAN — penanganan aduan *{code}* ({category}, {priority}) oleh tim {team} "
        "melewati batas {due}.\nStatus sekarang: {status}.",
        "Pimpinan: penanganan aduan terlambat",
    ),
    "trc_accept_reminder": (
        "PENGINGAT — penugasan aduan *{code}* ({category}, {priority}) untuk tim {team} belum "
        "dikonfirmasi sejak {dispatched}.\nLokasi: {place}\nSegera konfirmasi penugasan ini.",
        "TRC: penugasan belum dikonfirmasi",
    ),
    "escalation_not_accepted": (
        "PERINGATAN — penugasan aduan *{code}* ({category}, {priority}) untuk tim {team} belum "
        "dikonfirmasi sejak {dispatched}, meski tim sudah diingatkan.\nPertimbangkan "
        "menghubungi tim atau menugaskan tim lain.",
        "Kabid: penugasan tidak dikonfirmasi tim",
    ),
}


# What the workflow notifies (each has an approved template); DEFAULTS also holds the
# bot's texts, registered by the bot app.
NOTIFICATION_KINDS = frozenset(DEFAULTS)

# The longest each text may be, where it is shorter than a text message's 4096 characters
# (a button title, a list row): checked when the superadmin saves it.
LIMITS: dict[str, int] = {}
TEXT_MAX = 4096


def register(defaults: dict[str, tuple[str, str]], limits: dict[str, int]) -> None:
    """Another app's texts (the bot's) join the editable set."""
    DEFAULTS.update(defaults)
    LIMITS.update(limits)


def limit(key: str) -> int:
    return LIMITS.get(key, TEXT_MAX)


# Filled in for every text from the service profile.
GLOBAL_PLACEHOLDERS = ("agency", "service")


class _Keep(dict):
    def __missing__(self, key):
        return "{" + key + "}"


# The edited texts and the service's names, read once per CACHE_SECONDS per process (a bot
# answer uses a dozen texts); a save in this process clears it at once.
CACHE_SECONDS = 5.0
_cache: dict = {}


def clear_cache(**_kwargs) -> None:
    _cache.clear()


def _loaded() -> dict:
    from lalisa.notifications.models import MessageText
    from lalisa.service.models import ServiceProfile

    now = time.monotonic()
    if _cache and now - _cache["at"] < CACHE_SECONDS:
        return _cache
    try:
        texts = dict(MessageText.objects.values_list("key", "text"))
        profile = ServiceProfile.get()
        names = {"agency": profile.agency_name, "service": profile.service_name}
    except DatabaseError:
        return {"texts": {}, "names": {"agency": "", "service": ""}}
    _cache.update(at=now, texts=texts, names=names)
    return _cache


def template(key: str) -> str:
    return _loaded()["texts"].get(key) or DEFAULTS[key][0]


def render(key: str, **params) -> str:
    """The text for `key`; {agency} and {service} come from the service profile."""
    values = dict(_loaded()["names"])
    values.update({k: "" if v is None else v for k, v in params.items()})
    return template(key).format_map(_Keep(values))


def ensure_rows(model) -> int:
    """Create a row for every default not yet in the database, so the superadmin sees it."""
    existing = set(model.objects.values_list("key", flat=True))
    missing = [
        model(key=key, text=text, description=desc)
        for key, (text, desc) in DEFAULTS.items()
        if key not in existing
    ]
    model.objects.bulk_create(missing)
    return len(missing)
