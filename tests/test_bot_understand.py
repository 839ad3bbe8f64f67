"""lalisa.bot.understand: what the bot reads out of a citizen's message. Pure, no database."""

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lalisa.bot import understand as u
from lalisa.complaints.reference import CATEGORY_KEYWORDS

# text, command, codes, rating, emergency, substantive
MESSAGES = [
    # greetings
    ("p", "greeting", (), None, (), False),
    ("P", "greeting", (), None, (), False),
    ("pppp", "greeting", (), None, (), False),
    ("ping", "greeting", (), None, (), False),
    ("halooooo", "greeting", (), None, (), False),
    ("Hallo min", "greeting", (), None, (), False),
    ("haii kak", "greeting", (), None, (), False),
    ("hy", "greeting", (), None, (), False),
    ("assalamualaikum", "greeting", (), None, (), False),
    ("Assalamu'alaikum wr. wb.", "greeting", (), None, (), False),
    ("asalamualaikum min", "greeting", (), None, (), False),
    ("ass wr wb", "greeting", (), None, (), False),
    ("aslm", "greeting", (), None, (), False),
    ("Selamat pagi pak 🙏", "greeting", (), None, (), False),
    ("pagi min", "greeting", (), None, (), False),
    ("met malam", "greeting", (), None, (), False),
    ("halooo, selamat siang kak!!", "greeting", (), None, (), False),
    ("permisi", "greeting", (), None, (), False),
    ("tes", "greeting", (), None, (), False),
    ("min?", "greeting", (), None, (), False),
    ("Admin", "greeting", (), None, (), False),
    ("Om Swastiastu", "greeting", (), None, (), False),
    ("punten", "greeting", (), None, (), False),
    # menu, cancel, back, resume
    ("menu", "menu", (), None, (), False),
    ("Menu utama", "menu", (), None, (), False),
    ("/start", "menu", (), None, (), False),
    ("batal", "cancel", (), None, (), False),
    ("gak jadi min", "cancel", (), None, (), False),
    ("ga jd", "cancel", (), None, (), False),
    ("batalkan", "cancel", (), None, (), False),
    ("kembali", "back", (), None, (), False),
    ("balik", "back", (), None, (), False),
    ("lanjut", "resume", (), None, (), False),
    ("lanjutkan dong", "resume", (), None, (), False),
    # report, new, status, info
    ("lapor", "report", (), None, (), False),
    ("sy mau lapor", "report", (), None, (), False),
    ("Halo min, mau lapor dong", "report", (), None, (), False),
    ("assalamualaikum, sy ingin mengadu", "report", (), None, (), False),
    ("buat aduan", "report", (), None, (), False),
    ("pengaduan", "report", (), None, (), False),
    ("aduan baru", "new", (), None, (), False),
    ("laporan baru", "new", (), None, (), False),
    ("baru", "new", (), None, (), False),
    ("cek status", "status", (), None, (), False),
    ("cek status LL-2611-0042", "status", ("LL-2611-0042",), None, (), False),
    ("gmn aduan sy min?", "status", (), None, (), False),
    ("sudah sampai mana ya", "status", (), None, (), False),
    ("progres", "status", (), None, (), False),
    ("info", "info", (), None, (), False),
    ("bantuan", "info", (), None, (), False),
    ("nomor darurat", "info", (), None, (), False),
    # skip, send, change, thanks
    ("lewati", "skip", (), None, (), False),
    ("gk ada", "skip", (), None, (), False),
    ("nggak", "skip", (), None, (), False),
    ("-", "skip", (), None, (), False),
    ("kirim", "send", (), None, (), False),
    ("ya kirim", "send", (), None, (), False),
    ("oke kirim", "send", (), None, (), False),
    ("ubah", "change", (), None, (), False),
    ("ganti", "change", (), None, (), False),
    ("terima kasih", "thanks", (), None, (), False),
    ("terimakasih banyak min 🙏🙏", "thanks", (), None, (), False),
    ("makasih", "thanks", (), None, (), False),
    ("ok", "thanks", (), None, (), False),
    ("okee siap", "thanks", (), None, (), False),
    ("tq", "thanks", (), None, (), False),
    # codes
    ("LL-2611-0042", None, ("LL-2611-0042",), None, (), False),
    ("ll 2611 0042", None, ("LL-2611-0042",), None, (), False),
    ("LL26110042", None, ("LL-2611-0042",), None, (), False),
    ("kode sy ll-2611-42", None, ("LL-2611-0042",), None, (), False),
    ("LL-2611-12345", None, ("LL-2611-12345",), None, (), False),
    ("LL-2613-0042", None, (), None, (), False),
    ("081234567890", None, (), None, (), False),
    # ratings
    ("5", None, (), 5, (), False),
    (" 4 ", None, (), 4, (), False),
    ("⭐⭐⭐", None, (), 3, (), False),
    ("★★★★", None, (), 4, (), False),
    ("bintang 4", None, (), 4, (), False),
    ("nilai 3", None, (), 3, (), False),
    ("3/5", None, (), 3, (), False),
    ("4 bintang", None, (), 4, (), False),
    ("lima", None, (), 5, (), False),
    ("empat", None, (), 4, (), False),
    ("sangat puas", None, (), 5, (), False),
    ("puas", None, (), 4, (), False),
    ("cukup", None, (), 3, (), False),
    ("kurang puas", None, (), 2, (), False),
    ("kurang", None, (), 2, (), False),
    ("tidak puas", None, (), 1, (), False),
    ("kecewa", None, (), 1, (), False),
    ("6", None, (), None, (), False),
    ("0", None, (), None, (), False),
    ("10", None, (), None, (), False),
    ("5 mantap petugasnya", None, (), 5, (), False),
    # complaints
    (
        "ada PKL jualan di trotoar depan pasar Paringin, tlg ditertibkan",
        None,
        (),
        None,
        (),
        True,
    ),
    ("ada org mabuk di dpn rmh sy", None, (), None, (), True),
    (
        "Assalamualaikum min sy mau lapor ada org mabuk2an di dpn rmh sy tiap mlm",
        None,
        (),
        None,
        (),
        True,
    ),
    ("3 orang mabuk di pos ronda", None, (), None, (), True),
    (
        "kebakaran!!! rumah warga di jln a yani terbakar",
        None,
        (),
        None,
        ("kebakaran", "terbakar"),
        True,
    ),
    ("ada kecelakaan motor dkt jembatan", None, (), None, ("kecelakaan",), True),
    ("banjir", None, (), None, ("banjir",), False),
    ("tawuran pelajar pake sajam di lapangan", None, (), None, ("tawuran", "sajam"), True),
    ("org bawa parang mengancam warga", None, (), None, ("parang",), True),
    ("ada tawuran anak sekolah di simpang empat", None, (), None, (), True),
    ("warga dibacok begal tadi malam", None, (), None, ("dibacok", "begal"), True),
    ("musik keras sampai jam 2 malam, berisik bgt", None, (), None, (), True),
    ("halo min", "greeting", (), None, (), False),
    ("mau lapor", "report", (), None, (), False),
    ("saya mau melaporkan sesuatu", None, (), None, (), False),
    ("halo min ada yg mau sy laporkan", None, (), None, (), False),
]


