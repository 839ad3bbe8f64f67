"""Reading citizens' WhatsApp messages: commands, ticket codes, ratings, emergencies, the
complaint category and the place. Pure functions: callers pass any database data in."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

COMMANDS = (
    "greeting",
    "menu",
    "cancel",
    "back",
    "resume",
    "report",
    "status",
    "info",
    "skip",
    "send",
    "change",
    "thanks",
    "new",
)


# What a phrase of the superadmin's lexicon (lalisa.bot.models.Phrase) may mean.
MEANINGS = (
    "greeting",
    "cancel",
    "status",
    "thanks",
    "praise",
    "yes",
    "no",
    "no_photo",
    "new_matter",
    "rate_1",
    "rate_2",
    "rate_3",
    "rate_4",
    "rate_5",
)


@dataclass(frozen=True)
class Lexicon:
    """Words and phrases the superadmin added to the shipped ones.

    words: a word as citizens write it -> the standard word(s) ("kada" -> "tidak").
    phrases: a phrase -> one of MEANINGS ("kada ada gambar" -> "no_photo")."""

    words: Mapping[str, str] = field(default_factory=dict)
    phrases: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Understood:
    command: str | None
    codes: tuple[str, ...]
    emergency: tuple[str, ...]
    rating: int | None
    substantive: bool
    text: str


# --- cleaning ---------------------------------------------------------------------------

_APOSTROPHES = re.compile(r"['’‘`ʼ´]")
_NON_WORD = re.compile(r"[\W_]+")
_REPEATS = re.compile(r"([^\W\d_])\1{2,}")
_DOUBLES = re.compile(r"([^\W\d_])\1+")
# "anak2", "mabuk2an": how people type "anak-anak", "mabuk-mabukan".
_REDUP = re.compile(r"([^\W\d_]{2,})2([^\W\d_]*)")
# Runs on cleaned text, where every separator has already become a space.
_CODE = re.compile(r"(?<!\w)ll\s*([0-9]{2})([0-9]{2})\s*([0-9]{1,6})(?!\w)")
_CODE_TOKEN = re.compile(r"ll-[0-9]{4}-[0-9]{4,6}")
_DASHES_ONLY = re.compile(r"[-–—−\s]+")

_ABBREVIATIONS = {
    "tlg": "tolong",
    "tlng": "tolong",
    "sy": "saya",
    "sya": "saya",
    "aq": "saya",
    "aku": "saya",
    "gw": "saya",
    "gue": "saya",
    "ane": "saya",
    "ulun": "saya",  # Banjar
    "gk": "tidak",
    "ga": "tidak",
    "gak": "tidak",
    "gx": "tidak",
    "ngga": "tidak",
    "nggak": "tidak",
    "engga": "tidak",
    "enggak": "tidak",
    "kagak": "tidak",
    "tdk": "tidak",
    "kada": "tidak",  # Banjar
    "handak": "mau",  # Banjar
    "yg": "yang",
    "dgn": "dengan",
    "dg": "dengan",
    "dpn": "depan",
    "jln": "jalan",
    "jl": "jalan",
    "krn": "karena",
    "karna": "karena",
    "utk": "untuk",
    "untk": "untuk",
    "bs": "bisa",
    "bsa": "bisa",
    "sdh": "sudah",
    "udh": "sudah",
    "udah": "sudah",
    "dah": "sudah",
    "blm": "belum",
    "blum": "belum",
    "belom": "belum",
    "org": "orang",
    "bgt": "banget",
    "bngt": "banget",
    "kmrn": "kemarin",
    "kemaren": "kemarin",
    "skrg": "sekarang",
    "skrng": "sekarang",
    "mlm": "malam",
    "pgi": "pagi",
    "dr": "dari",
    "dkt": "dekat",
    "dlm": "dalam",
    "tp": "tapi",
    "tpi": "tapi",
    "jg": "juga",
    "lg": "lagi",
    "aja": "saja",
    "aj": "saja",
    "jd": "jadi",
    "jdi": "jadi",
    "gmn": "bagaimana",
    "gimana": "bagaimana",
    "knp": "kenapa",
    "trs": "terus",
    "trus": "terus",
    "klo": "kalau",
    "kalo": "kalau",
    "bnyk": "banyak",
    "byk": "banyak",
    "sgt": "sangat",
    "tmpt": "tempat",
    "rmh": "rumah",
    "msh": "masih",
    "bkn": "bukan",
    "spt": "seperti",
    "sblm": "sebelum",
    "stlh": "setelah",
    "hrs": "harus",
    "lgsg": "langsung",
    "ptgs": "petugas",
    "bpk": "bapak",
    "slmt": "selamat",
    "met": "selamat",
    "btl": "batal",
    "lwt": "lewat",
    "mksh": "makasih",
    "mks": "makasih",
    "makasi": "makasih",
    "terimakasih": "terima kasih",
    "trimakasih": "terima kasih",
    "trmksh": "terima kasih",
    "okay": "oke",
    "okey": "oke",
    "oce": "oke",
    "ds": "desa",
    "kec": "kecamatan",
    "kel": "kelurahan",
    "kab": "kabupaten",
}


def _clean(text: str) -> str:
    """NFKC, lower case, apostrophes dropped (assalamu'alaikum), every other non-letter,
    non-digit (punctuation, emoji, symbols) turned into a space."""
    s = unicodedata.normalize("NFKC", text or "").lower()
    # Lower-casing can leave non-NFKC text (and NFKC can yield capitals): do both twice.
    s = unicodedata.normalize("NFKC", s).lower()
    s = _APOSTROPHES.sub("", s)
    return _NON_WORD.sub(" ", s)


def _canonical_code(m: re.Match) -> str | None:
    yy, mm, number = m.group(1), m.group(2), int(m.group(3))
    if not 1 <= int(mm) <= 12 or number == 0:
        return None
    return f"LL-{yy}{mm}-{number:04d}"


def _canonicalise_codes(s: str) -> str:
    def sub(m: re.Match) -> str:
        code = _canonical_code(m)
        return f" {code.lower()} " if code else m.group(0)

    return _CODE.sub(sub, s)


def _is_code(token: str) -> bool:
    return bool(_CODE_TOKEN.fullmatch(token))


def normalize(text: str) -> str:
    s = _canonicalise_codes(_clean(text))
    out: list[str] = []
    for token in s.split():
        if _is_code(token):
            out.append(token)
            continue
        token = _REPEATS.sub(r"\1", token)
        m = _REDUP.fullmatch(token)
        for part in [m.group(1), m.group(1) + m.group(2)] if m else [token]:
            out.extend(_ABBREVIATIONS.get(part, part).split())
    # Reduplication can complete a code ("ll2 2611 0042"); canonicalise again so a second
    # normalize() changes nothing.
    return " ".join(_canonicalise_codes(" ".join(out)).split())


def _words(norm: str) -> list[str]:
    return [t for t in norm.split() if not _is_code(t)]


def _skeleton(token: str) -> str:
    # Doubled letters are noise in short replies: "haii", "okee", "batall", "hallo".
    return _DOUBLES.sub(r"\1", token)


# --- commands -----------------------------------------------------------------------------

_FILLERS = {
    "min",
    "mimin",
    "admin",
    "kak",
    "kakak",
    "ka",
    "pak",
    "bapak",
    "bu",
    "ibu",
    "bang",
    "abang",
    "mas",
    "mbak",
    "mba",
    "om",
    "gan",
    "sis",
    "bro",
    "dong",
    "donk",
    "ya",
    "yah",
    "iya",
    "tolong",
    "saya",
    "mau",
    "ingin",
    "pengen",
    "pingin",
    "sih",
    "deh",
    "nih",
    "dulu",
    "saja",
    "please",
    "pls",
    "plis",
    "lalisa",
    "la",
    "lisa",
}
# A message made only of these still says hello ("min", "admin?").
_GREETING_FILLERS = {"min", "mimin", "admin"}

_COMMAND_PHRASES = {
    "greeting": [
        "p",
        "ping",
        "halo",
        "hallo",
        "hallow",
        "helo",
        "hello",
        "hai",
        "hay",
        "hei",
        "hey",
        "hi",
        "hy",
        "assalamualaikum",
        "assalamu alaikum",
        "asalamualaikum",
        "assalamualaikom",
        "asslamualaikum",
        "assalammualaikum",
        "ass",
        "aslm",
        "asslm",
        "askum",
        "assalam",
        "wr",
        "wb",
        "warahmatullahi",
        "warahmatullah",
        "wabarakatuh",
        "wabarakatuhu",
        "waalaikumsalam",
        "salam",
        "salam sejahtera",
        "selamat pagi",
        "selamat siang",
        "selamat sore",
        "selamat malam",
        "selamat petang",
        "pagi",
        "siang",
        "sore",
        "malam",
        "permisi",
        "tes",
        "test",
        "testing",
        "om swastiastu",
        "shalom",
        "salom",
        "punten",
        "sampurasun",
        "namo buddhaya",
    ],
    "menu": ["menu", "menu utama", "mulai", "start", "mulai lagi", "kembali ke menu"],
    "cancel": [
        "batal",
        "batalkan",
        "batalin",
        "cancel",
        "tidak jadi",
        "stop",
        "batal lapor",
        "batalkan aduan",
        "batalkan laporan",
    ],
    "back": ["kembali", "balik", "back", "sebelumnya"],
    "resume": ["lanjut", "lanjutkan", "lanjutin", "teruskan", "terus"],
    "report": [
        "lapor",
        "melapor",
        "buat aduan",
        "buat laporan",
        "aduan",
        "pengaduan",
        "mengadu",
        "laporan",
        "bikin aduan",
        "bikin laporan",
    ],
    "new": [
        "baru",
        "aduan baru",
        "laporan baru",
        "lapor baru",
        "buat baru",
        "buat aduan baru",
        "buat laporan baru",
    ],
    "status": [
        "status",
        "cek",
        "cek status",
        "cek aduan",
        "cek laporan",
        "cek status aduan",
        "cek status laporan",
        "status aduan",
        "status laporan",
        "lacak",
        "lacak aduan",
        "bagaimana aduan",
        "bagaimana laporan",
        "sudah sampai mana",
        "sampai mana",
        "progres",
        "progress",
        "perkembangan",
        "perkembangan aduan",
        "perkembangan laporan",
    ],
    "info": [
        "info",
        "informasi",
        "bantuan",
        "help",
        "tentang",
        "nomor darurat",
        "darurat",
        "tanya",
    ],
    "skip": [
        "lewati",
        "lewat",
        "skip",
        "tidak ada",
        "tidak",
        "tidak usah",
        "tidak perlu",
        "kosong",
    ],
    "send": [
        "kirim",
        "kirimkan",
        "oke kirim",
        "ok kirim",
        "kirim sekarang",
        "kirim aduan",
        "kirim laporan",
        "sudah benar",
    ],
    "change": ["ubah", "ganti", "edit", "koreksi", "perbaiki", "revisi"],
    "thanks": [
        "terima kasih",
        "terima kasih banyak",
        "makasih",
        "makasih banyak",
        "trims",
        "thx",
        "thanks",
        "thank you",
        "tq",
        "ty",
        "tks",
        "ok",
        "oke",
        "okeh",
        "siap",
        "sip",
        "baik",
        "baiklah",
        "mantap",
        "alhamdulillah",
    ],
}


def _command_key(phrase_or_norm: str) -> tuple[str, ...]:
    fillers = {_skeleton(f) for f in _FILLERS}
    return tuple(
        s for s in (_skeleton(t) for t in _words(phrase_or_norm)) if s and s not in fillers
    )


def _build_phrases() -> dict[tuple[str, ...], str]:
    table: dict[tuple[str, ...], str] = {}
    for command, phrases in _COMMAND_PHRASES.items():
        for phrase in phrases:
            key = _command_key(normalize(phrase))
            if key:
                table[key] = command
    return table


_PHRASES = _build_phrases()
_MAX_PHRASE = max(len(k) for k in _PHRASES)
_GREETING_KEYS = {k for k, c in _PHRASES.items() if c == "greeting"}


def _segment(tokens: tuple[str, ...]) -> list[str] | None:
    """Cover the tokens with the fewest command phrases; their commands, or None."""
    n = len(tokens)
    best: list[list[str] | None] = [None] * (n + 1)
    best[n] = []
    for i in range(n - 1, -1, -1):
        for size in range(1, min(_MAX_PHRASE, n - i) + 1):
            command = _PHRASES.get(tokens[i : i + size])
            rest = best[i + size]
            if command and rest is not None and (best[i] is None or len(rest) + 1 < len(best[i])):
                best[i] = [command, *rest]
    return best[0]


def _command(raw: str, norm: str) -> str | None:
    if raw and _DASHES_ONLY.fullmatch(raw):
        return "skip"
    tokens = _command_key(norm)
    if not tokens:
        fillers = {_skeleton(t) for t in _words(norm)}
        return "greeting" if fillers & _GREETING_FILLERS else None
    commands = _segment(tokens)
    if not commands:
        return None
    # "halo min, mau lapor" is a report: greetings only count when nothing else is said.
    meaningful = {c for c in commands if c != "greeting"}
    if not meaningful:
        return "greeting"
    return meaningful.pop() if len(meaningful) == 1 else None


# --- codes ---------------------------------------------------------------------------------


def find_codes(text: str) -> tuple[str, ...]:
    found: list[str] = []
    for m in _CODE.finditer(_clean(text)):
        code = _canonical_code(m)
        if code and code not in found:
            found.append(code)
    return tuple(found)


# --- emergencies ----------------------------------------------------------------------------

_EMERGENCY = {
    "kebakaran",
    "terbakar",
    "karhutla",
    "kecelakaan",
    "tabrakan",
    "banjir",
    "kebanjiran",
    "tenggelam",
    "longsor",
    "pembunuhan",
    "dibunuh",
    "membunuh",
    "penusukan",
    "ditusuk",
    "menusuk",
    "penikaman",
    "ditikam",
    "dibacok",
    "membacok",
    "pembacokan",
    "bacok",
    "begal",
    "dibegal",
    "perampokan",
    "dirampok",
    "merampok",
}
_FIGHT = {
    "tawuran",
    "berkelahi",
    "perkelahian",
    "keroyok",
    "dikeroyok",
    "pengeroyokan",
    "duel",
    "ribut",
    "keributan",
    "bentrok",
    "bentrokan",
}
_WEAPONS = {
    "senjata",
    "senjata tajam",
    "senjata api",
    "sajam",
    "senpi",
    "parang",
    "celurit",
    "clurit",
    "pisau",
    "mandau",
    "golok",
    "pistol",
    "busur",
    "panah",
    "badik",
    "belati",
    "pedang",
    "samurai",
    "kapak",
}
_DANGER = {
    tuple(w.split()): kind
    for kind, words in (("emergency", _EMERGENCY), ("fight", _FIGHT), ("weapon", _WEAPONS))
    for w in words
}


def _emergency(tokens: list[str]) -> tuple[str, ...]:
    hits: list[tuple[str, str]] = []
    i = 0
    while i < len(tokens):
        for size in (2, 1):
            key = tuple(tokens[i : i + size])
            if len(key) == size and key in _DANGER:
                hits.append((" ".join(key), _DANGER[key]))
                i += size
                break
        else:
            i += 1
    armed = any(kind == "weapon" for _, kind in hits)
    found: list[str] = []
    for word, kind in hits:
        # A fight is an emergency only when someone is armed.
        if (kind != "fight" or armed) and word not in found:
            found.append(word)
    return tuple(found)


def emergency_words(text: str) -> tuple[str, ...]:
    return _emergency(_words(normalize(text)))


# --- ratings -------------------------------------------------------------------------------

_STARS = ("⭐", "★", "🌟")
_NUMBER_WORDS = {
    "nol": 0,
    "satu": 1,
    "dua": 2,
    "tiga": 3,
    "empat": 4,
    "lima": 5,
    "enam": 6,
    "tujuh": 7,
    "delapan": 8,
    "sembilan": 9,
    "sepuluh": 10,
}
# Words that may come before the number: "bintang 4", "saya kasih 5".
_RATING_LEAD = _FILLERS | {
    "bintang",
    "nilai",
    "nilainya",
    "skor",
    "score",
    "rating",
    "ratingnya",
    "rate",
    "beri",
    "kasih",
    "oke",
    "ok",
}
# "3 orang mabuk" counts people, it does not rate anything.
_COUNT_NOUNS = {
    "orang",
    "anak",
    "pemuda",
    "remaja",
    "pria",
    "wanita",
    "laki",
    "perempuan",
    "unit",
    "buah",
    "ekor",
    "kali",
    "hari",
    "jam",
    "menit",
    "minggu",
    "bulan",
    "tahun",
    "meter",
    "km",
    "rumah",
    "motor",
    "mobil",
    "kios",
    "lapak",
    "warung",
    "titik",
    "gerobak",
}
_SATISFACTION = {
    "sangat puas": 5,
    "puas sekali": 5,
    "puas banget": 5,
    "sangat memuaskan": 5,
    "sangat bagus": 5,
    "sangat baik": 5,
    "puas": 4,
    "memuaskan": 4,
    "bagus": 4,
    "cukup": 3,
    "cukup puas": 3,
    "cukup baik": 3,
    "cukup bagus": 3,
    "lumayan": 3,
    "biasa": 3,
    "biasa saja": 3,
    "kurang": 2,
    "kurang puas": 2,
    "kurang baik": 2,
    "kurang bagus": 2,
    "kurang memuaskan": 2,
    "tidak puas": 1,
    "sangat tidak puas": 1,
    "tidak memuaskan": 1,
    "kecewa": 1,
    "sangat kecewa": 1,
    "kecewa sekali": 1,
    "buruk": 1,
    "sangat buruk": 1,
    "jelek": 1,
}
# Idioms that open a message without judging anything.
_NOT_A_VERDICT = {("kurang", "lebih"), ("cukup", "sekian")}
_SATISFACTION_KEYS = sorted(
    (tuple(k.split()) for k in _SATISFACTION), key=lambda k: len(k), reverse=True
)


def _number(token: str) -> int | None:
    if token.isascii() and token.isdigit():
        return int(token) if len(token) <= 3 else 99
    return _NUMBER_WORDS.get(token)


def _rating_from_number(tokens: list[str]) -> tuple[bool, int | None]:
    """(whether the text opens with a number, the rating it gives)."""
    i = 0
    while i < len(tokens) and tokens[i] in _RATING_LEAD:
        i += 1
    if i >= len(tokens):
        return False, None
    value = _number(tokens[i])
    if value is None:
        return False, None
    rest = tokens[i + 1 :]
    if rest and rest[0] in _COUNT_NOUNS:
        return False, None
    # "3/5", "3 dari 5": the scale has to be five.
    if rest[:1] == ["dari"]:
        rest = rest[1:]
        if not rest or _number(rest[0]) is None:
            return True, None
    if rest and _number(rest[0]) is not None and _number(rest[0]) != 5:
        return True, None
    return True, value if 1 <= value <= 5 else None


def _rating_from_words(tokens: list[str]) -> int | None:
    tokens = [t for t in tokens if t not in _FILLERS]
    # In a longer message only an opening verdict counts: "kurang lebih 10 orang" is not 2.
    starts = range(len(tokens)) if len(tokens) <= 5 else range(min(1, len(tokens)))
    for i in starts:
        if tuple(tokens[i : i + 2]) in _NOT_A_VERDICT:
            continue
        for key in _SATISFACTION_KEYS:
            if tuple(tokens[i : i + len(key)]) == key:
                return _SATISFACTION[" ".join(key)]
    return None


def parse_rating(text: str) -> int | None:
    raw = unicodedata.normalize("NFKC", text or "")
    if find_codes(raw):
        return None
    stars = sum(raw.count(s) for s in _STARS)
    for s in _STARS:
        raw = raw.replace(s, " ")
    tokens = _words(normalize(raw))
    opens_with_number, value = _rating_from_number(tokens)
    if opens_with_number:
        return value
    if stars:
        return stars if stars <= 5 else None
    return _rating_from_words(tokens)


# --- substance -----------------------------------------------------------------------------

# Words that carry no complaint detail: "saya mau melaporkan sesuatu" says nothing yet.
_NON_CONTENT = {
    "lapor",
    "melapor",
    "melaporkan",
    "laporkan",
    "laporan",
    "aduan",
    "mengadu",
    "mengadukan",
    "adukan",
    "pengaduan",
    "sampaikan",
    "menyampaikan",
    "mohon",
    "ada",
    "yang",
    "ini",
    "itu",
    "apa",
    "apakah",
    "bisa",
    "boleh",
    "sesuatu",
}


def _substantive(norm: str, command: str | None) -> bool:
    if command:
        return False
    tokens = _words(norm)
    fillers = {_skeleton(f) for f in _FILLERS}
    # Skip the opening greeting and filler: "assalamualaikum wr wb min, ..."
    i = 0
    while i < len(tokens):
        if _skeleton(tokens[i]) in fillers:
            i += 1
            continue
        for size in range(min(_MAX_PHRASE, len(tokens) - i), 0, -1):
            if tuple(_skeleton(t) for t in tokens[i : i + size]) in _GREETING_KEYS:
                i += size
                break
        else:
            break
    content = tokens[i:]
    detail = [t for t in content if _skeleton(t) not in fillers and t not in _NON_CONTENT]
    letters = sum(c.isalpha() for t in detail for c in t)
    return (len(content) >= 4 and len(detail) >= 3) or letters >= 20


def is_substantive(text: str) -> bool:
    norm = normalize(text)
    return _substantive(norm, _command((text or "").strip(), norm))


# --- the whole message ------------------------------------------------------------------------


def understand(text: str) -> Understood:
    stripped = (text or "").strip()
    norm = normalize(stripped)
    command = _command(stripped, norm)
    return Understood(
        command=command,
        codes=find_codes(stripped),
        emergency=_emergency(_words(norm)),
        rating=parse_rating(stripped),
        substantive=_substantive(norm, command),
        text=stripped,
    )


# --- category ------------------------------------------------------------------------------


def _contains(tokens: list[str], phrase: tuple[str, ...]) -> bool:
    size = len(phrase)
    return any(tuple(tokens[i : i + size]) == phrase for i in range(len(tokens) - size + 1))


def guess_category(text: str, categories: Iterable[tuple[str, str]]) -> str | None:
    tokens = _words(normalize(text))
    scores: dict[str, int] = {}
    for code, keywords in categories:
        phrases = {tuple(_words(normalize(k))) for k in (keywords or "").split(",")}
        # Longer phrases are more telling: "minuman keras" outweighs "pedagang".
        score = sum(len(p) for p in phrases if p and _contains(tokens, p))
        if score:
            scores[code] = scores.get(code, 0) + score
    if not scores:
        return None
    top = max(scores.values())
    best = [code for code, score in scores.items() if score == top]
    return best[0] if len(best) == 1 else None


# --- place ---------------------------------------------------------------------------------

_PLACE_ALIASES = {"sei": "sungai", "gn": "gunung", "gng": "gunung"}
_DESA_PREFIX = {"desa", "ds", "kelurahan", "kel", "kampung", "kampong", "kp"}
_KEC_PREFIX = {"kecamatan", "kec", "kc"}
# Desa whose names are everyday words ("lampu merah", "pasar baru", "simpang tiga"): only
# taken when written after "desa"/"kelurahan".
_COMMON_WORD_DESA = {
    "baru",
    "merah",
    "karya",
    "bata",
    "panggung",
    "binjai",
    "kupang",
    "bakung",
    "bungur",
    "tampang",
    "sirap",
    "pematang",
    "simpangtiga",
    "hilirpasar",
    "kasai",
    "guha",
    "inan",
    "auh",
    "kedondong",
}


def _place_tokens(text: str) -> list[str]:
    return [_PLACE_ALIASES.get(t, t) for t in _clean(text).split()]


def _place_key(name: str) -> str:
    # Spaces dropped so "batumandi" and "batu mandi" meet.
    return "".join(_place_tokens(name))


def find_place(
    text: str,
    kecamatan: Iterable[tuple[int, str]],
    desa: Iterable[tuple[int, str, int]],
) -> tuple[int | None, int | None]:
    # key -> [(kind, id, kecamatan id)]
    index: dict[str, list[tuple[str, int, int]]] = {}
    longest = 1
    for kec_id, name in kecamatan:
        key = _place_key(name)
        if key:
            index.setdefault(key, []).append(("kec", kec_id, kec_id))
            longest = max(longest, len(_place_tokens(name)))
    for desa_id, name, kec_id in desa:
        key = _place_key(name)
        if key:
            index.setdefault(key, []).append(("desa", desa_id, kec_id))
            longest = max(longest, len(_place_tokens(name)))

    tokens = _place_tokens(text)
    matches = []  # (key length, start, size, entries)
    for i in range(len(tokens)):
        prefix = tokens[i - 1] if i else ""
        # One more token than the longest name: "ba tu mandi" style stray spaces.
        for size in range(1, min(longest + 1, len(tokens) - i) + 1):
            key = "".join(tokens[i : i + size])
            entries = index.get(key)
            if not entries:
                continue
            if key in _COMMON_WORD_DESA and prefix not in _DESA_PREFIX:
                entries = [e for e in entries if e[0] == "kec"]
            if entries:
                matches.append((len(key), i, size, entries))

    # Longest first, then earliest: "paringin selatan" before "paringin".
    taken: list[tuple[int, int, list[tuple[str, int, int]]]] = []
    used: set[int] = set()
    for _, start, size, entries in sorted(matches, key=lambda m: (-m[0], m[1])):
        span = set(range(start, start + size))
        if span & used:
            continue
        used |= span
        taken.append((start, size, entries))
    taken.sort()

    named_kec: list[int] = []
    desa_hits: list[list[tuple[str, int, int]]] = []
    for start, _, entries in taken:
        prefix = tokens[start - 1] if start else ""
        kecs = [e for e in entries if e[0] == "kec"]
        villages = [e for e in entries if e[0] == "desa"]
        # A name shared by a kecamatan and its desa ("Halong") means the kecamatan unless
        # the text says "desa".
        if villages and (prefix in _DESA_PREFIX or not kecs):
            desa_hits.append(villages)
        else:
            for _, kec_id, _ in kecs:
                if kec_id not in named_kec:
                    named_kec.append(kec_id)

    for villages in desa_hits:
        inside = [v for v in villages if v[2] in named_kec]
        if len(inside) == 1:
            return inside[0][2], inside[0][1]
    for villages in desa_hits:
        if len(villages) == 1:
            return villages[0][2], villages[0][1]
    if len(named_kec) == 1:
        return named_kec[0], None
    return None, None
