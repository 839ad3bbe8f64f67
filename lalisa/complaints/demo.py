"""Demo data for `lalisa loaddemo`: staff logins, TRC teams at real posts in Balangan, and
complaints in every state of the flow, made by the real workflow functions.

Idempotent: staff and teams are updated in place; the complaints are made once (a complaint
of a demo reporter means the set is there). Only the passwords change on every run, unless
LALISA_DEMO_PASSWORD fixes them.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from lalisa.accounts.models import Role, User
from lalisa.complaints import workflow
from lalisa.complaints.models import (
    Category,
    Complaint,
    Confidentiality,
    Dispatch,
    Event,
    Rating,
    Reporter,
    Source,
    Supporter,
)
from lalisa.notifications.models import Notification
from lalisa.regions.models import Desa, Kecamatan
from lalisa.teams.models import TrcTeam
from lalisa.timefmt import WITA

PASSWORD_ENV = "LALISA_DEMO_PASSWORD"  # noqa: S105 (a variable's name, not a password)
# No look-alikes (0/O, 1/l/I): the password is read off a screen and typed.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # noqa: S105

MAKO = "TRC Mako Satpol PP"
PASAR = "TRC Pos Pasar Paringin"
JUAI = "TRC Pos Juai"
AWAYAN = "TRC Pos Awayan"


# --- staff and teams -------------------------------------------------------------------


@dataclass(frozen=True)
class TeamSpec:
    name: str
    post_name: str
    lat: str
    lng: str
    kecamatan: tuple[str, ...]


TEAMS = [
    TeamSpec(
        MAKO,
        "Kantor Satpol PP Kabupaten Balangan, Batu Piring, Paringin Selatan",
        "-2.373500",
        "115.469500",
        ("Paringin Selatan",),
    ),
    TeamSpec(
        PASAR,
        "Pos Pasar Paringin, Paringin Kota",
        "-2.333000",
        "115.466000",
        ("Paringin", "Batu Mandi"),
    ),
    TeamSpec(JUAI, "Pos Kecamatan Juai", "-2.205000", "115.470000", ("Juai", "Halong")),
    TeamSpec(
        AWAYAN,
        "Pos Kecamatan Awayan",
        "-2.455000",
        "115.420000",
        ("Awayan", "Tebing Tinggi", "Lampihong"),
    ),
]


@dataclass(frozen=True)
class StaffSpec:
    username: str
    role: str
    first_name: str
    last_name: str = ""
    whatsapp: str | None = None
    team: str | None = None


# The five logins of DESIGN.md first; then the other members of the TRC teams.
STAFF = [
    StaffSpec("demo-admin", Role.ADMIN, "Nurul", "Hidayah", "+62811000001"),
    StaffSpec("demo-kabid", Role.KABID, "Ahmad", "Rifani", "+62811000002"),
    StaffSpec("demo-trc", Role.TRC, "Muhammad", "Ridwan", "+62811000003", MAKO),
    StaffSpec("demo-pimpinan", Role.PIMPINAN, "H. Syahrani", ""),
    StaffSpec("demo-superadmin", Role.SUPERADMIN, "Rina", "Marlina"),
    StaffSpec("demo-trc-mako2", Role.TRC, "Fajar", "Maulana", "+62811000004", MAKO),
    StaffSpec("demo-trc-pasar1", Role.TRC, "Rusdiansyah", "", "+62811000005", PASAR),
    StaffSpec("demo-trc-pasar2", Role.TRC, "Ahmad", "Fahrianoor", "+62811000006", PASAR),
    StaffSpec("demo-trc-pasar3", Role.TRC, "Siti", "Norhayati", "+62811000007", PASAR),
    StaffSpec("demo-trc-juai1", Role.TRC, "Hendra", "Saputra", "+62811000008", JUAI),
    StaffSpec("demo-trc-juai2", Role.TRC, "Gusti", "Rahmat", "+62811000009", JUAI),
    StaffSpec("demo-trc-awayan1", Role.TRC, "Abdul", "Hamid", "+62811000010", AWAYAN),
    StaffSpec("demo-trc-awayan2", Role.TRC, "Yusuf", "Habibi", "+62811000011", AWAYAN),
]


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    name: str
    password: str | None  # None: the one from LALISA_DEMO_PASSWORD


def random_password() -> str:
    return "-".join(
        "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(4)) for _ in range(3)
    )


def ensure_teams() -> dict[str, TrcTeam]:
    teams = {}
    for spec in TEAMS:
        team, _ = TrcTeam.objects.update_or_create(
            name=spec.name,
            defaults={
                "post_name": spec.post_name,
                "post_lat": Decimal(spec.lat),
                "post_lng": Decimal(spec.lng),
                "active": True,
            },
        )
        team.kecamatan.set(Kecamatan.objects.filter(name__in=spec.kecamatan))
        teams[spec.name] = team
    return teams


def ensure_staff(password: str | None = None) -> list[Login]:
    """Teams and demo users, created or brought back to their demo settings.

    Every user gets `password`, or (None) a new random one each: printed by the caller,
    because a newcomer must be able to log in.
    """
    with transaction.atomic():
        teams = ensure_teams()
        logins = []
        for spec in STAFF:
            user = User.objects.filter(username=spec.username).first() or User(
                username=spec.username
            )
            user.role = spec.role
            user.first_name, user.last_name = spec.first_name, spec.last_name
            user.whatsapp = spec.whatsapp
            user.team = teams[spec.team] if spec.team else None
            user.is_active = True
            # Django's admin pages are the setup pages; they need the model permissions.
            user.is_superuser = spec.role == Role.SUPERADMIN
            secret = password or random_password()
            user.set_password(secret)
            user.save()
            logins.append(
                Login(
                    spec.username,
                    Role(spec.role).label,
                    user.get_full_name(),
                    None if password else secret,
                )
            )
    return logins


# --- citizens --------------------------------------------------------------------------

# Fake BSUIDs (ID.99…) and numbers (+62813000001xx), so nobody real gets a message.
REPORTERS: dict[str, dict] = {
    "siti": {
        "user_id": "ID.9900000000000001",
        "phone": "+6281300000101",
        "wa": True,
        "profile_name": "Siti Aminah",
    },
    "rahmat": {"user_id": "ID.9900000000000002", "profile_name": "Rahmat"},
    "norhasanah": {
        "user_id": "ID.9900000000000003",
        "phone": "+6281300000103",
        "wa": True,
        "profile_name": "Norhasanah",
    },
    "dedi": {"user_id": "ID.9900000000000004", "profile_name": "dedi_blg"},
    "mariani": {
        "user_id": "ID.9900000000000005",
        "phone": "+6281300000105",
        "wa": True,
        "profile_name": "Mariani",
    },
    "hairul": {
        "user_id": "ID.9900000000000006",
        "phone": "+6281300000106",
        "wa": True,
        "profile_name": "Hairul Anwar",
    },
    "akhmad": {"user_id": "ID.9900000000000007", "profile_name": "Akhmad"},
    "yuni": {
        "user_id": "ID.9900000000000008",
        "phone": "+6281300000108",
        "wa": True,
        "profile_name": "Yuni Kartika",
    },
    "bambang": {"user_id": "ID.9900000000000009", "profile_name": "Bambang S."},
    "fitri": {
        "user_id": "ID.9900000000000010",
        "phone": "+6281300000110",
        "wa": True,
        "profile_name": "Fitri",
    },
    "lina": {"user_id": "ID.9900000000000011", "profile_name": "Lina"},
    "wahyu": {
        "user_id": "ID.9900000000000012",
        "phone": "+6281300000112",
        "wa": True,
        "profile_name": "Wahyu Hidayat",
    },
    "agus": {"user_id": "ID.9900000000000013", "profile_name": "Agus Salim"},
    "nadia": {
        "user_id": "ID.9900000000000014",
        "phone": "+6281300000114",
        "wa": True,
        "profile_name": "Nadia",
    },
    "rizky": {"user_id": "ID.9900000000000015", "profile_name": "Rizky"},
    "wulan": {"user_id": "ID.9900000000000016", "profile_name": "Wulan"},
    # Known to the office only by name and number: they phoned or came in person.
    "halimah": {"phone": "+6281300000117", "name": "Ibu Halimah"},
    "arsyad": {"phone": "+6281300000118", "name": "H. Muhammad Arsyad"},
}
DEMO_BSUIDS = [r["user_id"] for r in REPORTERS.values() if r.get("user_id")]


def _reporter(key: str) -> Reporter:
    spec = REPORTERS[key]
    values = {
        "phone": spec.get("phone"),
        "wa_id": spec["phone"].lstrip("+") if spec.get("wa") else None,
        "profile_name": spec.get("profile_name", ""),
        "name": spec.get("name", ""),
    }
    if spec.get("user_id"):
        reporter, _ = Reporter.objects.get_or_create(user_id=spec["user_id"], defaults=values)
        return reporter
    found = Reporter.objects.filter(user_id=None, phone=spec["phone"], name=spec["name"]).first()
    return found or Reporter.objects.create(**values)


# --- complaints ------------------------------------------------------------------------


def m(minutes: float) -> dt.timedelta:
    return dt.timedelta(minutes=minutes)


def h(hours: float) -> dt.timedelta:
    return dt.timedelta(hours=hours)


@dataclass(frozen=True)
class Step:
    name: str
    after: dt.timedelta  # since receipt
    by: str = ""  # admin, kabid, team, reporter, supporter:<key>, system; "" = the usual one
    args: dict = field(default_factory=dict)


def step(name, after, by="", **args) -> Step:
    return Step(name, after, by, args)


@dataclass(frozen=True)
class Scene:
    key: str
    category: str
    kecamatan: str
    desa: str
    address: str
    lat: str
    lng: str
    description: str
    reporter: str | None
    # Received `days` days ago at the WITA clock time `clock`, or `ago` before now.
    days: int = 0
    clock: str = ""
    ago: dt.timedelta | None = None
    confidentiality: str = Confidentiality.BIASA
    source: str = Source.WHATSAPP
    reason: str = ""
    steps: tuple[Step, ...] = ()
    supporters: tuple[tuple[str, dt.timedelta], ...] = ()


SCENES = [
    Scene(
        "pkl-taman-kota",
        "pkl",
        "Paringin",
        "Paringin Kota",
        "Trotoar Jl. A. Yani depan Taman Kota Paringin",
        "-2.335200",
        "115.464100",
        "Banyak pedagang kaki lima berjualan di trotoar Jalan A. Yani depan Taman Kota "
        "Paringin sejak sore. Pejalan kaki terpaksa turun ke badan jalan.",
        "siti",
        days=16,
        clock="16:20",
        steps=(
            step("verify", m(35)),
            step("dispatch", m(110), team=PASAR),
            step("accept", m(125)),
            step("arrive", m(150)),
            step(
                "complete",
                m(200),
                outcome="teguran_lisan",
                note="Pedagang diberi teguran lisan dan diarahkan pindah ke area parkir "
                "pasar. Trotoar sudah bersih.",
            ),
            step("rate", h(5), score=5, comment="Terima kasih, cepat sekali ditangani."),
        ),
        supporters=(("rahmat", m(60)),),
    ),
    Scene(
        "reklame-batumandi",
        "reklame-liar",
        "Batu Mandi",
        "Batumandi",
        "Sepanjang jalan utama Batumandi",
        "-2.290500",
        "115.391800",
        "Baliho dan spanduk promosi dipaku di pohon peneduh sepanjang jalan utama "
        "Batumandi. Sebagian sudah robek dan menutupi rambu lalu lintas.",
        "norhasanah",
        days=14,
        clock="09:10",
        steps=(
            step("verify", m(50)),
            step("dispatch", h(3), team=MAKO),
            step(
                "dispatch",
                m(220),
                team=PASAR,
                reason="Tim Pos Pasar Paringin lebih dekat ke Batumandi.",
            ),
            step("accept", h(4)),
            step("arrive", m(285)),
            step(
                "complete",
                m(390),
                outcome="penertiban",
                note="Delapan baliho dan spanduk tanpa izin diturunkan dan dibawa ke Mako "
                "Satpol PP.",
            ),
            step("close", h(50), reason="Penertiban selesai; pelapor tidak memberi nilai."),
        ),
    ),
    Scene(
        "organ-tunggal-lampihong",
        "kebisingan",
        "Lampihong",
        "Lampihong Kanan",
        "Dekat lapangan voli Desa Lampihong Kanan",
        "-2.389200",
        "115.331500",
        "Acara organ tunggal di Desa Lampihong Kanan berlangsung sampai pukul 02.00. "
        "Suaranya sangat keras dan mengganggu warga yang mau beristirahat.",
        "dedi",
        days=12,
        clock="23:15",
        confidentiality=Confidentiality.ANONIM,
        steps=(
            step("verify", h(9)),
            step("dispatch", h(11), team=AWAYAN),
            step("accept", m(680)),
            step("arrive", m(750)),
            step(
                "complete",
                m(810),
                outcome="pembinaan",
                note="Panitia dan pemilik sound system diberi pembinaan; disepakati acara "
                "hiburan selesai paling lambat pukul 23.00.",
            ),
            step("auto_close", m(810) + h(72) + m(4)),
        ),
    ),
    Scene(
        "pengemis-pasar",
        "gepeng",
        "Paringin",
        "Paringin Kota",
        "Area parkir Pasar Paringin",
        "-2.333400",
        "115.466500",
        "Beberapa pengemis, termasuk anak-anak, meminta-minta di area parkir Pasar Paringin "
        "pada jam ramai.",
        "mariani",
        days=10,
        clock="10:30",
        steps=(
            step("verify", m(40)),
            step("dispatch", h(2), team=PASAR),
            step("accept", m(135)),
            step("arrive", m(155)),
            step(
                "complete",
                m(210),
                outcome="diserahkan",
                note="Dua pengemis dewasa dan tiga anak didata, lalu diserahkan ke Dinas "
                "Sosial untuk pembinaan.",
            ),
            step("rate", h(26), score=4, comment="Sudah ditertibkan, semoga tidak kembali."),
            step("rate", h(28), by="supporter:hairul", score=5),
        ),
        supporters=(("hairul", m(70)),),
    ),
    Scene(
        "miras-halong",
        "miras",
        "Halong",
        "Halong",
        "Warung dekat Pasar Halong",
        "-2.104600",
        "115.580900",
        "Ada warung dekat Pasar Halong yang diduga menjual minuman keras oplosan kepada "
        "remaja pada malam hari.",
        "akhmad",
        days=9,
        clock="19:40",
        confidentiality=Confidentiality.RAHASIA,
        steps=(
            step("verify", m(770)),
            step("dispatch", h(14), team=JUAI),
            step("accept", m(870)),
            step("arrive", m(990)),
            step(
                "complete",
                m(1050),
                outcome="tidak_ditemukan",
                note="Warung diperiksa bersama aparat desa; tidak ditemukan minuman keras.",
            ),
            step("close", h(40), by="kabid", reason="Tidak ditemukan pelanggaran."),
        ),
    ),
    Scene(
        "keributan-mantimin",
        "gangguan-trantibum",
        "Batu Mandi",
        "Mantimin",
        "Pos ronda Desa Mantimin",
        "-2.281000",
        "115.401200",
        "Penelepon melaporkan sekelompok pemuda mabuk membuat keributan di pos ronda Desa "
        "Mantimin dan menantang warga yang menegur.",
        "halimah",
        days=7,
        clock="21:05",
        source=Source.PHONE,
        reason="Laporan lewat telepon piket.",
        steps=(
            step("verify", m(10)),
            step("dispatch", m(25), team=PASAR),
            step("accept", m(30)),
            step("arrive", m(70)),
            step(
                "complete",
                m(120),
                outcome="teguran_lisan",
                note="Para pemuda dibubarkan dan diberi teguran lisan, disaksikan ketua RT.",
            ),
            step("close", h(36), reason="Pelapor sudah dihubungi lewat telepon dan puas."),
        ),
    ),
    Scene(
        "utang-tetangga",
        "lainnya",
        "Paringin",
        "Balang",
        "Desa Balang",
        "-2.318000",
        "115.452000",
        "Tetangga saya meminjam uang dua juta rupiah dan sampai sekarang tidak mau "
        "mengembalikan. Mohon Satpol PP menagihnya.",
        "yuni",
        days=11,
        clock="13:00",
        steps=(
            step(
                "reject",
                m(45),
                reason="Utang-piutang adalah urusan perdata, bukan kewenangan Satpol PP. "
                "Silakan menempuh musyawarah desa atau jalur hukum.",
                reason_code="bukan_kewenangan",
            ),
        ),
    ),
    Scene(
        "rumput-inan",
        "perda-lain",
        "Paringin Selatan",
        "Inan",
        "Rumah kosong di Desa Inan",
        "-2.381000",
        "115.486000",
        "Rumput di halaman rumah kosong samping rumah saya di Desa Inan sudah tinggi dan "
        "jadi sarang nyamuk dan ular.",
        "bambang",
        days=8,
        clock="10:00",
        steps=(
            step("verify", h(1)),
            step(
                "decline",
                h(4),
                reason="Tidak memerlukan penertiban oleh TRC; diteruskan sebagai saran "
                "kepada Pemerintah Desa Inan.",
            ),
        ),
    ),
    Scene(
        "jalan-berlubang",
        "lainnya",
        "Paringin",
        "Balang",
        "Ruas jalan Paringin–Lampihong dekat Desa Balang",
        "-2.322500",
        "115.441000",
        "Jalan berlubang besar di ruas Paringin–Lampihong dekat Desa Balang. Sudah dua "
        "pengendara motor terjatuh minggu ini.",
        "fitri",
        days=6,
        clock="07:45",
        steps=(
            step(
                "refer",
                m(75),
                agency="Dinas PUPR Kabupaten Balangan",
                reason="Perbaikan jalan kewenangan Dinas PUPR.",
            ),
        ),
    ),
    Scene(
        "narkoba-terminal",
        "gangguan-trantibum",
        "Paringin",
        "Paringin Timur",
        "Pondok kosong di belakang terminal Paringin",
        "-2.336800",
        "115.470200",
        "Diduga ada transaksi narkoba di pondok kosong belakang terminal Paringin, banyak "
        "orang asing datang dan pergi tengah malam.",
        "lina",
        days=5,
        clock="20:30",
        confidentiality=Confidentiality.RAHASIA,
        steps=(
            step("verify", h(12)),
            step(
                "refer",
                h(14),
                by="kabid",
                agency="Satresnarkoba Polres Balangan",
                reason="Dugaan tindak pidana narkotika adalah kewenangan kepolisian.",
            ),
        ),
    ),
    Scene(
        "lapak-pasar",
        "pkl",
        "Paringin",
        "Paringin Kota",
        "Jl. Pasar Paringin",
        "-2.332800",
        "115.465800",
        "Lapak pedagang sayur dan ikan memakan badan jalan di depan Pasar Paringin setiap "
        "pagi; mobil sulit lewat dan sering macet.",
        "norhasanah",
        days=2,
        clock="07:10",
        steps=(step("verify", m(80)), step("dispatch", h(3), team=PASAR)),
    ),
    Scene(
        "lapak-pasar-lagi",
        "pkl",
        "Paringin",
        "Paringin Kota",
        "Depan Pasar Paringin",
        "-2.333100",
        "115.465900",
        "Pedagang di depan Pasar Paringin berjualan di jalan, macet tiap pagi.",
        "wahyu",
        days=2,
        clock="11:30",
        steps=(
            step(
                "mark_duplicate",
                m(20),
                of="lapak-pasar",
                reason="Lokasi dan masalah sama dengan aduan sebelumnya.",
            ),
        ),
    ),
    Scene(
        "ternak-juai",
        "perda-lain",
        "Juai",
        "Juai",
        "Jalan poros Juai–Halong",
        "-2.201500",
        "115.474000",
        "Sapi milik warga dilepas dan berkeliaran di jalan poros Juai–Halong; berbahaya "
        "bagi pengendara pada malam hari.",
        "agus",
        days=1,
        clock="15:00",
        steps=(
            step("verify", m(30)),
            step("dispatch", h(2), team=JUAI),
            step("accept", m(140)),
            step("arrive", m(200)),
            step(
                "complete",
                m(270),
                outcome="teguran_tertulis",
                note="Pemilik ternak diberi teguran tertulis dan diminta mengandangkan sapi.",
            ),
        ),
    ),
    Scene(
        "warung-drainase",
        "bangunan-tanpa-izin",
        "Paringin Selatan",
        "Batu Piring",
        "Jl. A. Yani Km 2, Batu Piring",
        "-2.369000",
        "115.470500",
        "Warung semi permanen dibangun di atas saluran drainase di Jalan A. Yani Km 2, "
        "Batu Piring. Air meluap ke jalan setiap hujan.",
        "nadia",
        days=1,
        clock="09:00",
        steps=(
            step("verify", m(40)),
            step("dispatch", h(3), team=MAKO),
            step("accept", m(195)),
            step("arrive", m(220)),
        ),
    ),
    Scene(
        "perkelahian-lapangan",
        "perkelahian",
        "Paringin",
        "Paringin Kota",
        "Depan Lapangan Pangeran Antasari, Paringin",
        "-2.331800",
        "115.462500",
        "Ada perkelahian antarkelompok pemuda di depan Lapangan Pangeran Antasari. Ada yang "
        "membawa senjata tajam, warga takut mendekat.",
        "rizky",
        ago=m(25),
        confidentiality=Confidentiality.ANONIM,
        steps=(
            step("verify", m(4)),
            step("dispatch", m(7), team=PASAR),
            step("accept", m(9)),
        ),
    ),
    Scene(
        "knalpot-perkantoran",
        "kebisingan",
        "Paringin Selatan",
        "Batu Piring",
        "Jalan lingkar Perkantoran Pemkab Balangan",
        "-2.377000",
        "115.472000",
        "Balap liar motor berknalpot brong hampir setiap malam di jalan lingkar Perkantoran "
        "Pemkab Balangan, Batu Piring.",
        "siti",
        days=1,
        clock="21:30",
        steps=(step("verify", h(11)), step("dispatch", h(13), team=MAKO)),
    ),
    Scene(
        "tuak-murung-abuin",
        "miras",
        "Paringin Selatan",
        "Murung Abuin",
        "Ujung Desa Murung Abuin",
        "-2.390000",
        "115.480000",
        "Warung di ujung Desa Murung Abuin diduga menjual tuak dan minuman keras oplosan "
        "setiap malam; sering ada pemuda mabuk.",
        "akhmad",
        days=1,
        clock="20:10",
        confidentiality=Confidentiality.RAHASIA,
        steps=(step("verify", m(750)),),
    ),
    Scene(
        "ternak-jalan-lingkar",
        "perda-lain",
        "Paringin",
        "Lasung Batu",
        "Jalan Lingkar Paringin arah Lasung Batu",
        "-2.321000",
        "115.474500",
        "Sapi dan kambing berkeliaran di Jalan Lingkar Paringin, kotorannya di mana-mana.",
        "hairul",
        days=3,
        clock="06:40",
        steps=(
            step(
                "request_info",
                m(110),
                question="Mohon sebutkan titik tepatnya dan jam berapa ternak biasanya "
                "berkeliaran.",
            ),
            step(
                "answer_info",
                m(170),
                answer="Dekat simpang Jalan Lingkar ke arah Lasung Batu, biasanya pagi pukul "
                "06.00–08.00.",
            ),
            step("verify", m(200)),
        ),
    ),
    Scene(
        "pengemis-lampu-merah",
        "gepeng",
        "Paringin",
        "Paringin Timur",
        "Simpang empat lampu merah Paringin",
        "-2.334100",
        "115.467200",
        "Ada anak-anak mengemis di simpang empat lampu merah Paringin.",
        "wulan",
        clock="11:20",
        steps=(
            step(
                "request_info",
                m(25),
                question="Mohon kirim foto dan sebutkan jam berapa biasanya mereka ada di sana.",
            ),
        ),
    ),
    Scene(
        "hajatan-lasung-batu",
        "kebisingan",
        "Paringin",
        "Lasung Batu",
        "Desa Lasung Batu RT 03",
        "-2.320000",
        "115.475000",
        "Suara musik dari pesta pernikahan di Desa Lasung Batu sangat keras sejak sore dan "
        "belum berhenti, mengganggu warga sekitar.",
        "mariani",
        clock="21:20",
    ),
    Scene(
        "pedagang-bundaran",
        "pkl",
        "Paringin",
        "Paringin Kota",
        "Bahu Jl. A. Yani dekat Bundaran Paringin",
        "-2.334600",
        "115.465300",
        "Pedagang buah berjualan di bahu Jalan A. Yani dekat Bundaran Paringin; motor "
        "pembeli parkir sembarangan dan mengganggu lalu lintas.",
        "dedi",
        clock="16:30",
        confidentiality=Confidentiality.ANONIM,
    ),
    Scene(
        "spanduk-halong",
        "reklame-liar",
        "Halong",
        "Halong",
        "Sepanjang jalan Desa Halong",
        "-2.106000",
        "115.579000",
        "Spanduk iklan rokok dan promosi dipasang di tiang listrik sepanjang jalan Desa "
        "Halong; sebagian menutupi rambu lalu lintas.",
        "bambang",
        days=2,
        clock="10:00",
        supporters=(("wahyu", h(5)),),
    ),
    Scene(
        "ruko-sempadan",
        "bangunan-tanpa-izin",
        "Paringin Selatan",
        "Batu Piring",
        "Sempadan Sungai Balangan, Kelurahan Batu Piring",
        "-2.374500",
        "115.463000",
        "Pelapor datang ke kantor: ruko sedang dibangun di sempadan Sungai Balangan, "
        "Kelurahan Batu Piring, tanpa papan PBG.",
        "arsyad",
        clock="10:15",
        source=Source.WALK_IN,
        reason="Pelapor datang langsung ke Mako Satpol PP.",
    ),
    Scene(
        "remaja-taman",
        "gangguan-trantibum",
        "Paringin",
        "Paringin Kota",
        "Taman Kota Paringin",
        "-2.335500",
        "115.463800",
        "Unggahan di grup Facebook warga Balangan: sekelompok remaja sering berkumpul dan "
        "minum-minum di Taman Kota Paringin pada malam hari.",
        None,
        clock="08:15",
        source=Source.SOCIAL_MEDIA,
        reason="Dari unggahan grup Facebook warga.",
    ),
]

# Steps taken by someone other than the admin, when the scene does not say.
_DEFAULT_ACTOR = {
    "dispatch": "kabid",
    "decline": "kabid",
    "accept": "team",
    "arrive": "team",
    "complete": "team",
    "answer_info": "reporter",
    "rate": "reporter",
    "auto_close": "system",
}
# Time fields the workflow stamps with timezone.now(); moved back to the scene's moment.
_COMPLAINT_TIMES = (
    "verified_at",
    "dispatched_at",
    "accepted_at",
    "on_site_at",
    "done_at",
    "closed_at",
    "updated_at",
)
_DISPATCH_TIMES = ("dispatched_at", "accepted_at", "arrived_at", "completed_at", "replaced_at")


def demo_loaded() -> bool:
    """The demo complaints are there (they are made in one transaction: all or none)."""
    return Complaint.objects.filter(reporter__user_id__in=DEMO_BSUIDS).exists()


def _received_at(scene: Scene, now: dt.datetime) -> dt.datetime:
    if scene.ago is not None:
        return now - scene.ago
    hour, minute = map(int, scene.clock.split(":"))
    day = now.astimezone(WITA).date() - dt.timedelta(days=scene.days)
    received = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=WITA)
    last = max((s.after for s in scene.steps), default=dt.timedelta(0))
    # Keep the clock time; go back whole days until every step lies in the past.
    while received + last > now - m(2):
        received -= dt.timedelta(days=1)
    return received


def _backdate(complaint_ids: list[int], when: dt.datetime, since: dt.datetime) -> None:
    """Whatever the last step stamped with the real clock (>= since) gets `when` instead.

    Only times: statuses come from the workflow and are never touched here.
    """
    for model, names, rows in (
        (Complaint, _COMPLAINT_TIMES, Complaint.objects.filter(pk__in=complaint_ids)),
        (Dispatch, _DISPATCH_TIMES, Dispatch.objects.filter(complaint_id__in=complaint_ids)),
    ):
        for pk, *times in rows.values_list("pk", *names):
            stamped = {n: when for n, t in zip(names, times, strict=True) if t and t >= since}
            if stamped:
                model.objects.filter(pk=pk).update(**stamped)
    for model, name in (
        (Event, "created_at"),
        (Notification, "created_at"),
        (Rating, "created_at"),
        (Supporter, "joined_at"),
    ):
        model.objects.filter(complaint_id__in=complaint_ids, **{f"{name}__gte": since}).update(
            **{name: when}
        )


class _Player:
    """Plays the scenes through the workflow functions, in the order they happened."""

    def __init__(self, now: dt.datetime):
        self.now = now
        self.users = {u.username: u for u in User.objects.filter(username__startswith="demo-")}
        self.teams = {t.name: t for t in TrcTeam.objects.filter(name__in=[t.name for t in TEAMS])}
        self.members = {}
        for spec in STAFF:
            if spec.team:
                self.members.setdefault(spec.team, self.users[spec.username])
        self.made: dict[str, Complaint] = {}

    def actor(self, who: str, complaint: Complaint):
        if who == "admin":
            return self.users["demo-admin"]
        if who == "kabid":
            return self.users["demo-kabid"]
        if who == "team":
            return self.members[complaint.active_dispatch.team.name]
        if who == "reporter":
            return complaint.reporter
        if who.startswith("supporter:"):
            return Reporter.objects.get(user_id=REPORTERS[who.split(":", 1)[1]]["user_id"])
        if who == "system":
            return workflow.SYSTEM
        raise ValueError(f"unknown demo actor {who!r}")

    def play(self, scene: Scene) -> Complaint:
        received = _received_at(scene, self.now)
        reporter = _reporter(scene.reporter) if scene.reporter else None
        kecamatan = Kecamatan.objects.get(name=scene.kecamatan)
        filer = reporter if scene.source == Source.WHATSAPP else self.users["demo-admin"]
        complaint = workflow.file_complaint(
            actor=filer,
            category=Category.objects.get(code=scene.category),
            description=scene.description,
            source=scene.source,
            reporter=reporter,
            confidentiality=scene.confidentiality,
            lat=Decimal(scene.lat),
            lng=Decimal(scene.lng),
            address=scene.address,
            kecamatan=kecamatan,
            desa=Desa.objects.get(name=scene.desa, kecamatan=kecamatan),
            received_at=received,
            reason=scene.reason,
        )
        _backdate([complaint.pk], received, self.now)
        for key, after in scene.supporters:
            Supporter.objects.get_or_create(
                complaint=complaint,
                reporter=_reporter(key),
                defaults={"joined_at": received + after},
            )
        for st in scene.steps:
            complaint = self.take(complaint, st, received + st.after)
        self.made[scene.key] = complaint
        return complaint

    def take(self, complaint: Complaint, st: Step, when: dt.datetime) -> Complaint:
        who = self.actor(st.by or _DEFAULT_ACTOR.get(st.name, "admin"), complaint)
        args = dict(st.args)
        touched = [complaint.pk]
        if "team" in args:
            args["team"] = self.teams[args["team"]]
        if "of" in args:
            args["of"] = self.made[args["of"]]
            touched.append(args["of"].pk)
        if st.name == "auto_close":
            complaint = workflow.auto_close(complaint, now=when)
        else:
            complaint = getattr(workflow, st.name)(complaint, actor=who, **args)
        _backdate(touched, when, self.now)
        return complaint


def load_complaints(now: dt.datetime | None = None) -> int:
    """Make the demo complaints unless they are there; returns how many were made."""
    now = now or timezone.now()
    with transaction.atomic():
        if demo_loaded():
            return 0
        player = _Player(now)
        scenes = sorted(SCENES, key=lambda s: _received_at(s, now))
        for scene in scenes:
            player.play(scene)
        # The citizens were "known" from their first message on.
        for reporter in Reporter.objects.filter(complaints__in=player.made.values()).distinct():
            times = reporter.complaints.aggregate(
                first=Min("received_at"), last=Max("received_at")
            )
            Reporter.objects.filter(pk=reporter.pk).update(
                created_at=times["first"], last_inbound_at=times["last"]
            )
        return len(player.made)


@dataclass
class Result:
    logins: list[Login]
    complaints: int  # made by this run; 0 when they were already there


def load(password: str | None = None) -> Result:
    """Everything `lalisa loaddemo` makes. `password` defaults to LALISA_DEMO_PASSWORD."""
    password = password or os.environ.get(PASSWORD_ENV) or None
    logins = ensure_staff(password)
    return Result(logins, load_complaints())