def test_the_table_is_large_enough():
    assert len(MESSAGES) >= 60


@pytest.mark.parametrize(
    ("text", "command", "codes", "rating", "emergency", "substantive"), MESSAGES
)
def test_understand(text, command, codes, rating, emergency, substantive):
    got = u.understand(text)
    assert got.command == command
    assert got.codes == codes
    assert got.rating == rating
    assert got.emergency == emergency
    assert got.substantive is substantive
    assert got.text == text.strip()


def test_every_command_in_the_table_is_a_known_command():
    assert {row[1] for row in MESSAGES} - {None} == set(u.COMMANDS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("HALOOOOO Min!!!", "halo min"),
        ("pppp", "p"),
        ("Tlg sy, yg di jl dpn pasar", "tolong saya yang di jalan depan pasar"),
        ("gk bs krn blm ada", "tidak bisa karena belum ada"),
        ("kmrn mlm aq liat org dr dkt situ", "kemarin malam saya liat orang dari dekat situ"),
        ("udh skrg utk bgt", "sudah sekarang untuk banget"),
        ("Assalamu'alaikum 🙏😊", "assalamualaikum"),
        ("anak2 kejar2an", "anak anak kejar kejaran"),
        ("kode: LL-2611-0042.", "kode ll-2611-0042"),
        ("kode ll 2611 42", "kode ll-2611-0042"),
        ("  banyak   spasi\n\tdan baris ", "banyak spasi dan baris"),
        ("ｆｕｌｌｗｉｄｔｈ", "fullwidth"),
        ("harga 1000 rupiah", "harga 1000 rupiah"),
    ],
)
def test_normalize(text, expected):
    assert u.normalize(text) == expected


