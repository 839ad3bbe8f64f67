"""What the bot says, with the defaults as shipped. The superadmin edits every one of them
(MessageText rows, lalisa.notifications); each fits the WhatsApp part it goes into.

{agency} and {service} are filled in for every text; other placeholders per text.
"""

from lalisa.notifications.texts import render
from lalisa.whatsapp import messages as wa

BODY = wa.INTERACTIVE_BODY_MAX
BUTTON = wa.BUTTON_TITLE_MAX
ROW = wa.ROW_TITLE_MAX
ROW_DESC = wa.ROW_DESCRIPTION_MAX
LIST_BUTTON = wa.LIST_BUTTON_MAX

# key: (text, what it is for, the longest it may be)
_TEXTS: dict[str, tuple[str, str, int]] = {
    # --- greeting and menu
    "bot_greeting": (
        "Halo{name}! 👋 Selamat datang di *{service}*, layanan aduan {agency} lewat WhatsApp.\n"
        "Data Anda hanya dipakai untuk menangani aduan: {privacy_url}",
        "Bot: salam pembuka (di atas menu)",
        BODY,
    ),
    "bot_menu": ("Silakan pilih layanan yang Anda perlukan:", "Bot: isi menu utama", BODY),
    "bot_menu_button": ("Pilih layanan", "Bot: tombol menu utama", LIST_BUTTON),
    "bot_menu_report": ("Buat aduan", "Bot: menu — buat aduan", ROW),
    "bot_menu_report_desc": (
        "Laporkan gangguan ketertiban atau pelanggaran Perda",
        "Bot: menu — keterangan buat aduan",
        ROW_DESC,
    ),
    "bot_menu_resume": ("Lanjutkan draf aduan", "Bot: menu — lanjutkan draf", ROW),
    "bot_menu_resume_desc": (
        "Aduan yang belum Anda kirim",
        "Bot: menu — keterangan lanjutkan draf",
        ROW_DESC,
    ),
    "bot_menu_status": ("Cek status aduan", "Bot: menu — cek status", ROW),
    "bot_menu_status_desc": (
        "Lihat perkembangan aduan Anda",
        "Bot: menu — keterangan cek status",
        ROW_DESC,
    ),
    "bot_menu_open_desc": (
        "Status: {status}",
        "Bot: menu — keterangan aduan Anda yang masih berjalan",
        ROW_DESC,
    ),
    "bot_menu_info": ("Info layanan", "Bot: menu — info layanan", ROW),
    "bot_menu_info_desc": (
        "Yang kami tangani, jam layanan, nomor darurat",
        "Bot: menu — keterangan info layanan",
        ROW_DESC,
    ),
    "bot_info": (
        "{agency} menangani gangguan ketenteraman dan ketertiban umum serta pelanggaran "
        "Perda/Perkada, antara lain:\n{categories}\n\n*Jam layanan:* {hours}\n"
        "*Kantor:* {address}\n\n*Nomor darurat:*\n{numbers}\n\nKetik *lapor* untuk membuat "
        "aduan, atau *menu* untuk kembali.",
        "Bot: info layanan",
        wa.TEXT_MAX,
    ),
    "bot_thanks": (
        "Sama-sama 🙏 Ketik *menu* kapan saja jika ada yang bisa kami bantu.",
        "Bot: jawaban untuk terima kasih",
        wa.TEXT_MAX,
    ),
    # --- making a complaint
    "bot_ask_category": (
        "Aduan Anda tentang apa? Pilih kategori yang paling sesuai.",
        "Bot: tanya kategori",
        BODY,
    ),
    "bot_category_button": ("Pilih kategori", "Bot: tombol daftar kategori", LIST_BUTTON),
    "bot_ask_description": (
        "Ceritakan singkat apa yang terjadi: apa, di mana, sejak kapan. Boleh juga dengan "
        "pesan suara, atau foto dengan keterangan.",
        "Bot: tanya uraian kejadian",
        wa.TEXT_MAX,
    ),
    "bot_description_photo_only": (
        "Foto diterima ✅ Sekarang ceritakan singkat apa yang terjadi.",
        "Bot: foto tanpa keterangan saat ditanya uraian",
        wa.TEXT_MAX,
    ),
    "bot_description_too_short": (
        "Mohon ceritakan sedikit lebih lengkap agar petugas memahami kejadiannya.",
        "Bot: uraian terlalu pendek",
        wa.TEXT_MAX,
    ),
    "bot_ask_location": (
        "Di mana kejadiannya? Tekan *Kirim lokasi* untuk membagikan titik lokasi.\n"
        "Jika tidak bisa, ketik nama tempat dan desa/kecamatannya, misalnya: depan Pasar "
        "Paringin.",
        "Bot: tanya lokasi",
        BODY,
    ),
    "bot_ask_pin_too": (
        "Lokasi kami catat: {place}. Agar tim mudah menemukan tempatnya, tekan *Kirim lokasi* "
        "untuk membagikan titik lokasi, atau ketik *lewati*.",
        "Bot: tempat sudah diketahui dari pesan, minta titik lokasi",
        BODY,
    ),
    "bot_ask_kecamatan": (
        "Tempat itu di kecamatan mana?",
        "Bot: tanya kecamatan (setelah warga mengetik tempat)",
        BODY,
    ),
    "bot_kecamatan_button": ("Pilih kecamatan", "Bot: tombol daftar kecamatan", LIST_BUTTON),
    "bot_location_required": (
        "Lokasi diperlukan agar tim bisa datang ke tempat kejadian.",
        "Bot: warga melewati lokasi",
        wa.TEXT_MAX,
    ),
    "bot_location_outside": (
        "Titik yang Anda kirim tampaknya di luar wilayah layanan kami. Kirim ulang titik "
        "yang benar, atau ketik nama tempatnya.",
        "Bot: titik lokasi di luar wilayah",
        wa.TEXT_MAX,
    ),
    "bot_ask_photos": (
        "Ada foto kejadian? Kirim fotonya sekarang (boleh lebih dari satu), atau tekan *Lewati*.",
        "Bot: minta foto",
        BODY,
    ),
    "bot_photo_received": (
        "Foto diterima ✅ ({count} berkas). Foto lain masih bisa dikirim sebelum aduan dikirim.",
        "Bot: foto diterima",
        wa.TEXT_MAX,
    ),
    "bot_media_received": (
        "{kind} diterima ✅ dan akan kami lampirkan pada aduan.",
        "Bot: pesan suara/video/dokumen diterima",
        wa.TEXT_MAX,
    ),
    "bot_ask_identity": (
        "Bagaimana identitas Anda diperlakukan?\n"
        "• *Biasa*: nama dan nomor Anda terlihat oleh petugas yang menangani.\n"
        "• *Anonim*: hanya admin yang melihat identitas Anda.\n"
        "• *Rahasia*: hanya admin yang melihat, dan aduan tidak tampil di halaman publik.",
        "Bot: tanya identitas (biasa/anonim/rahasia)",
        BODY,
    ),
    "bot_btn_biasa": ("Biasa", "Bot: tombol identitas biasa", BUTTON),
    "bot_btn_anonim": ("Anonim", "Bot: tombol identitas anonim", BUTTON),
    "bot_btn_rahasia": ("Rahasia", "Bot: tombol identitas rahasia", BUTTON),
    "bot_summary": (
        "Periksa aduan Anda:\n*Kategori:* {category}\n*Kejadian:* {description}\n"
        "*Lokasi:* {place}\n*Foto/media:* {media}\n*Identitas:* {identity}\n\n"
        "Kirim sekarang?",
        "Bot: ringkasan sebelum kirim",
        BODY,
    ),
    "bot_btn_send": ("Kirim", "Bot: tombol kirim", BUTTON),
    "bot_btn_change": ("Ubah", "Bot: tombol ubah", BUTTON),
    "bot_btn_cancel": ("Batal", "Bot: tombol batal", BUTTON),
    "bot_btn_skip": ("Lewati", "Bot: tombol lewati", BUTTON),
    "bot_ask_change": ("Bagian mana yang ingin diubah?", "Bot: tanya bagian yang diubah", BODY),
    "bot_change_button": ("Pilih bagian", "Bot: tombol daftar bagian", LIST_BUTTON),
    "bot_chg_category": ("Kategori", "Bot: ubah — kategori", ROW),
    "bot_chg_description": ("Uraian kejadian", "Bot: ubah — uraian", ROW),
    "bot_chg_location": ("Lokasi", "Bot: ubah — lokasi", ROW),
    "bot_chg_photos": ("Foto", "Bot: ubah — foto", ROW),
    "bot_chg_identity": ("Identitas", "Bot: ubah — identitas", ROW),
    "bot_cancelled": (
        "Aduan dibatalkan. Ketik *menu* kapan saja untuk mulai lagi.",
        "Bot: draf dibatalkan",
        wa.TEXT_MAX,
    ),
    "bot_nothing_to_cancel": (
        "Tidak ada aduan yang sedang Anda isi.",
        "Bot: batal tanpa draf",
        BODY,
    ),
    "bot_set_aside": (
        "Aduan Anda belum terkirim dan kami simpan sebagai draf. Ketik *lanjut* untuk "
        "melanjutkan, atau *batal* untuk membatalkan.",
        "Bot: draf disimpan karena lama tidak dibalas",
        wa.TEXT_MAX,
    ),
    "bot_resumed": ("Kita lanjutkan aduan Anda.", "Bot: draf dilanjutkan", BODY),
    "bot_no_draft": ("Tidak ada draf aduan yang tersimpan.", "Bot: lanjut tanpa draf", BODY),
    "bot_not_understood": (
        "Maaf, kami belum memahami jawaban itu.",
        "Bot: jawaban tidak sesuai pertanyaan",
        BODY,
    ),
    "bot_stale_button": (
        "Pilihan itu sudah tidak berlaku.",
        "Bot: tombol lama ditekan",
        BODY,
    ),
    # --- nearby duplicates
    "bot_nearby": (
        "Sudah ada aduan serupa di dekat lokasi ini:\n*{category}*, {area}, status: {status}.\n"
        "Anda bisa bergabung sebagai pendukung: Anda akan dikabari perkembangannya dan "
        "diminta menilai hasilnya. Atau tetap buat aduan baru.",
        "Bot: tawaran bergabung dengan aduan serupa di dekatnya",
        BODY,
    ),
    "bot_btn_join": ("Gabung", "Bot: tombol gabung", BUTTON),
    "bot_btn_new": ("Buat aduan baru", "Bot: tombol buat aduan baru", BUTTON),
    # --- emergencies
    "bot_emergency": (
        "⚠️ Jika ada bahaya bagi nyawa atau harta, segera hubungi:\n{numbers}\n"
        "Aduan Anda tetap bisa dikirim di sini.",
        "Bot: nomor darurat untuk kata darurat",
        wa.TEXT_MAX,
    ),
    # --- status
    "bot_status": (
        "*{code}* — {category}\nStatus: *{status}*\n{explanation}\n"
        "Langkah terakhir: {last_step}, {when}.",
        "Bot: status satu aduan",
        BODY,
    ),
    "bot_status_check": (
        "Kode cek: *{check}* — untuk melihat status di {lookup_url} bersama nomor tiket.",
        "Bot: kode cek di bawah status, hanya untuk pelapor aduan itu",
        BODY,
    ),
    "bot_status_pick": (
        "Aduan Anda yang sedang berjalan. Pilih untuk melihat statusnya:",
        "Bot: daftar aduan warga untuk cek status",
        BODY,
    ),
    "bot_status_pick_button": ("Lihat aduan", "Bot: tombol daftar aduan", LIST_BUTTON),
    "bot_status_none": (
        "Anda tidak punya aduan yang sedang berjalan. Ketik *lapor* untuk membuat aduan, atau "
        "ketik nomor tiket untuk melihat aduan lama.",
        "Bot: cek status tanpa aduan berjalan",
        wa.TEXT_MAX,
    ),
    "bot_status_not_found": (
        "Nomor tiket {code} tidak ditemukan di antara aduan Anda. Periksa kembali nomornya.",
        "Bot: nomor tiket bukan milik warga atau tidak ada",
        wa.TEXT_MAX,
    ),
    "bot_state_received": (
        "Aduan sudah kami terima dan menunggu pemeriksaan petugas.",
        "Bot: arti status Diterima",
        wa.TEXT_MAX,
    ),
    "bot_state_needs_info": (
        "Petugas menunggu keterangan tambahan dari Anda; silakan balas pertanyaannya.",
        "Bot: arti status Menunggu keterangan",
        wa.TEXT_MAX,
    ),
    "bot_state_verified": (
        "Aduan sudah diperiksa dan menunggu keputusan tindak lanjut dari Kepala Bidang.",
        "Bot: arti status Diverifikasi",
        wa.TEXT_MAX,
    ),
    "bot_state_dispatched": (
        "Tim reaksi cepat sudah ditugaskan untuk menangani aduan ini.",
        "Bot: arti status Ditugaskan",
        wa.TEXT_MAX,
    ),
    "bot_state_accepted": (
        "Tim sedang menuju lokasi.",
        "Bot: arti status Menuju lokasi",
        wa.TEXT_MAX,
    ),
    "bot_state_on_site": (
        "Tim sedang menangani di lokasi.",
        "Bot: arti status Di lokasi",
        wa.TEXT_MAX,
    ),
    "bot_state_done": (
        "Penanganan sudah selesai; kami menunggu penilaian Anda.",
        "Bot: arti status Selesai ditangani",
        wa.TEXT_MAX,
    ),
    "bot_state_closed": (
        "Aduan sudah selesai dan ditutup.",
        "Bot: arti status Ditutup",
        wa.TEXT_MAX,
    ),
    "bot_state_rejected": (
        "Aduan tidak dapat ditindaklanjuti. Alasan: {reason}",
        "Bot: arti status Ditolak",
        wa.TEXT_MAX,
    ),
    "bot_state_referred": (
        "Aduan dialihkan kepada {agency_to}. {reason}",
        "Bot: arti status Dialihkan",
        wa.TEXT_MAX,
    ),
    "bot_state_duplicate": (
        "Aduan ini digabung dengan aduan {original} yang sedang ditangani.",
        "Bot: arti status Digabung",
        wa.TEXT_MAX,
    ),
    # --- during handling
    "bot_attached": (
        "Pesan Anda sudah kami tambahkan ke aduan *{code}* dan diteruskan kepada petugas. "
        "Jika ini aduan baru, ketik *aduan baru*.",
        "Bot: pesan warga dilampirkan pada aduannya yang berjalan",
        wa.TEXT_MAX,
    ),
    # --- rating
    "bot_rate_ask": (
        "Bagaimana penilaian Anda atas penanganan aduan *{code}*?",
        "Bot: minta penilaian (daftar bintang)",
        BODY,
    ),
    "bot_rate_button": ("Beri nilai", "Bot: tombol daftar penilaian", LIST_BUTTON),
    "bot_rate_5": ("⭐⭐⭐⭐⭐ Sangat puas", "Bot: nilai 5", ROW),
    "bot_rate_4": ("⭐⭐⭐⭐ Puas", "Bot: nilai 4", ROW),
    "bot_rate_3": ("⭐⭐⭐ Cukup", "Bot: nilai 3", ROW),
    "bot_rate_2": ("⭐⭐ Kurang puas", "Bot: nilai 2", ROW),
    "bot_rate_1": ("⭐ Tidak puas", "Bot: nilai 1", ROW),
    "bot_rate_already": (
        "Aduan *{code}* sudah Anda nilai. Terima kasih!",
        "Bot: penilaian kedua untuk aduan yang sama",
        wa.TEXT_MAX,
    ),
    "bot_comment_saved": (
        "Komentar Anda sudah kami catat. Terima kasih!",
        "Bot: komentar penilaian dicatat",
        wa.TEXT_MAX,
    ),
    # --- other kinds of message
    "bot_sticker": (
        "Terima kasih 😊 Stiker belum bisa kami baca. Silakan kirim teks, foto, atau lokasi; "
        "ketik *menu* untuk melihat pilihan.",
        "Bot: jawaban untuk stiker",
        wa.TEXT_MAX,
    ),
    "bot_unsupported": (
        "Pesan Anda sudah kami simpan, tetapi jenis pesan ini belum bisa kami proses. "
        "Silakan kirim teks, foto, pesan suara, atau lokasi.",
        "Bot: jawaban untuk jenis pesan yang belum didukung",
        wa.TEXT_MAX,
    ),
    "bot_media_refused": (
        "Maaf, {kind} yang Anda kirim tidak dapat kami terima: {reason} Silakan kirim ulang, "
        "misalnya dengan ukuran lebih kecil.",
        "Bot: berkas warga ditolak (terlalu besar, rusak)",
        wa.TEXT_MAX,
    ),
    "bot_error": (
        "Maaf, ada gangguan saat memproses pesan Anda. Pesan Anda tetap tersimpan dan akan "
        "dilihat petugas; silakan coba lagi sebentar lagi.",
        "Bot: gangguan saat memproses pesan",
        wa.TEXT_MAX,
    ),
    # --- staff on WhatsApp: the Kabid's decision, the TRC's dispatch
    "staff_menu_kabid": (
        "Aduan yang menunggu keputusan tindak lanjut, dan yang sedang ditangani tim. "
        "Pilih untuk melihat:",
        "Petugas: menu Kabid",
        BODY,
    ),
    "staff_menu_trc": (
        "Penugasan tim {team}. Pilih untuk melihat atau melapor:",
        "Petugas: menu TRC",
        BODY,
    ),
    "staff_menu_button": ("Lihat aduan", "Petugas: tombol daftar aduan", LIST_BUTTON),
    "staff_menu_more": (
        "Ditampilkan {shown} dari {total}, yang terlama dulu; semuanya ada di aplikasi web "
        "{service}.",
        "Petugas: menu yang terpotong (daftar WhatsApp memuat 10 baris)",
        BODY,
    ),
    "staff_nothing_kabid": (
        "Tidak ada aduan yang menunggu keputusan Anda.",
        "Petugas: Kabid tanpa aduan menunggu",
        wa.TEXT_MAX,
    ),
    "staff_nothing_trc": (
        "Tidak ada penugasan aktif untuk tim {team}.",
        "Petugas: TRC tanpa penugasan",
        wa.TEXT_MAX,
    ),
    "staff_no_role": (
        "Nomor ini terdaftar sebagai petugas {agency}. Silakan gunakan aplikasi web {service}.",
        "Petugas: peran tanpa menu WhatsApp",
        wa.TEXT_MAX,
    ),
    "staff_review": (
        "*{code}* — {category} ({priority})\n{description}\nLokasi: {place}\n\n"
        "Disarankan: *{team}* ({why}). Tekan nama tim untuk menugaskannya.",
        "Petugas: aduan terverifikasi untuk Kabid, dengan tim yang disarankan",
        BODY,
    ),
    "staff_running": (
        "*{code}* — {category} ({priority})\n{description}\nLokasi: {place}\n\n"
        "Ditangani tim *{team}* ({status}). Selama tim belum tiba, Anda dapat mengirim tim lain.",
        "Petugas: aduan yang sedang ditangani, untuk Kabid",
        BODY,
    ),
    "staff_btn_redispatch": ("Kirim tim lain", "Petugas: tombol ganti tim", BUTTON),
    "staff_section_waiting": (
        "Menunggu keputusan",
        "Petugas: judul bagian aduan menunggu",
        wa.SECTION_TITLE_MAX,
    ),
    "staff_section_running": (
        "Sedang ditangani",
        "Petugas: judul bagian aduan berjalan",
        wa.SECTION_TITLE_MAX,
    ),
    "staff_btn_other": ("Pilih tim lain", "Petugas: tombol tim lain", BUTTON),
    "staff_btn_decline": ("Tolak", "Petugas: tombol tolak tindak lanjut", BUTTON),
    "staff_teams": ("Pilih tim untuk *{code}*:", "Petugas: daftar tim", BODY),
    "staff_teams_button": ("Pilih tim", "Petugas: tombol daftar tim", LIST_BUTTON),
    "staff_team_desc": (
        "{distance}{load} tugas berjalan",
        "Petugas: keterangan tim di daftar",
        ROW_DESC,
    ),
    "staff_ask_decline": (
        "Tulis alasan aduan *{code}* tidak ditindaklanjuti (dikirim kepada pelapor):",
        "Petugas: minta alasan penolakan",
        wa.TEXT_MAX,
    ),
    "staff_dispatched": (
        "Tim {team} ditugaskan untuk *{code}*. Pelapor dan tim sudah diberi tahu.",
        "Petugas: tim ditugaskan",
        wa.TEXT_MAX,
    ),
    "staff_declined": (
        "Aduan *{code}* tidak ditindaklanjuti. Pelapor sudah diberi tahu.",
        "Petugas: tindak lanjut ditolak",
        wa.TEXT_MAX,
    ),
    "staff_refused": ("Tidak dapat dilakukan: {reason}", "Petugas: langkah ditolak", wa.TEXT_MAX),
    "staff_not_understood": (
        "Ketik *menu* untuk melihat daftar aduan Anda.",
        "Petugas: pesan tidak dipahami",
        wa.TEXT_MAX,
    ),
    "trc_task": (
        "*{code}* — {category} ({priority})\n{description}\nLokasi: {place}\nStatus: {status}",
        "TRC: penugasan dengan tombol langkah berikutnya",
        BODY,
    ),
    "trc_btn_accept": ("Terima tugas", "TRC: tombol terima", BUTTON),
    "trc_btn_arrive": ("Tiba di lokasi", "TRC: tombol tiba", BUTTON),
    "trc_btn_report": ("Laporkan hasil", "TRC: tombol laporan", BUTTON),
    "trc_btn_done": ("Selesai", "TRC: tombol selesai (kirim laporan)", BUTTON),
    "trc_accepted": (
        "Tugas *{code}* diterima. Tekan *Tiba di lokasi* saat sampai.",
        "TRC: tugas diterima",
        BODY,
    ),
    "trc_arrived": (
        "Tercatat tiba di lokasi *{code}*. Setelah selesai menangani, tekan *Laporkan hasil*.",
        "TRC: tiba di lokasi",
        BODY,
    ),
    "trc_ask_outcome": ("Apa hasil penanganan *{code}*?", "TRC: pilih hasil", BODY),
    "trc_outcome_button": ("Pilih hasil", "TRC: tombol daftar hasil", LIST_BUTTON),
    "trc_ask_note": (
        "Tulis catatan singkat tentang penanganan di lokasi (dikirim kepada pelapor).",
        "TRC: minta catatan",
        wa.TEXT_MAX,
    ),
    "trc_ask_photos": (
        "Kirim foto hasil penanganan (boleh beberapa), atau tekan *Selesai* untuk melapor "
        "tanpa foto.",
        "TRC: minta foto hasil",
        BODY,
    ),
    "trc_photo_received": (
        "Foto ke-{count} diterima. Kirim foto lain, atau selesaikan laporan: *Selesai + foto* "
        "mengirim foto terakhir ini kepada pelapor.",
        "TRC: foto hasil diterima, dengan tombol selesai",
        BODY,
    ),
    "bot_result_photo": (
        "Foto hasil penanganan aduan {code}",
        "Bot: keterangan foto hasil untuk pelapor",
        wa.CAPTION_MAX,
    ),
    "trc_btn_done_photo": ("Selesai + foto", "TRC: tombol selesai, foto ke pelapor", BUTTON),
    "trc_btn_done_plain": ("Selesai tanpa foto", "TRC: tombol selesai tanpa foto", BUTTON),
    "staff_photo_caption": (
        "Foto {number} dari {total} · {code}",
        "Petugas: keterangan foto aduan",
        wa.CAPTION_MAX,
    ),
    "trc_completed": (
        "Laporan *{code}* terkirim kepada pelapor. Terima kasih!",
        "TRC: laporan selesai",
        wa.TEXT_MAX,
    ),
}

TEXTS: dict[str, tuple[str, str]] = {k: (v[0], v[1]) for k, v in _TEXTS.items()}
LIMITS: dict[str, int] = {k: v[2] for k, v in _TEXTS.items() if v[2] < wa.TEXT_MAX}


def say(key: str, **params) -> str:
    return render(key, **params)
