"""Synthetic complaints for benchmarks and reports (`lalisa seed --complaints N`).

Each complaint's life is simulated in memory — who acted, when, what came of it — and
written with bulk_create in batches, one transaction per batch. The workflow functions are
not called (far too slow for 10^5 complaints); the rows are the ones they would write: the
same statuses, event kinds and event data, dispatch rows, due times from the SLA targets.
No notifications are queued: nobody is to be told of made-up complaints.

The same seed at the same moment gives the same complaints. Status depends on age (a
complaint received an hour ago is still open), so "now" is a parameter.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import random
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, connections, models, router, transaction
from django.db.models import F
from django.utils import timezone

from lalisa.accounts.models import Role, User
from lalisa.complaints.models import (
    OPEN_STATUSES,
    Category,
    Complaint,
    Confidentiality,
    Dispatch,
    Event,
    Outcome,
    Priority,
    Rating,
    Reporter,
    Source,
    Status,
    Supporter,
    TicketCounter,
)
from lalisa.regions.models import Desa, Kecamatan
from lalisa.sla.calendar import DAY_START
from lalisa.sla.due import DUE_FIELDS, DueClock, refresh_due_at
from lalisa.teams.models import TrcTeam
from lalisa.timefmt import WITA

S = Status
STAFF, CITIZEN, SYSTEM = Event.Actor.STAFF, Event.Actor.CITIZEN, Event.Actor.SYSTEM
BATCH = 2000
AUTO_CLOSE_AFTER = dt.timedelta(hours=72)

# --- what Balangan's complaints look like ----------------------------------------------

CATEGORY_WEIGHTS = {
    "pkl": 17,
    "kebisingan": 16,
    "gangguan-trantibum": 13,
    "perda-lain": 11,
    "lainnya": 9,
    "miras": 8,
    "reklame-liar": 8,
    "bangunan-tanpa-izin": 7,
    "gepeng": 6,
    "perkelahian": 5,
}
# Reported mostly in the evening and at night, and on Saturday night (malam Minggu).
NIGHT_CATEGORIES = {"kebisingan", "perkelahian", "miras", "gangguan-trantibum"}
# Town problems: more in Paringin (the highest disturbance potential) and Paringin Selatan.
TOWN_CATEGORIES = {"pkl", "gepeng", "reklame-liar", "bangunan-tanpa-izin"}
KECAMATAN_WEIGHTS = {
    "Paringin": 30,
    "Paringin Selatan": 16,
    "Batu Mandi": 12,
    "Juai": 10,
    "Lampihong": 10,
    "Awayan": 9,
    "Halong": 8,
    "Tebing Tinggi": 5,
}
TOWN_FACTOR = {"Paringin": 2.0, "Paringin Selatan": 1.5}

# Weight of each WITA hour 0..23.
DAY_HOURS = [
    1,
    0.5,
    0.3,
    0.3,
    0.5,
    1.5,
    4,
    7,
    9,
    10,
    10,
    9,
    8,
    8,
    8,
    7,
    6,
    5,
    4,
    3.5,
    3,
    2.5,
    2,
    1.5,
]
NIGHT_HOURS = [6, 4, 2.5, 1.2, .6, .4, .5, .8, 1, 1.2, 1.3, 1.4, 1.5, 1.5, 1.6, 1.8, 2.2, 3, 4.5,
               6, 8, 9.5, 10, 8.5]  # fmt: skip
# Weight of each weekday, Monday first.
DAY_WEEKDAYS = [1.1, 1.05, 1.0, 1.0, 0.95, 0.7, 0.5]
NIGHT_WEEKDAYS = [0.75, 0.75, 0.8, 0.85, 1.1, 1.6, 1.1]

SOURCES = [(Source.WHATSAPP, 86), (Source.WALK_IN, 6), (Source.PHONE, 6), (Source.SOCIAL_MEDIA, 2)]
FILED_REASON = {
    Source.WALK_IN: "Pelapor datang langsung ke kantor.",
    Source.PHONE: "Laporan lewat telepon piket.",
    Source.SOCIAL_MEDIA: "Dari unggahan media sosial.",
}
CONFIDENTIALITY = [
    (Confidentiality.BIASA, 74),
    (Confidentiality.ANONIM, 18),
    (Confidentiality.RAHASIA, 8),
]
SENSITIVE_CONFIDENTIALITY = [
    (Confidentiality.BIASA, 55),
    (Confidentiality.ANONIM, 25),
    (Confidentiality.RAHASIA, 20),
]
SENSITIVE_CATEGORIES = {"miras", "perkelahian"}

# Landmarks per kecamatan, with the desa/kelurahan they lie in ("" when it varies).
PLACES = {
    "Paringin": [
        ("Pasar Paringin", "Paringin Kota"),
        ("Jl. A. Yani depan Taman Kota Paringin", "Paringin Kota"),
        ("Lapangan Pangeran Antasari", "Paringin Kota"),
        ("Terminal Paringin", "Paringin Timur"),
        ("Bundaran Paringin", "Paringin Kota"),
        ("Jalan Lingkar Paringin", ""),
        ("simpang empat lampu merah Paringin", "Paringin Timur"),
    ],
    "Paringin Selatan": [
        ("kawasan Perkantoran Pemkab Balangan, Batu Piring", "Batu Piring"),
        ("Jl. A. Yani Km 2, Batu Piring", "Batu Piring"),
        ("bantaran Sungai Balangan, Batu Piring", "Batu Piring"),
    ],
    "Batu Mandi": [
        ("Pasar Batumandi", "Batumandi"),
        ("jalan utama Batumandi", "Batumandi"),
        ("simpang Mantimin", "Mantimin"),
    ],
    "Juai": [("Pasar Juai", "Juai"), ("jalan poros Juai–Halong", "")],
    "Halong": [("Pasar Halong", "Halong"), ("jalan poros Halong", "")],
    "Awayan": [("Pasar Awayan", "Awayan"), ("jalan poros Awayan", "")],
    "Lampihong": [("Pasar Lampihong", "Hilir Pasar"), ("jalan Paringin–Lampihong", "")],
    "Tebing Tinggi": [("jalan poros Tebing Tinggi", "Tebing Tinggi")],
}

DESCRIPTIONS = {
    "pkl": [
        "Pedagang kaki lima berjualan di trotoar {place}; pejalan kaki terpaksa turun ke jalan.",
        "Lapak PKL memakan bahu jalan di {place} sehingga lalu lintas macet.",
        "Gerobak pedagang ditinggal di {place} sampai malam dan menghalangi jalan.",
    ],
    "kebisingan": [
        "Suara musik sangat keras dari acara hajatan di {place} sampai larut malam.",
        "Knalpot brong dan balap liar di {place} hampir setiap malam; warga tidak bisa tidur.",
        "Karaoke di {place} berbunyi keras melewati pukul 23.00.",
    ],
    "gangguan-trantibum": [
        "Sekelompok pemuda berkumpul dan membuat keributan di {place} pada malam hari.",
        "Ada orang mabuk mengganggu warga yang lewat di {place}.",
        "Parkir liar dengan pungutan tidak resmi di {place}.",
    ],
    "miras": [
        "Warung di {place} diduga menjual minuman keras.",
        "Pesta minuman keras di {place}; sering berakhir dengan keributan.",
    ],
    "perkelahian": [
        "Terjadi perkelahian antarpemuda di {place}, mohon segera ditangani.",
        "Keributan dan ancaman dengan senjata tajam di {place}.",
    ],
    "reklame-liar": [
        "Baliho dan spanduk tanpa izin dipasang di pohon dan tiang listrik di {place}.",
        "Reklame liar menutupi rambu lalu lintas di {place}.",
    ],
    "bangunan-tanpa-izin": [
        "Bangunan baru didirikan di {place} tanpa papan izin (PBG).",
        "Warung semi permanen dibangun di atas saluran drainase di {place}.",
    ],
    "gepeng": [
        "Pengemis dan anak jalanan meminta-minta di {place}.",
        "Gelandangan tidur di emperan toko di {place}.",
    ],
    "perda-lain": [
        "Ternak sapi dan kambing dilepas berkeliaran di {place}.",
        "Warga membuang sampah sembarangan di {place} sampai menumpuk.",
        "Petasan dijual bebas di {place}.",
    ],
    "lainnya": [
        "Lampu penerangan jalan di {place} sudah seminggu mati.",
        "Jalan berlubang di {place} membahayakan pengendara.",
        "Mohon bantuan penertiban di {place}.",
    ],
}

QUESTIONS = [
    ("Mohon kirim foto dan titik lokasi yang lebih jelas.", "Sudah saya kirim fotonya."),
    ("Jam berapa biasanya kejadian itu berlangsung?", "Biasanya mulai pukul 21.00."),
    ("Mohon sebutkan nama jalan atau patokan terdekat.", "Patokannya dekat {place}."),
]
REJECTIONS = [
    ("bukan_kewenangan", "Bukan kewenangan Satpol PP; masalah perdata antarwarga."),
    ("tidak_lengkap", "Keterangan dan lokasi tidak cukup untuk ditindaklanjuti."),
    ("tidak_sesuai", "Setelah dicek, keadaan di lokasi tidak sesuai laporan."),
    ("bukan_aduan", "Pesan bukan aduan (salah kirim atau percobaan)."),
]
NO_ANSWER = ("tidak_lengkap", "Pelapor tidak memberi keterangan yang diminta.")
DECLINES = [
    "Cukup ditangani pemerintah desa/kelurahan setempat.",
    "Tidak ada pelanggaran Perda yang perlu ditertibkan.",
    "Sudah ditangani dalam patroli rutin.",
]
AGENCIES = {
    "lainnya": ["Dinas PUPR Kabupaten Balangan", "Dinas Perhubungan Kabupaten Balangan"],
    "perkelahian": ["Polres Balangan"],
    "miras": ["Polres Balangan"],
    "gangguan-trantibum": ["Polres Balangan", "Dinas Perhubungan Kabupaten Balangan"],
    "perda-lain": ["Dinas Lingkungan Hidup Kabupaten Balangan"],
    "gepeng": ["Dinas Sosial Kabupaten Balangan"],
    "bangunan-tanpa-izin": ["Dinas PUPR Kabupaten Balangan"],
}
OUTCOME_WEIGHTS = {
    None: {"teguran_lisan": 40, "pembinaan": 20, "penertiban": 12, "teguran_tertulis": 10,
           "tidak_ditemukan": 12, "diserahkan": 6},
    "pkl": {"teguran_lisan": 45, "penertiban": 20, "pembinaan": 18, "teguran_tertulis": 10,
            "tidak_ditemukan": 7},
    "reklame-liar": {"penertiban": 70, "teguran_tertulis": 15, "teguran_lisan": 10,
                     "tidak_ditemukan": 5},
    "bangunan-tanpa-izin": {"teguran_tertulis": 50, "penertiban": 15, "pembinaan": 15,
                            "diserahkan": 15, "tidak_ditemukan": 5},
    "kebisingan": {"teguran_lisan": 55, "pembinaan": 20, "tidak_ditemukan": 20,
                   "teguran_tertulis": 5},
    "perkelahian": {"diserahkan": 35, "pembinaan": 25, "tidak_ditemukan": 25,
                    "teguran_lisan": 15},
    "miras": {"penertiban": 35, "tidak_ditemukan": 30, "diserahkan": 20,
              "teguran_tertulis": 15},
    "gepeng": {"diserahkan": 45, "pembinaan": 35, "tidak_ditemukan": 20},
}  # fmt: skip
NOTES = {
    "teguran_lisan": "Pelanggar diberi teguran lisan dan bersedia menghentikan kegiatannya.",
    "teguran_tertulis": "Pelanggar diberi surat teguran tertulis dengan batas waktu perbaikan.",
    "penertiban": "Dilakukan penertiban; barang yang melanggar diamankan ke Mako.",
    "pembinaan": "Pelanggar didata dan diberi pembinaan di tempat.",
    "diserahkan": "Diserahkan ke instansi yang berwenang untuk ditindaklanjuti.",
    "tidak_ditemukan": "Tim tiba di lokasi, tetapi pelanggaran yang dilaporkan tidak ditemukan.",
}
SCORES = [(5, 55), (4, 28), (3, 10), (2, 4), (1, 3)]
COMMENTS = {
    5: ["Terima kasih, cepat ditangani.", "Mantap, petugasnya ramah."],
    4: ["Sudah ditangani, terima kasih."],
    3: ["Lumayan, tapi agak lama."],
    2: ["Petugas datang terlambat."],
    1: ["Masalahnya belum selesai."],
}
FIRST_NAMES = [
    "Ahmad", "Muhammad", "Siti", "Nur", "Rahmat", "Hairul", "Akhmad", "Norhasanah", "Fitri",
    "Rina", "Dewi", "Agus", "Budi", "Rizky", "Wahyu", "Yuni", "Mariani", "Halimah", "Rusdi",
    "Abdul", "Taufik", "Fahmi", "Lina", "Aulia", "Salsabila", "Hendra", "Gusti", "Syarifah",
    "Aminah", "Ilham", "Fauzan", "Noor", "Jamilah", "Saidah", "Mahmud", "Irwan",
]  # fmt: skip
LAST_NAMES = [
    "", "", "", "Hidayat", "Rahman", "Saputra", "Aini", "Maulana", "Fitriani", "Rahmadi",
    "Hasanah", "Anwar", "Effendi", "Pratama", "Wati", "Syahrani", "Arsyad", "Fahriani",
    "Ramadhan", "Lestari", "Noor", "Rifani",
]  # fmt: skip


def _cum(weights) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


def _minutes(value: float) -> dt.timedelta:
    return dt.timedelta(minutes=value)


# --- time ------------------------------------------------------------------------------


class _Clock:
    """Due times (one lalisa.sla.due.DueClock for the whole run) and office hours."""

    def __init__(self):
        self.due_clock = DueClock(window_days=400)
        self.calendar = self.due_clock.calendar
        self._working: dict[dt.date, bool] = {}

    def working(self, day: dt.date) -> bool:
        found = self._working.get(day)
        if found is None:
            found = self._working[day] = self.calendar.is_working_day(day)
        return found

    def next_working(self, day: dt.date) -> dt.date:
        day += dt.timedelta(days=1)
        while not self.working(day):
            day += dt.timedelta(days=1)
        return day

    def due(self, priority: str, received: dt.datetime) -> dict[str, dt.datetime | None]:
        return self.due_clock.due(priority, received)

    def office(self, moment: dt.datetime) -> dt.datetime:
        """The first moment from `moment` on that the office (08:00–16:00 WITA) is open."""
        local = moment.astimezone(WITA)
        day = local.date()
        if self.working(day):
            if local.hour < 8:
                return dt.datetime.combine(day, DAY_START, tzinfo=WITA)
            if local.hour < 16:
                return local
        return dt.datetime.combine(self.next_working(day), DAY_START, tzinfo=WITA)


# --- who ------------------------------------------------------------------------------


@dataclass
class _Team:
    pk: int
    name: str
    lat: float
    lng: float
    members: list[int]

    def km(self, lat: float, lng: float) -> float:
        la1, lo1, la2, lo2 = map(math.radians, (self.lat, self.lng, lat, lng))
        a = (
            math.sin((la2 - la1) / 2) ** 2
            + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
        )
        return 2 * 6371.0 * math.asin(math.sqrt(a))


@dataclass
class _Person:
    """A citizen of the pool; `obj` is the Reporter row once written."""

    user_id: str | None
    wa_id: str | None
    phone: str | None
    profile_name: str = ""
    name: str = ""
    first_seen: dt.datetime | None = None
    obj: Reporter | None = None


@dataclass
class _Plan:
    complaint: Complaint
    reporter: _Person | None
    events: list = field(default_factory=list)  # (kind, actor kind, user, person, from, to,
    #                                              reason, data, when)
    dispatches: list = field(default_factory=list)  # dicts of Dispatch fields
    ratings: list = field(default_factory=list)  # (person, score, comment, when)
    supporters: dict = field(default_factory=dict)  # id(person) -> (person, joined)
    supporters_written: set = field(default_factory=set)
    original: _Plan | None = None


def staff_ready() -> bool:
    """Active admin and kabid, and at least one active team with members."""
    users = User.objects.filter(is_active=True)
    return (
        users.filter(role=Role.ADMIN).exists()
        and users.filter(role=Role.KABID).exists()
        and users.filter(role=Role.TRC, team__active=True).exists()
    )


# --- the simulation --------------------------------------------------------------------


class Seeder:
    """Draws the complaints: where, what, when, who, and (through _Life) what became of
    them. Every draw comes from one random.Random(seed), in a fixed order."""

    def __init__(self, *, seed: int, now: dt.datetime | None = None):
        self.rng = random.Random(seed)
        self.now = now or timezone.now()
        self.clock = _Clock()
        self.categories = {c.code: c for c in Category.objects.filter(active=True)}
        self.outcomes = {o.code: o for o in Outcome.objects.filter(active=True)}
        self.kecamatan = list(Kecamatan.objects.order_by("code"))
        self.desa: dict[int, list[Desa]] = {}
        for desa in Desa.objects.order_by("code"):
            self.desa.setdefault(desa.kecamatan_id, []).append(desa)
        self.desa_named = {(d.kecamatan_id, d.name): d for ds in self.desa.values() for d in ds}
        users = User.objects.filter(is_active=True).order_by("pk")
        self.admins = list(users.filter(role=Role.ADMIN).values_list("pk", flat=True))
        self.kabids = list(users.filter(role=Role.KABID).values_list("pk", flat=True))
        self.teams = []
        for team in TrcTeam.objects.filter(active=True).order_by("name"):
            members = [u.pk for u in users.filter(role=Role.TRC, team=team)]
            if members:
                self.teams.append(
                    _Team(team.pk, team.name, float(team.post_lat), float(team.post_lng), members)
                )
        by_pk = {t.pk: t for t in self.teams}
        self.covering: dict[int, list[_Team]] = {}  # kecamatan id -> teams covering it
        for link in TrcTeam.kecamatan.through.objects.order_by("pk"):
            if link.trcteam_id in by_pk:
                self.covering.setdefault(link.kecamatan_id, []).append(by_pk[link.trcteam_id])
        self._cat_codes = sorted(self.categories)
        self._cat_cum = _cum(CATEGORY_WEIGHTS.get(c, 3) for c in self._cat_codes)
        self._kec_cum = {
            code: _cum(
                KECAMATAN_WEIGHTS.get(k.name, 5)
                * (TOWN_FACTOR.get(k.name, 1) if code in TOWN_CATEGORIES else 1)
                for k in self.kecamatan
            )
            for code in self._cat_codes
        }
        self.people: list[_Person] = []
        self._picks: list[int] = []  # one entry per complaint: repeat reporters come back
        self._user_ids: set[str] = set()
        self._recent: deque[_Plan] = deque()  # candidates for duplicates

    # -- small draws --

    def pick(self, pairs):
        values, weights = zip(*pairs, strict=True)
        return self.rng.choices(values, weights=weights)[0]

    def lognormal(self, median: float, sigma: float) -> dt.timedelta:
        return _minutes(self.rng.lognormvariate(math.log(median), sigma))

    def staff_time(self, after: dt.datetime, median: float, sigma: float, any_hour: bool):
        start = after if any_hour else self.clock.office(after)
        return start + self.lognormal(median, sigma)

    def person(self, source: str, received: dt.datetime) -> _Person | None:
        rng = self.rng
        if source == Source.SOCIAL_MEDIA and rng.random() < 0.4:
            return None
        if source in (Source.WALK_IN, Source.PHONE) and rng.random() < 0.5:
            # Known only by the name and number the admin wrote down.
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}".strip()
            phone = f"+628{rng.randrange(11, 99)}{rng.randrange(10**7, 10**8)}"
            self.people.append(_Person(None, None, phone, name=name, first_seen=received))
            return self.people[-1]
        if self._picks and rng.random() < 0.38:
            # Chosen in proportion to past complaints: a few citizens report often.
            index = rng.choice(self._picks)
        else:
            while True:
                user_id = f"ID.{rng.randrange(10**15, 10**16)}"
                if user_id not in self._user_ids and not user_id.startswith("ID.99"):
                    break
            self._user_ids.add(user_id)
            phone = wa_id = None
            if rng.random() < 0.6:
                phone = f"+628{rng.randrange(11, 99)}{rng.randrange(10**7, 10**8)}"
                wa_id = phone[1:]
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}".strip()
            self.people.append(
                _Person(user_id, wa_id, phone, profile_name=name, first_seen=received)
            )
            index = len(self.people) - 1
        self._picks.append(index)
        return self.people[index]

    # -- receipt times --

    def receipts(self, n: int, months: int) -> list[tuple[dt.datetime, str]]:
        """(received_at, category code) for n complaints, oldest first."""
        rng, now = self.rng, self.now
        days = max(1, round(months * 365.25 / 12))
        today = now.astimezone(WITA).date()
        dates = [today - dt.timedelta(days=d) for d in range(days)]
        trend = [0.6 + 0.4 * (1 - d / days) for d in range(days)]  # the service grows
        day_cum = {
            night: _cum(
                (NIGHT_WEEKDAYS if night else DAY_WEEKDAYS)[date.weekday()] * t
                for date, t in zip(dates, trend, strict=True)
            )
            for night in (False, True)
        }
        hour_cum = {False: _cum(DAY_HOURS), True: _cum(NIGHT_HOURS)}
        hours = range(24)
        out = []
        for _ in range(n):
            code = rng.choices(self._cat_codes, cum_weights=self._cat_cum)[0]
            night = code in NIGHT_CATEGORIES
            date = rng.choices(dates, cum_weights=day_cum[night])[0]
            hour = rng.choices(hours, cum_weights=hour_cum[night])[0]
            moment = dt.datetime.combine(
                date, dt.time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=WITA
            )
            if moment > now - dt.timedelta(minutes=1):
                moment = now - _minutes(rng.uniform(1, 600))
            out.append((moment, code))
        out.sort(key=lambda pair: pair[0])
        return out

    # -- one complaint --

    def plan(self, received: dt.datetime, code: str) -> _Plan:
        rng = self.rng
        category = self.categories[code]
        kec = rng.choices(self.kecamatan, cum_weights=self._kec_cum[code])[0]
        desa = rng.choice(self.desa[kec.pk]) if self.desa.get(kec.pk) else None
        places = PLACES.get(kec.name, [])
        spread = 0.012
        if places and rng.random() < 0.6:
            place, desa_name = rng.choice(places)
            desa = self.desa_named.get((kec.pk, desa_name), desa)
            spread = 0.004  # a landmark: close to the centre of town
        elif desa is not None:
            place = f"{desa.get_kind_display()} {desa.name}"
        else:
            place = f"Kecamatan {kec.name}"
        template = rng.choice(DESCRIPTIONS.get(code, ["Aduan {category} di {place}."]))
        description = template.format(place=place, category=category.name.lower())
        lat = float(kec.lat or -2.33) + rng.gauss(0, spread)
        lng = float(kec.lng or 115.46) + rng.gauss(0, spread)
        source = self.pick(SOURCES)
        reporter = self.person(source, received)
        sensitive = code in SENSITIVE_CATEGORIES
        confidentiality = self.pick(SENSITIVE_CONFIDENTIALITY if sensitive else CONFIDENTIALITY)
        priority = category.default_priority
        filer = self.admins[rng.randrange(len(self.admins))] if source != Source.WHATSAPP else None
        complaint = Complaint(
            category=category,
            description=description[:1000],
            lat=Decimal(f"{lat:.6f}"),
            lng=Decimal(f"{lng:.6f}"),
            address=place[:1].upper() + place[1:],
            kecamatan=kec,
            desa=desa,
            priority=priority,
            confidentiality=confidentiality,
            source=source,
            status=S.RECEIVED,
            filed_by_id=filer,
            received_at=received,
        )
        for stage, moment in self.clock.due(priority, received).items():
            setattr(complaint, DUE_FIELDS[stage], moment)
        plan = _Plan(complaint, reporter)
        if filer:
            plan.events.append(
                ("file", STAFF, filer, None, "", S.RECEIVED, FILED_REASON.get(source, ""),
                 {"source": source}, received)
            )  # fmt: skip
        else:
            plan.events.append(
                ("file", CITIZEN, None, reporter, "", S.RECEIVED, "", {"source": source}, received)
            )
        _Life(self, plan, place, lat, lng).run()
        refresh_due_at(complaint)
        if reporter is not None and rng.random() < 0.05:
            self.add_supporters(plan)
        if complaint.status not in (S.DUPLICATE, S.REJECTED, S.REFERRED):
            self._recent.append(plan)
        while self._recent and received - self._recent[0].complaint.received_at > dt.timedelta(
            days=10
        ):
            self._recent.popleft()
        return plan

    def add_supporters(self, plan: _Plan) -> None:
        c, rng = plan.complaint, self.rng
        # Citizens join while it is open (the bot offers nearby complaints).
        end = self.now if c.status in OPEN_STATUSES else plan.events[-1][-1]
        for _ in range(rng.randint(1, 3)):
            if not self._picks:
                return
            person = self.people[rng.choice(self._picks)]
            if person is plan.reporter or id(person) in plan.supporters:
                continue
            joined = c.received_at + (end - c.received_at) * rng.uniform(0.05, 0.6)
            plan.supporters[id(person)] = (person, joined)
            if c.status == S.CLOSED and rng.random() < 0.3:
                when = max(end, joined) + self.lognormal(300, 1.0)
                if when <= self.now:
                    score = self.pick(SCORES)
                    plan.ratings.append((person, score, "", when))
                    plan.events.append(
                        ("rate", CITIZEN, None, person, S.CLOSED, S.CLOSED, "",
                         {"score": score}, when)
                    )  # fmt: skip

    def original_for(self, plan: _Plan) -> _Plan | None:
        """An earlier complaint about the same thing in the same kecamatan, if any."""
        c = plan.complaint
        for other in reversed(self._recent):
            o = other.complaint
            if (
                o.category_id == c.category_id
                and o.kecamatan_id == c.kecamatan_id
                and o.received_at < c.received_at
            ):
                return other
        return None


class _Stop(Exception):
    """The next step lies in the future: the complaint stays where it is."""


class _Life:
    """Walks one complaint through the flow, as far as `now`."""

    def __init__(self, seeder: Seeder, plan: _Plan, place: str, lat: float, lng: float):
        self.s, self.plan, self.place, self.lat, self.lng = seeder, plan, place, lat, lng
        self.c = plan.complaint
        self.rng = seeder.rng
        self.urgent = self.c.priority == Priority.URGENT
        code = self.c.category.code
        self.code = code
        # The night shift (piket) handles night reports at once; the office the next morning.
        self.piket = self.urgent or (code in NIGHT_CATEGORIES and self.rng.random() < 0.6)
        self.last = self.c.received_at
        stuck = self.rng.random() < 0.005
        self.stuck_at = self.rng.choice(["received", "verified", "dispatched"]) if stuck else ""
        self.stuck_for = dt.timedelta(days=self.rng.uniform(15, 90))

    def admin(self) -> int:
        return self.s.admins[self.rng.randrange(len(self.s.admins))]

    def kabid(self) -> int:
        return self.s.kabids[self.rng.randrange(len(self.s.kabids))]

    def later(self, when: dt.datetime) -> dt.datetime:
        """The moment of the next step: after the last one, and not in the future."""
        when = max(when, self.last + dt.timedelta(seconds=30)).replace(microsecond=0)
        if when > self.s.now:
            raise _Stop
        self.last = when
        return when

    def event(self, kind, actor_kind, user, person, to, when, reason="", data=None):
        before = self.c.status
        self.plan.events.append(
            (kind, actor_kind, user, person, before, to, reason, data or {}, when)
        )
        self.c.status = to

    def run(self) -> None:
        with contextlib.suppress(_Stop):
            self.received()

    def desk(self, after: dt.datetime, median: float, urgent_median: float) -> dt.datetime:
        if self.urgent:
            return after + self.s.lognormal(urgent_median, 0.6)
        return self.s.staff_time(after, median, 1.0, self.piket)

    def ask(self, by_kabid: bool, moment: dt.datetime) -> bool:
        """Ask the citizen for more; True when the answer came back."""
        c, rng = self.c, self.rng
        question, answer = rng.choice(QUESTIONS)
        back_to = c.status
        user = self.kabid() if by_kabid else self.admin()
        when = self.later(moment)
        c.status_before_info = back_to
        self.event("request_info", STAFF, user, None, S.NEEDS_INFO, when, question)
        if self.plan.reporter is not None and rng.random() < 0.85:
            when = self.later(when + self.s.lognormal(180, 1.2))
            c.status_before_info = ""
            self.event(
                "answer_info", CITIZEN, None, self.plan.reporter, back_to, when,
                answer.format(place=self.place),
            )  # fmt: skip
            return True
        when = self.later(self.s.clock.office(when + dt.timedelta(days=rng.uniform(3, 7))))
        self.finish("reject", self.admin(), S.REJECTED, when, NO_ANSWER[1],
                    {"reason_code": NO_ANSWER[0]})  # fmt: skip
        return False

    def finish(self, kind, user, to, when, reason, data=None):
        self.c.final_reason = reason
        self.c.status_before_info = ""
        self.event(kind, STAFF, user, None, to, when, reason, data)

    def received(self) -> None:
        c, rng, s = self.c, self.rng, self.s
        moment = self.desk(c.received_at, 45, 5)
        if not self.urgent and rng.random() < 0.12:
            # Parked: the admin checks with the village or a colleague before deciding.
            moment = s.clock.office(moment + s.lognormal(36 * 60, 0.7))
        if self.stuck_at == "received":
            moment += self.stuck_for
        if not self.urgent and rng.random() < 0.07:
            if not self.ask(False, moment):
                return
            moment = self.desk(self.last, 40, 5)
        # About 6% duplicates (when an earlier one fits), 6% rejected, 5% referred.
        r = rng.random() * (0.3 if self.urgent else 1)
        original = s.original_for(self.plan) if r < 0.06 else None
        if original is not None:
            return self.duplicate(original, self.later(moment))
        if 0.06 <= r < 0.12:
            code, text = rng.choice(REJECTIONS)
            when = self.later(moment)
            return self.finish("reject", self.admin(), S.REJECTED, when, text,
                               {"reason_code": code})  # fmt: skip
        if 0.12 <= r < 0.17:
            return self.refer(self.admin(), self.later(moment))
        c.verified_at = self.later(moment)
        self.event("verify", STAFF, self.admin(), None, S.VERIFIED, c.verified_at)
        self.verified()

    def refer(self, user: int, when: dt.datetime) -> None:
        agencies = AGENCIES.get(self.code) or [f"Pemerintah Kecamatan {self.c.kecamatan.name}"]
        agency = self.rng.choice(agencies)
        reason = f"Ditangani oleh {agency} sesuai kewenangannya."
        self.c.referred_to = agency
        self.finish("refer", user, S.REFERRED, when, reason, {"agency": agency})

    def duplicate(self, original: _Plan, when: dt.datetime) -> None:
        plan = self.plan
        plan.original = original
        reason = "Lokasi dan masalah sama dengan aduan sebelumnya."
        user = self.admin()
        # The code is known only when written: the data is filled in then (see _write).
        self.finish("mark_duplicate", user, S.DUPLICATE, when, reason, {"of": None})
        if plan.reporter is not None and plan.reporter is not original.reporter:
            original.supporters.setdefault(id(plan.reporter), (plan.reporter, when))

    def verified(self) -> None:
        c, rng = self.c, self.rng
        moment = self.desk(c.verified_at, 120, 3)
        if self.stuck_at == "verified":
            moment += self.stuck_for
        if not self.urgent and rng.random() < 0.02:
            if not self.ask(True, moment):
                return
            moment = self.desk(self.last, 60, 3)
        r = rng.random() * (0.2 if self.urgent else 1)
        if r < 0.04:
            return self.finish(
                "decline", self.kabid(), S.REJECTED, self.later(moment), rng.choice(DECLINES)
            )
        if r < 0.06:
            return self.refer(self.kabid(), self.later(moment))
        team = self.team_for()
        self.dispatch(team, self.later(moment), None)

    def team_for(self, other_than: _Team | None = None) -> _Team:
        candidates = [
            t for t in self.s.covering.get(self.c.kecamatan_id, []) if t is not other_than
        ]
        candidates = candidates or [t for t in self.s.teams if t is not other_than]
        return min(candidates, key=lambda t: t.km(self.lat, self.lng))

    def dispatch(self, team: _Team, when: dt.datetime, previous: dict | None) -> None:
        c, rng = self.c, self.rng
        data = {"team": team.name, "team_id": team.pk}
        if previous is not None:
            previous["replaced_at"] = when
            data["replaced_team"] = previous["team_name"]
        kabid = self.kabid()
        row = {"team_id": team.pk, "team_name": team.name, "dispatched_by_id": kabid,
               "dispatched_at": when}  # fmt: skip
        self.plan.dispatches.append(row)
        c.dispatched_at = c.dispatched_at or when
        c.accepted_at = None
        reason = "Tim lain lebih dekat ke lokasi." if previous is not None else ""
        self.event("dispatch", STAFF, kabid, None, S.DISPATCHED, when, reason, data)
        # Now and then the Kabid sends another team instead (before it arrives).
        redispatch = previous is None and len(self.s.teams) > 1 and rng.random() < 0.03
        member = team.members[rng.randrange(len(team.members))]
        accept_at = when + self.s.lognormal(3 if self.urgent else 20, 0.9)
        if self.stuck_at == "dispatched":
            accept_at += self.stuck_for
        if redispatch and rng.random() < 0.5:
            other = self.team_for(other_than=team)
            return self.dispatch(other, self.later(when + self.s.lognormal(40, 0.6)), row)
        accept_at = self.later(accept_at)
        row.update(accepted_at=accept_at, accepted_by_id=member)
        c.accepted_at = accept_at
        self.event("accept", STAFF, member, None, S.ACCEPTED, accept_at, "", {"team": team.name})
        if redispatch:
            other = self.team_for(other_than=team)
            return self.dispatch(other, self.later(accept_at + self.s.lognormal(20, 0.6)), row)
        travel = max(5.0, team.km(self.lat, self.lng) / 35 * 60)
        if self.urgent:
            arrive = accept_at + _minutes(travel) + self.s.lognormal(3, 0.5)
        elif rng.random() < 0.25:
            # Planned for the next working morning.
            arrive = self.s.clock.office(accept_at + dt.timedelta(hours=16)) + _minutes(travel)
        else:
            arrive = accept_at + _minutes(travel) + self.s.lognormal(30, 1.0)
        arrive = self.later(arrive)
        row["arrived_at"] = c.on_site_at = arrive
        self.event("arrive", STAFF, member, None, S.ON_SITE, arrive, "", {"team": team.name})
        self.complete(team, member, row, self.later(arrive + self.s.lognormal(45, 0.6)))

    def complete(self, team: _Team, member: int, row: dict, when: dt.datetime) -> None:
        c, s, rng = self.c, self.s, self.rng
        weights = OUTCOME_WEIGHTS.get(self.code, OUTCOME_WEIGHTS[None])
        pairs = [(s.outcomes[k], w) for k, w in weights.items() if k in s.outcomes]
        outcome = s.pick(pairs) if pairs else rng.choice(list(s.outcomes.values()))
        note = NOTES.get(outcome.code, outcome.name)
        row.update(completed_at=when, completed_by_id=member, outcome=outcome, report_text=note)
        c.done_at, c.outcome = when, outcome
        self.event(
            "complete", STAFF, member, None, S.DONE, when, note,
            {"team": team.name, "outcome": outcome.code, "photos": []},
        )  # fmt: skip
        self.done(when)

    def done(self, done_at: dt.datetime) -> None:
        c, s, rng = self.c, self.s, self.rng
        r = rng.random()
        limit = done_at + AUTO_CLOSE_AFTER - dt.timedelta(minutes=30)
        if r < 0.58 and self.plan.reporter is not None:
            when = self.later(min(done_at + s.lognormal(240, 1.2), limit))
            score = s.pick(SCORES)
            comment = rng.choice(COMMENTS[score]) if rng.random() < 0.5 else ""
            self.plan.ratings.append((self.plan.reporter, score, comment, when))
            c.closed_at = when
            self.event("rate", CITIZEN, None, self.plan.reporter, S.CLOSED, when, comment,
                       {"score": score})  # fmt: skip
        elif r < 0.73:
            when = self.later(min(s.staff_time(done_at, 120, 1.0, False), limit))
            user = self.admin() if rng.random() < 0.7 else self.kabid()
            c.closed_at = when
            self.event("close", STAFF, user, None, S.CLOSED, when)
        else:
            when = self.later(done_at + AUTO_CLOSE_AFTER + _minutes(rng.uniform(0, 10)))
            c.closed_at = when
            self.event("auto_close", SYSTEM, None, None, S.CLOSED, when,
                       "Tidak ada penilaian dalam 72 jam.")  # fmt: skip


# --- writing ---------------------------------------------------------------------------


def _reserve(period: str, count: int) -> int:
    """Take `count` ticket numbers of a month at once; returns the first. Same locking as
    tickets.next_code, so a filing meanwhile gets a number after these."""
    updated = TicketCounter.objects.filter(period=period).update(last=F("last") + count)
    if not updated:
        try:
            with transaction.atomic():
                TicketCounter.objects.create(period=period, last=count)
        except IntegrityError:
            TicketCounter.objects.filter(period=period).update(last=F("last") + count)
    return TicketCounter.objects.get(period=period).last - count + 1


@dataclass
class Result:
    complaints: int = 0
    events: int = 0
    dispatches: int = 0
    ratings: int = 0
    supporters: int = 0
    reporters: int = 0
    seconds: float = 0.0
    statuses: Counter = field(default_factory=Counter)
    categories: Counter = field(default_factory=Counter)

    @property
    def rows(self) -> int:
        return (
            self.complaints + self.events + self.dispatches + self.ratings + self.supporters
            + self.reporters
        )  # fmt: skip


def _write_reporters(people: list[_Person], result: Result) -> None:
    """Reuse rows of an earlier run with the same seed (BSUIDs are unique); create the rest."""
    todo = list({id(p): p for p in people if p.obj is None}.values())
    if not todo:
        return
    known = {
        r.user_id: r
        for r in Reporter.objects.filter(user_id__in=[p.user_id for p in todo if p.user_id])
    }
    wa_taken = set(
        Reporter.objects.filter(wa_id__in=[p.wa_id for p in todo if p.wa_id]).values_list(
            "wa_id", flat=True
        )
    )
    new = []
    for p in todo:
        if p.user_id in known:
            p.obj = known[p.user_id]
            continue
        wa_id = p.wa_id if p.wa_id not in wa_taken else None
        if wa_id:
            wa_taken.add(wa_id)
        p.obj = Reporter(
            user_id=p.user_id, wa_id=wa_id, phone=p.phone, profile_name=p.profile_name,
            name=p.name, created_at=p.first_seen,
        )  # fmt: skip
        new.append(p.obj)
    Reporter.objects.bulk_create(new)
    result.reporters += len(new)


def _converters(fields, connection) -> list:
    """Per field, what turns a Python value into a database parameter (None: nothing)."""
    out = []
    for f in fields:
        if isinstance(f, models.DateTimeField):
            # Aware datetimes only here, so the checks in get_prep_value can be skipped.
            out.append(connection.ops.adapt_datetimefield_value)
        elif isinstance(f, (models.DecimalField, models.JSONField)):
            out.append(lambda value, f=f: f.get_db_prep_save(value, connection))
        else:
            out.append(None)
    return out


# PostgreSQL: rows per INSERT statement (one statement per row costs a round trip each).
_ROWS_PER_STATEMENT = 1000


def _insert(model, rows: list[dict]) -> None:
    """INSERT the rows without building model instances. bulk_create spends most of its
    time preparing every value; here only dates, decimals and JSON need it. Rows name every
    column: no defaults apply."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    fields = [model._meta.get_field(name) for name in rows[0]]
    convert = _converters(fields, connection)
    quote = connection.ops.quote_name
    # Names from the model's own metadata, quoted; values go as parameters.
    head = "INSERT INTO {} ({}) VALUES ".format(  # noqa: S608
        quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    )
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    params = [
        tuple(
            value if fn is None or value is None else fn(value)
            for value, fn in zip(row.values(), convert, strict=True)
        )
        for row in rows
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # executemany runs in C there, faster than long statements.
            cursor.executemany(head + one, params)
            return
        size = min(_ROWS_PER_STATEMENT, 30000 // len(fields))
        for start in range(0, len(params), size):
            chunk = params[start : start + size]
            cursor.execute(head + ", ".join([one] * len(chunk)), [v for row in chunk for v in row])


_COMPLAINT_COLUMNS = [
    f.attname
    for f in Complaint._meta.concrete_fields
    if not f.primary_key and f.name != "updated_at"
]


def _complaint_row(c: Complaint, written_at: dt.datetime) -> dict:
    row = {name: getattr(c, name) for name in _COMPLAINT_COLUMNS}
    row["updated_at"] = written_at
    return row


def _event(complaint_id, kind, actor_kind, user, person, before, to, reason, data, when):
    return {
        "complaint_id": complaint_id,
        "kind": kind,
        "actor_kind": actor_kind,
        "actor_user_id": user,
        "actor_reporter_id": person.obj.pk if person is not None else None,
        "from_status": before,
        "to_status": to,
        "reason": reason,
        "data": data,
        "created_at": when,
    }


def _write(plans: list[_Plan], result: Result) -> None:
    with transaction.atomic():
        people = [p.reporter for p in plans if p.reporter is not None]
        for plan in plans:
            people += [person for person, _ in plan.supporters.values()]
            people += [person for person, *_ in plan.ratings]
            people += [e[3] for e in plan.events if e[3] is not None]
        _write_reporters(people, result)

        # Ticket numbers per month, in order of receipt.
        periods = Counter(p.complaint.received_at.astimezone(WITA).strftime("%y%m") for p in plans)
        numbers = {period: _reserve(period, count) for period, count in sorted(periods.items())}
        for plan in plans:
            c = plan.complaint
            period = c.received_at.astimezone(WITA).strftime("%y%m")
            c.code = f"LL-{period}-{numbers[period]:04d}"
            numbers[period] += 1
            c.reporter = plan.reporter.obj if plan.reporter is not None else None
        written_at = timezone.now()
        _insert(Complaint, [_complaint_row(p.complaint, written_at) for p in plans])
        ids = dict(
            Complaint.objects.filter(code__in=[p.complaint.code for p in plans]).values_list(
                "code", "pk"
            )
        )
        for plan in plans:
            plan.complaint.pk = ids[plan.complaint.code]
        duplicates = [p for p in plans if p.original is not None]
        for plan in duplicates:
            plan.complaint.duplicate_of_id = plan.original.complaint.pk
        Complaint.objects.bulk_update([p.complaint for p in duplicates], ["duplicate_of"])

        events, dispatches, ratings, supporters = [], [], [], []
        for plan in plans:
            c = plan.complaint
            for kind, actor_kind, user, person, before, to, reason, data, when in plan.events:
                if kind == "mark_duplicate":
                    data = {"of": plan.original.complaint.code}
                    # The original's timeline shows the merge (workflow.mark_duplicate).
                    events.append(
                        _event(plan.original.complaint.pk, "merged", actor_kind, user, None,
                               "", "", reason, {"duplicate": c.code}, when)
                    )  # fmt: skip
                events.append(
                    _event(c.pk, kind, actor_kind, user, person, before, to, reason, data, when)
                )
            for row in plan.dispatches:
                dispatches.append(
                    {
                        "complaint_id": c.pk,
                        "team_id": row["team_id"],
                        "dispatched_by_id": row["dispatched_by_id"],
                        "dispatched_at": row["dispatched_at"],
                        "accepted_at": row.get("accepted_at"),
                        "accepted_by_id": row.get("accepted_by_id"),
                        "arrived_at": row.get("arrived_at"),
                        "completed_at": row.get("completed_at"),
                        "completed_by_id": row.get("completed_by_id"),
                        "outcome_id": row["outcome"].pk if row.get("outcome") else None,
                        "report_text": row.get("report_text", ""),
                        "replaced_at": row.get("replaced_at"),
                    }
                )
            for person, score, comment, when in plan.ratings:
                ratings.append(
                    {"complaint_id": c.pk, "reporter_id": person.obj.pk, "score": score,
                     "comment": comment, "created_at": when}
                )  # fmt: skip
            result.statuses[c.status] += 1
            result.categories[c.category.code] += 1
        # Supporters may join an original written in an earlier batch.
        for plan in {id(p): p for p in plans + [p.original for p in duplicates]}.values():
            for key, (person, joined) in plan.supporters.items():
                if key not in plan.supporters_written:
                    plan.supporters_written.add(key)
                    supporters.append(
                        {"complaint_id": plan.complaint.pk, "reporter_id": person.obj.pk,
                         "joined_at": joined}
                    )  # fmt: skip
        _insert(Event, events)
        _insert(Dispatch, dispatches)
        _insert(Rating, ratings)
        _insert(Supporter, supporters)
    result.complaints += len(plans)
    result.events += len(events)
    result.dispatches += len(dispatches)
    result.ratings += len(ratings)
    result.supporters += len(supporters)


def seed(
    complaints: int,
    *,
    months: int = 12,
    seed: int = 0,
    now: dt.datetime | None = None,
    progress=None,
) -> Result:
    """Make `complaints` synthetic complaints received over the last `months` months."""
    started = time.monotonic()
    seeder = Seeder(seed=seed, now=now)
    if not (seeder.admins and seeder.kabids and seeder.teams):
        raise RuntimeError("staff missing: run ensure_staff first")
    result = Result()
    batch: list[_Plan] = []
    for received, code in seeder.receipts(complaints, months):
        batch.append(seeder.plan(received, code))
        if len(batch) >= BATCH:
            _write(batch, result)
            batch = []
            if progress:
                progress(result)
    if batch:
        _write(batch, result)
    result.seconds = time.monotonic() - started
    return result