def test_abbreviations_expand_to_words_that_are_not_abbreviations():
    # Otherwise a second normalize() would change the text again.
    expansions = {w for value in u._ABBREVIATIONS.values() for w in value.split()}
    assert not expansions & set(u._ABBREVIATIONS)


def test_no_phrase_belongs_to_two_commands():
    seen = {}
    for command, phrases in u._COMMAND_PHRASES.items():
        for phrase in phrases:
            key = u._command_key(u.normalize(phrase))
            assert seen.setdefault(key, command) == command, phrase


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("LL-2611-0042", ("LL-2611-0042",)),
        ("ll 2611 0042", ("LL-2611-0042",)),
        ("LL26110042", ("LL-2611-0042",)),
        ("ll-2611-42", ("LL-2611-0042",)),
        ("LL-2611-12345", ("LL-2611-12345",)),
        ("(LL–2601–0007)", ("LL-2601-0007",)),
        ("cek LL-2611-0042 dan LL-2612-0001, LL-2611-0042", ("LL-2611-0042", "LL-2612-0001")),
        ("LL-2600-0042", ()),
        ("LL-2613-0042", ()),
        ("LL-2611-0000", ()),
        ("0812 2611 0042", ()),
        ("26110042", ()),
        ("hubungi 081226110042", ()),
        ("BALL-2611-0042", ()),
        ("LL-2611-08123456789", ()),
    ],
)
def test_find_codes(text, codes):
    assert u.find_codes(text) == codes


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Ada KEBAKARAN di pasar!!", ("kebakaran",)),
        ("rumah terbakar", ("terbakar",)),
        ("tabrakan beruntun", ("tabrakan",)),
        ("banjir bandang, anak tenggelam", ("banjir", "tenggelam")),
        ("longsor di jalan ke halong", ("longsor",)),
        ("pembunuhan", ("pembunuhan",)),
        ("ada penusukan, korban ditusuk pisau", ("penusukan", "ditusuk", "pisau")),
        ("perampokan toko emas, pemilik dirampok", ("perampokan", "dirampok")),
        ("pemuda berkelahi bawa golok", ("berkelahi", "golok")),
        ("keroyok pakai senjata tajam", ("keroyok", "senjata tajam")),
        ("duel pakai celurit, ribut lagi pakai celurit", ("duel", "celurit", "ribut")),
        ("bentrok antar kampung, ada senpi", ("bentrok", "senpi")),
        ("ada yang bawa busur panah", ("busur", "panah")),
        ("dua orang berkelahi di warung", ()),
        ("anak2 ribut main bola", ()),
        ("jual api api", ()),
        ("kebanjiranbanjir", ()),
        ("banjirnya sudah surut", ()),
        ("ada pkl di trotoar", ()),
    ],
)
def test_emergency_words(text, words):
    assert u.emergency_words(text) == words


