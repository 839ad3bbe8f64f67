"""Reference data every installation starts with; the superadmin edits it afterwards."""

CATEGORIES = [
    # code, name, description, default priority
    (
        "gangguan-trantibum",
        "Gangguan ketertiban umum",
        "Gangguan ketenteraman dan ketertiban umum",
        "normal",
    ),
    (
        "pkl",
        "PKL di tempat terlarang",
        "Pedagang kaki lima di trotoar, bahu jalan, taman",
        "normal",
    ),
    (
        "bangunan-tanpa-izin",
        "Bangunan tanpa izin",
        "Bangunan tanpa PBG/IMB atau di lahan terlarang",
        "normal",
    ),
    ("reklame-liar", "Reklame/baliho liar", "Reklame, spanduk, baliho tanpa izin", "normal"),
    ("miras", "Minuman keras", "Peredaran atau konsumsi minuman beralkohol", "normal"),
    ("kebisingan", "Kebisingan", "Suara keras, musik, knalpot, keributan malam", "normal"),
    ("perkelahian", "Perkelahian/keributan", "Perkelahian, tawuran, ancaman senjata", "urgent"),
    ("gepeng", "Gelandangan dan pengemis", "Gelandangan, pengemis, anak jalanan", "normal"),
    (
        "perda-lain",
        "Pelanggaran Perda/Perkada lain",
        "Pelanggaran peraturan daerah lainnya",
        "normal",
    ),
    ("lainnya", "Lainnya", "Aduan lain terkait ketertiban", "normal"),
]

OUTCOMES = [
    ("teguran_lisan", "Teguran lisan"),
    ("teguran_tertulis", "Teguran tertulis"),
    ("penertiban", "Penertiban (termasuk penyitaan)"),
    ("pembinaan", "Pembinaan"),
    ("diserahkan", "Diserahkan ke instansi lain"),
    ("tidak_ditemukan", "Tidak ditemukan di lokasi"),
]

EMERGENCY_NUMBERS = [
    ("Panggilan darurat", "112"),
    ("Polisi", "110"),
    ("Pemadam kebakaran", "113"),
    ("Ambulans", "118"),
]

# Words citizens use for each category (lower case; the superadmin edits them per category).
CATEGORY_KEYWORDS = {
    "gangguan-trantibum": "balap liar, trek-trekan, judi, sabung ayam, geng motor, meresahkan, "
    "nongkrong, asusila, prostitusi, pekat",
    "pkl": "pkl, kaki lima, pedagang, jualan, berjualan, lapak, gerobak, dagangan, warung tenda",
    "bangunan-tanpa-izin": "bangunan liar, bangunan tanpa izin, bangli, imb, pbg, "
    "membangun, bangunan",
    "reklame-liar": "reklame, baliho, spanduk, poster, banner, umbul-umbul, iklan",
    "miras": "miras, minuman keras, mabuk, mabok, tuak, arak, alkohol, oplosan, ciu",
    "kebisingan": "bising, berisik, musik keras, sound system, knalpot, brong, karaoke, orgen",
    "perkelahian": "berkelahi, perkelahian, tawuran, keroyok, pengeroyokan, senjata tajam, "
    "sajam, parang, celurit, mandau, duel, adu jotos, bacok",
    "gepeng": "gelandangan, pengemis, ngemis, anjal, anak jalanan, pengamen, odgj",
    "perda-lain": "perda, parkir liar, buang sampah, ternak lepas, sapi lepas, kambing lepas",
    "lainnya": "",
}