@pytest.mark.parametrize(
    ("text", "rating"),
    [
        ("5", 5),
        (" 4 ", 4),
        ("1", 1),
        ("⭐⭐⭐", 3),
        ("⭐️⭐️⭐️⭐️⭐️", 5),
        ("★★★★", 4),
        ("⭐⭐⭐⭐⭐⭐", None),
        ("bintang 4", 4),
        ("Bintang lima", 5),
        ("nilai 3", 3),
        ("3/5", 3),
        ("4 dari 5", 4),
        ("8/10", None),
        ("4 bintang", 4),
        ("lima", 5),
        ("empat", 4),
        ("tiga", 3),
        ("sangat puas", 5),
        ("puas bgt min", 5),
        ("puas", 4),
        ("cukup", 3),
        ("kurang puas", 2),
        ("kurang", 2),
        ("tidak puas", 1),
        ("gak puas", 1),
        ("kecewa", 1),
        ("6", None),
        ("0", None),
        ("10", None),
        ("5 mantap petugasnya", 5),
        ("saya kasih 4 ya", 4),
        ("LL-2611-0005", None),
        ("5 orang mabuk di pos", None),
        ("kurang lebih ada sepuluh orang berkumpul tiap malam di situ", None),
        ("ok", None),
        ("halo", None),
        ("", None),
    ],
)
def test_parse_rating(text, rating):
    assert u.parse_rating(text) == rating


@pytest.mark.parametrize(
    ("text", "substantive"),
    [
        ("ada PKL jualan di trotoar depan pasar Paringin, tlg ditertibkan", True),
        ("pkl di trotoar pasar", True),
        ("baliho liar dipasangi di pohon", True),
        ("pengamenpengemisgelandangan", True),
        ("halo min", False),
        ("p", False),
        ("mau lapor", False),
        ("cek status", False),
        ("ada pkl", False),
        ("selamat siang, saya ingin melaporkan", False),
        ("assalamualaikum wr wb selamat pagi min saya mau tanya", False),
        ("", False),
    ],
)
def test_is_substantive(text, substantive):
    assert u.is_substantive(text) is substantive


CATEGORIES = list(CATEGORY_KEYWORDS.items())


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("ada PKL jualan di trotoar depan pasar Paringin", "pkl"),
        ("pedagang kaki lima buka lapak di bahu jalan", "pkl"),
        ("pemuda mabuk tuak di pos ronda tiap malam", "miras"),
        ("ada yg jual minuman keras oplosan", "miras"),
        ("tetangga karaoke sampai jam 2, berisik bgt", "kebisingan"),
        ("knalpot brong meraung tiap malam", "kebisingan"),
        ("tawuran pelajar bawa sajam", "perkelahian"),
        ("ada yg berkelahi, satu bawa parang", "perkelahian"),
        ("baliho liar dipaku di pohon", "reklame-liar"),
        ("spanduk dan umbul2 menutupi rambu", "reklame-liar"),
        ("banyak pengemis dan anak jalanan di lampu merah", "gepeng"),
        ("sapi lepas berkeliaran di jalan", "perda-lain"),
        ("ada balap liar tiap malam minggu", "gangguan-trantibum"),
        ("jalan berlubang di depan sekolah", None),
        ("halo min", None),
        # One word each for two categories: no guess.
        ("pedagang itu mabuk", None),
    ],
)
def test_guess_category(text, code):
    assert u.guess_category(text, CATEGORIES) == code


def test_guess_category_prefers_longer_phrases():
    categories = [("a", "keras"), ("b", "musik keras")]
    assert u.guess_category("musik keras sekali", categories) == "b"
    assert u.guess_category("suara keras sekali", categories) == "a"


def test_guess_category_matches_whole_words_only():
    assert u.guess_category("pkl", [("pkl", "pk")]) is None
    assert u.guess_category("jualan", [("pkl", "jual")]) is None
    assert u.guess_category("", CATEGORIES) is None


# Balangan's kecamatan and desa, as the regions app ships them; ids are the codes' digits.
WILAYAH = Path(__file__).resolve().parent.parent / "lalisa/regions/data/wilayah.csv"


def _wilayah():
    kecamatan, desa = [], []
    with WILAYAH.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            code = int(row["code"].replace(".", ""))
            if row["kind"] == "kecamatan":
                kecamatan.append((code, row["name"]))
            else:
                parent = int(".".join(row["code"].split(".")[:3]).replace(".", ""))
                desa.append((code, row["name"], parent))
    return kecamatan, desa


KECAMATAN, DESA = _wilayah()
JUAI, HALONG, AWAYAN, BATU_MANDI = 631101, 631102, 631103, 631104
LAMPIHONG, PARINGIN, PARINGIN_SELATAN, TEBING_TINGGI = 631105, 631106, 631107, 631108


def test_wilayah_has_the_eight_kecamatan_and_a_shared_desa_name():
    assert len(KECAMATAN) == 8
    galumbang = [d for d in DESA if d[1] == "Galumbang"]
    assert {d[2] for d in galumbang} == {JUAI, PARINGIN_SELATAN}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pkl di pasar Paringin", (PARINGIN, None)),
        ("di kec. Paringin Selatan", (PARINGIN_SELATAN, None)),
        ("PARINGIN SELATAN", (PARINGIN_SELATAN, None)),
        ("paringinselatan dekat masjid", (PARINGIN_SELATAN, None)),
        ("kecamatan lampihong", (LAMPIHONG, None)),
        ("di batumandi", (BATU_MANDI, None)),
        ("di Batu Mandi", (BATU_MANDI, None)),
        ("Kec Batu Mandi, desa Lok Batu", (BATU_MANDI, 6311042002)),
        ("desa batumandi", (BATU_MANDI, 6311042005)),
        ("lokbatung paringin", (PARINGIN, 6311062014)),
        ("ds. Lok Batung", (PARINGIN, 6311062014)),
        ("di Awayan", (AWAYAN, None)),
        ("juai", (JUAI, None)),
        ("halong", (HALONG, None)),
        ("desa halong", (HALONG, 6311022005)),
        ("tebing tinggi", (TEBING_TINGGI, None)),
        ("di gunung batu tebing tinggi", (TEBING_TINGGI, 6311082008)),
        ("kelurahan paringin kota", (PARINGIN, 6311061023)),
        ("Paringin Timur", (PARINGIN, 6311061019)),
        ("Lampihong Selatan", (LAMPIHONG, 6311052006)),
        ("sei pumpung", (AWAYAN, 6311032022)),
        ("sungai pumpung", (AWAYAN, 6311032022)),
        ("ju'uh", (TEBING_TINGGI, 6311082004)),
        # Galumbang is a desa in Juai and in Paringin Selatan.
        ("desa galumbang kec juai", (JUAI, 6311012006)),
        ("galumbang, paringin selatan", (PARINGIN_SELATAN, 6311072006)),
        ("di galumbang", (None, None)),
        ("galumbang, juai atau paringin selatan?", (None, None)),
        # Everyday words that are also desa names need "desa".
        ("pengemis di lampu merah", (None, None)),
        ("desa merah", (AWAYAN, 6311032006)),
        ("pasar baru paringin", (PARINGIN, None)),
        ("di simpang tiga", (None, None)),
        ("dari paringin ke juai", (None, None)),
        ("jalan berlubang", (None, None)),
        ("", (None, None)),
    ],
)
def test_find_place(text, expected):
    assert u.find_place(text, KECAMATAN, DESA) == expected


def test_find_place_accepts_any_iterables():
    assert u.find_place("halong", iter([(1, "Halong")]), iter([])) == (1, None)
    assert u.find_place("di liyu", [], [(5, "Liyu", 1)]) == (1, 5)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_understand_never_raises(text):
    got = u.understand(text)
    assert got.command is None or got.command in u.COMMANDS
    assert got.rating is None or 1 <= got.rating <= 5
    assert got.text == text.strip()


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_normalize_is_idempotent(text):
    once = u.normalize(text)
    assert u.normalize(once) == once


CODE_FORMATS = ["LL-{p}-{n:04d}", "ll {p} {n:04d}", "LL{p}{n:04d}", "ll-{p}-{n}", "Ll.{p}.{n}"]


@settings(max_examples=300, deadline=None)
@given(
    before=st.text(),
    after=st.text(),
    year=st.integers(0, 99),
    month=st.integers(1, 12),
    number=st.integers(1, 99999),
    fmt=st.sampled_from(CODE_FORMATS),
)
def test_a_code_embedded_anywhere_is_found(before, after, year, month, number, fmt):
    period = f"{year:02d}{month:02d}"
    written = fmt.format(p=period, n=number)
    expected = f"LL-{period}-{number:04d}"
    text = f"{before} {written} {after}"
    assert expected in u.find_codes(text)
    assert expected in u.understand(text).codes
    assert u.understand(text).rating is None
