"""The citizen bot, conversation by conversation: the citizen on the phone simulator, the
service behind the real webhook, its worker steps and the Graph API emulator."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from lalisa.bot import conversation
from lalisa.bot.models import Conversation
from lalisa.complaints import workflow
from lalisa.complaints.errors import StepRefused
from lalisa.complaints.models import (
    Category,
    Complaint,
    Confidentiality,
    Media,
    Outcome,
    Priority,
    Rating,
    Reporter,
    Status,
    Supporter,
)
from lalisa.notifications.models import MessageText
from lalisa.simulator.models import EmulatedMessage
from lalisa.whatsapp import templates
from lalisa.whatsapp.models import InboundMessage, OutboundMessage
from tests.chat import Chat, work

PARINGIN = (-2.3321, 115.4654)
NEAR_PARINGIN = (-2.3330, 115.4660)  # about 120 m away
FAR_IN_PARINGIN = (-2.3450, 115.4654)  # about 1.4 km away

pytestmark = pytest.mark.django_db


def texts(messages) -> str:
    return Chat.text_of(messages)


def only_complaint() -> Complaint:
    return Complaint.objects.get()


def reporter_of(c: Chat) -> Reporter:
    return Reporter.objects.get(user_id=c.contact["user_id"])


def file_by_taps(c: Chat, *, category="PKL di tempat terlarang", identity="Biasa", where=PARINGIN):
    c.say("halo")
    c.tap("Buat aduan")
    c.tap(category)
    c.say("Pedagang berjualan di trotoar depan pasar sejak pagi, jalan jadi sempit")
    c.location(*where)
    c.photo()
    c.tap(identity)
    return c.tap("Kirim")


# --- greeting and menu ----------------------------------------------------------------


def test_a_first_hello_gets_a_greeting_the_privacy_link_and_the_menu(chat):
    c = chat(name="Siti")
    answer = c.say("halo")
    assert len(answer) == 1
    menu = answer[0]
    assert menu["kind"] == "list"
    assert "Halo Siti" in menu["text"] and "Satpol PP Kabupaten Balangan" in menu["text"]
    assert "https://lalisa.example.id/publik/privasi/" in menu["text"]
    rows = [r["title"] for s in menu["sections"] for r in s["rows"]]
    assert rows == ["Buat aduan", "Cek status aduan", "Info layanan"]


def test_a_citizen_with_a_running_complaint_sees_it_in_the_menu(chat, category, paringin):
    c = chat()
    c.say("halo")
    workflow.file_complaint(
        actor=reporter_of(c), category=category, description="PKL di trotoar", kecamatan=paringin
    )
    code = only_complaint().code
    work()
    c.new()
    menu = c.say("p min")[0]
    rows = {r["title"]: r.get("description", "") for s in menu["sections"] for r in s["rows"]}
    assert rows[code] == "Status: Diterima"


def test_info_lists_what_satpol_pp_handles_hours_and_emergency_numbers(chat):
    c = chat()
    c.say("halo")
    info = texts(c.tap("Info layanan"))
    assert "PKL di tempat terlarang" in info and "Minuman keras" in info
    assert "Jam layanan" in info and "112" in info and "113" in info


# --- making a complaint ------------------------------------------------------------------


def test_a_whole_complaint_takes_eight_messages_and_is_filed_whole(chat):
    c = chat(name="Ahmad")
    answer = file_by_taps(c)
    assert c.sent == 8
    complaint = only_complaint()
    assert complaint.category.code == "pkl"
    assert complaint.kecamatan.name == "Paringin"
    assert complaint.lat == Decimal("-2.332100") and complaint.lng == Decimal("115.465400")
    assert complaint.confidentiality == Confidentiality.BIASA
    assert complaint.reporter == reporter_of(c)
    assert complaint.description.startswith("Pedagang berjualan di trotoar")
    # The photo became the complaint's, with its file once downloaded.
    photo = Media.objects.get(complaint=complaint)
    assert photo.kind == "image" and photo.file and photo.size > 0
    said = texts(answer)
    assert complaint.code in said and "paling lambat" in said and "WITA" in said
    # Every message of the draft is the complaint's, for staff to read.
    assert InboundMessage.objects.filter(complaint=complaint).count() >= 4
    assert Conversation.objects.get(reporter=complaint.reporter).draft == {}


def test_each_question_is_one_message_with_fixed_choices_as_buttons_or_lists(chat):
    c = chat()
    c.say("halo")
    category = c.tap("Buat aduan")
    assert [m["kind"] for m in category] == ["list"]
    assert len([r for s in category[0]["sections"] for r in s["rows"]]) == 10
    assert [m["kind"] for m in c.tap("Kebisingan")] == ["text"]
    where = c.say("Musik keras dari rumah karaoke tiap malam sampai jam 2")
    assert [m["kind"] for m in where] == ["location_request"]
    photos = c.location(*PARINGIN)
    assert photos[0]["kind"] == "buttons" and photos[0]["buttons"][0]["title"] == "Lewati"
    identity = c.tap("Lewati")
    assert [b["title"] for b in identity[0]["buttons"]] == ["Biasa", "Anonim", "Rahasia"]
    assert "hanya admin" in identity[0]["text"]
    summary = c.tap("Anonim")[0]
    assert [b["title"] for b in summary["buttons"]] == ["Kirim", "Ubah", "Batal"]
    assert "Kebisingan" in summary["text"] and "Anonim" in summary["text"]
    assert "Kec. Paringin" in summary["text"]


def test_the_whole_complaint_in_the_first_message_asks_only_what_is_missing(chat):
    c = chat()
    first = c.say("ada PKL jualan di trotoar depan pasar Paringin, tlg ditertibkan")
    # Category and kecamatan come from the words; the pin is asked for, skippable.
    assert [m["kind"] for m in first] == ["location_request"]
    assert "Kec. Paringin" in first[0]["text"]
    photos = c.say("lewati")
    assert photos[0]["buttons"][0]["title"] == "Lewati"
    c.tap("Lewati")
    summary = c.tap("Biasa")[0]["text"]
    assert "PKL di tempat terlarang" in summary and "depan pasar Paringin" in summary
    c.tap("Kirim")
    complaint = only_complaint()
    assert complaint.category.code == "pkl" and complaint.kecamatan.name == "Paringin"
    assert complaint.lat is None


def test_a_typed_place_without_a_kecamatan_is_asked_its_kecamatan_from_a_list(chat):
    c = chat()
    c.say("halo")
    c.tap("Buat aduan")
    c.tap("Minuman keras")
    c.say("Sekelompok pemuda minum miras di pos ronda setiap malam")
    kecamatan = c.say("pos ronda dekat masjid")
    assert kecamatan[0]["kind"] == "list"
    rows = [r["title"] for s in kecamatan[0]["sections"] for r in s["rows"]]
    assert "Juai" in rows and "Halong" in rows and len(rows) == 8
    c.tap("Juai")
    c.tap("Lewati")
    c.tap("Rahasia")
    c.tap("Kirim")
    complaint = only_complaint()
    assert complaint.kecamatan.name == "Juai" and complaint.address == "pos ronda dekat masjid"
    assert complaint.confidentiality == Confidentiality.RAHASIA


def test_a_photo_first_and_words_later(chat):
    c = chat()
    greeting = c.photo()
    assert greeting[0]["kind"] == "list" and "Selamat datang" in greeting[0]["text"]
    c.tap("Buat aduan")
    c.tap("Gelandangan dan pengemis")
    c.say("Ada pengemis anak-anak di lampu merah simpang empat")
    # The photo already sent makes the photo question unnecessary.
    identity = c.location(*PARINGIN)
    assert [b["title"] for b in identity[0]["buttons"]] == ["Biasa", "Anonim", "Rahasia"]
    c.tap("Biasa")
    c.tap("Kirim")
    assert Media.objects.filter(complaint=only_complaint(), kind="image").count() == 1


def test_a_photo_with_a_caption_is_the_description_and_more_photos_join_until_kirim(chat):
    c = chat()
    c.say("halo")
    c.tap("Buat aduan")
    c.tap("Reklame/baliho liar")
    where = c.photo(caption="Baliho besar dipasang di pohon tepi jalan")
    assert where[0]["kind"] == "location_request"
    c.location(*PARINGIN)
    c.tap("Biasa")  # the photo step was skipped: a photo is already there
    more = c.photo()
    assert "2 berkas" in texts(more)
    c.tap("Kirim")
    complaint = only_complaint()
    assert complaint.description == "Baliho besar dipasang di pohon tepi jalan"
    assert complaint.media.count() == 2


def test_a_voice_note_is_accepted_as_the_description(chat):
    c = chat()
    c.say("halo")
    c.tap("Buat aduan")
    c.tap("Kebisingan")
    where = c.voice()
    assert where[0]["kind"] == "location_request"
    c.location(*PARINGIN)
    c.tap("Lewati")
    c.tap("Biasa")
    c.tap("Kirim")
    complaint = only_complaint()
    assert "pesan suara" in complaint.description
    assert complaint.media.get().kind == "audio"


def test_ubah_changes_one_part_and_returns_to_the_summary(chat):
    c = chat()
    c.say("halo")
    c.tap("Buat aduan")
    c.tap("Kebisingan")
    c.say("Knalpot brong balapan tiap malam di jalan utama")
    c.location(*PARINGIN)
    c.tap("Lewati")
    c.tap("Biasa")
    c.tap("Ubah")
    c.tap("Kategori")
    summary = c.tap("Gangguan ketertiban umum")
    assert summary[0]["kind"] == "buttons" and "Gangguan ketertiban umum" in summary[0]["text"]
    c.tap("Kirim")
    assert only_complaint().category.code == "gangguan-trantibum"


def test_batal_kembali_and_menu_work_at_every_step(chat):
    c = chat()
    c.say("halo")
    c.tap("Buat aduan")
    c.tap("Kebisingan")
    c.say("Suara musik keras sampai subuh")
    # kembali: the question before, again
    again = c.say("kembali")
    assert "Ceritakan singkat" in texts(again)
    c.say("Suara musik keras sampai subuh dari rumah pesta")
    # menu: the draft waits, offered first
    menu = c.say("menu")[0]
    rows = [r["title"] for s in menu["sections"] for r in s["rows"]]
    assert rows[0] == "Lanjutkan draf aduan"
    resumed = c.tap("Lanjutkan draf aduan")
    assert resumed[-1]["kind"] == "location_request"
    cancelled = c.say("batal")
    assert "dibatalkan" in texts(cancelled)
    assert not Complaint.objects.exists()
    assert Conversation.objects.get().draft == {}
    # Nothing the citizen sent is lost.
    assert InboundMessage.objects.filter(reporter__isnull=False).count() == c.sent


def test_kirim_twice_files_one_complaint(chat):
    c = chat()
    file_by_taps(c)
    again = c.tap("Kirim")
    assert Complaint.objects.count() == 1
    assert "tidak berlaku" in texts(again)


def test_an_idle_draft_is_put_aside_and_resumed_with_lanjut(chat):
    c = chat()
    c.say("halo")
    c.tap("Buat aduan")
    c.tap("Minuman keras")
    Conversation.objects.update(updated_at=timezone.now() - dt.timedelta(minutes=31))
    assert conversation.set_aside_idle() == 1
    assert conversation.set_aside_idle() == 0  # told once
    work()
    told = texts(c.new())
    assert "lanjut" in told and "batal" in told
    resumed = c.say("lanjut")
    assert "lanjutkan" in texts(resumed) and "Ceritakan singkat" in texts(resumed)


def test_a_draft_put_aside_a_day_ago_is_dropped(chat):
    c = chat()
    c.say("halo")
    c.tap("Buat aduan")
    c.tap("Minuman keras")
    Conversation.objects.update(set_aside_at=timezone.now() - dt.timedelta(hours=25))
    menu = c.say("halo")[0]
    rows = [r["title"] for s in menu["sections"] for r in s["rows"]]
    assert "Lanjutkan draf aduan" not in rows


# --- nearby duplicates ---------------------------------------------------------------------


@pytest.fixture
def nearby_complaint(db, other_citizen, paringin):
    pkl = Category.objects.get(code="pkl")
    return workflow.file_complaint(
        actor=other_citizen,
        category=pkl,
        description="Rahasia pribadi: Pak Budi jualan di depan rumah saya",
        lat=Decimal(str(PARINGIN[0])),
        lng=Decimal(str(PARINGIN[1])),
        address="Jl. Rumah Saya No. 5",
        kecamatan=paringin,
    )


def _to_location(c: Chat, category: str, where):
    c.say("halo")
    c.tap("Buat aduan")
    c.tap(category)
    c.say("PKL berjualan di trotoar dekat pasar, mengganggu pejalan kaki")
    return c.location(*where)


def test_a_nearby_open_complaint_of_the_category_is_offered_without_personal_data(
    chat, nearby_complaint
):
    c = chat()
    offer = _to_location(c, "PKL di tempat terlarang", NEAR_PARINGIN)[0]
    assert offer["kind"] == "buttons"
    assert [b["title"] for b in offer["buttons"]] == ["Gabung", "Buat aduan baru"]
    assert "PKL di tempat terlarang" in offer["text"] and "Diterima" in offer["text"]
    for private in ("Pak Budi", "Rumah Saya", nearby_complaint.code, "Rudi"):
        assert private not in offer["text"]
    joined = c.tap("Gabung")
    assert Complaint.objects.count() == 1
    supporter = Supporter.objects.get(complaint=nearby_complaint)
    assert supporter.reporter == reporter_of(c)
    assert "pendukung" in texts(joined)
    assert nearby_complaint.events.filter(kind="support").exists()


def test_filing_anyway_after_the_offer(chat, nearby_complaint):
    c = chat()
    _to_location(c, "PKL di tempat terlarang", NEAR_PARINGIN)
    photos = c.tap("Buat aduan baru")
    assert photos[0]["buttons"][0]["title"] == "Lewati"
    c.tap("Lewati")
    c.tap("Biasa")
    c.tap("Kirim")
    assert Complaint.objects.count() == 2


@pytest.mark.parametrize(
    "change",
    [
        {"confidentiality": Confidentiality.RAHASIA},
        {"received_at": timezone.now() - dt.timedelta(hours=25)},
        {"status": Status.REJECTED},
        {"lat": Decimal(str(FAR_IN_PARINGIN[0]))},
    ],
    ids=["rahasia", "older-than-24h", "final", "farther-than-200m"],
)
def test_no_offer_for_rahasia_old_final_or_far_complaints(chat, nearby_complaint, change):
    Complaint.objects.filter(pk=nearby_complaint.pk).update(**change)
    c = chat()
    answer = _to_location(c, "PKL di tempat terlarang", NEAR_PARINGIN)[0]
    assert answer["kind"] == "buttons" and answer["buttons"][0]["title"] == "Lewati"


def test_no_offer_for_another_category(chat, nearby_complaint):
    c = chat()
    answer = _to_location(c, "Kebisingan", NEAR_PARINGIN)[0]
    assert answer["buttons"][0]["title"] == "Lewati"


def test_the_radius_and_the_window_are_the_service_profile_s(chat, nearby_complaint):
    from lalisa.service.models import ServiceProfile

    ServiceProfile.objects.update_or_create(pk=1, defaults={"duplicate_radius_m": 50})
    c = chat()
    answer = _to_location(c, "PKL di tempat terlarang", NEAR_PARINGIN)[0]
    assert answer["buttons"][0]["title"] == "Lewati"


# --- emergencies -----------------------------------------------------------------------


def test_emergency_words_get_the_numbers_first_and_the_complaint_is_urgent(chat):
    c = chat()
    answer = c.say("tolong ada tawuran pemuda bawa parang di lapangan dekat pasar Paringin")
    assert "112" in answer[0]["text"] and "Polisi" in answer[0]["text"]
    assert len(answer) >= 2  # and the complaint goes on
    c.say("lewati")
    c.tap("Lewati")
    c.tap("Biasa")
    c.tap("Kirim")
    complaint = only_complaint()
    assert complaint.priority == Priority.URGENT
    assert complaint.category.code == "perkelahian"


def test_a_fire_gets_the_numbers_even_during_handling(chat, file):
    c = chat()
    c.say("halo")
    file(actor=reporter_of(c))
    work()
    c.new()
    answer = c.say("kebakaran rumah di sebelah!")
    assert "113" in answer[0]["text"]
    # ... and the next, ordinary complaint is not urgent for it.
    c.say("lapor")
    c.tap("Kebisingan")
    c.say("Musik keras dari warung tiap malam")
    c.location(*PARINGIN)
    c.tap("Lewati")
    c.tap("Biasa")
    c.tap("Kirim")
    assert Complaint.objects.latest("pk").priority == Priority.NORMAL


# --- status -------------------------------------------------------------------------------


def test_cek_status_with_one_running_complaint_shows_it_in_plain_words(chat):
    c = chat()
    file_by_taps(c)
    complaint = only_complaint()
    answer = texts(c.say("cek status"))
    assert complaint.code in answer and "Diterima" in answer
    assert "menunggu pemeriksaan" in answer and "WITA" in answer


def test_a_ticket_code_in_the_text_shows_that_complaint(chat, admin):
    c = chat()
    file_by_taps(c)
    complaint = only_complaint()
    workflow.verify(complaint, actor=admin)
    work()
    c.new()
    loose = complaint.code.lower().replace("-", " ")
    answer = texts(c.say(loose))
    assert complaint.code in answer and "Diverifikasi" in answer
    assert "diverifikasi petugas" in answer


def test_nobody_sees_another_person_s_complaint_by_its_code(chat, file):
    someone_elses = file()
    c = chat()
    answer = texts(c.say(someone_elses.code))
    assert "tidak ditemukan" in answer
    assert someone_elses.description not in answer and "Diterima" not in answer


def test_several_running_complaints_are_listed_to_pick(chat, category, paringin):
    c = chat()
    c.say("halo")
    me = reporter_of(c)
    first = workflow.file_complaint(
        actor=me, category=category, description="satu", kecamatan=paringin
    )
    second = workflow.file_complaint(
        actor=me, category=category, description="dua", kecamatan=paringin
    )
    work()
    c.new()
    listed = c.say("status")[0]
    titles = [r["title"] for s in listed["sections"] for r in s["rows"]]
    assert titles == [second.code, first.code]
    assert first.code in texts(c.tap(first.code))


def test_without_complaints_status_says_so(chat):
    c = chat()
    assert "tidak punya aduan" in texts(c.say("cek status"))


# --- during handling --------------------------------------------------------------------


def test_messages_during_handling_go_to_the_latest_complaint_or_the_one_quoted(
    chat, category, paringin
):
    c = chat()
    c.say("halo")
    me = reporter_of(c)
    older = workflow.file_complaint(
        actor=me, category=category, description="a", kecamatan=paringin
    )
    work()
    received_older = [m for m in c.new() if older.code in m.get("text", "")][0]
    newer = workflow.file_complaint(
        actor=me, category=category, description="b", kecamatan=paringin
    )
    work()
    c.new()
    answer = texts(c.say("pedagangnya sudah pindah ke seberang jalan"))
    assert newer.code in answer
    assert InboundMessage.objects.filter(complaint=newer, text__contains="seberang").exists()
    answer = texts(c.say("ini tambahan untuk yang pertama", quote=received_older["wamid"]))
    assert older.code in answer
    assert InboundMessage.objects.filter(complaint=older, text__contains="pertama").exists()
    photo_answer = texts(c.photo())
    assert newer.code in photo_answer
    assert Media.objects.filter(complaint=newer).count() == 1


def test_the_answer_to_a_question_returns_the_complaint_where_it_was(chat, admin):
    c = chat()
    file_by_taps(c)
    complaint = only_complaint()
    workflow.request_info(complaint, actor=admin, question="Jam berapa pedagang mulai berjualan?")
    work()
    asked = texts(c.new())
    assert "Jam berapa pedagang mulai berjualan?" in asked
    thanks = texts(c.say("mulai jam 6 pagi sampai siang"))
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED
    assert complaint.events.get(kind="answer_info").reason == "mulai jam 6 pagi sampai siang"
    assert "keterangan" in thanks


# --- told at every step, and the rating --------------------------------------------------


def _to_done(complaint, admin, kabid, trc):
    workflow.verify(complaint, actor=admin)
    workflow.dispatch(complaint, actor=kabid, team=trc.team)
    workflow.accept(complaint, actor=trc)
    workflow.arrive(complaint, actor=trc)
    workflow.complete(
        complaint,
        actor=trc,
        outcome=Outcome.objects.get(code="teguran_lisan"),
        note="Pedagang sudah pindah ke tempat yang diizinkan.",
    )


def test_the_citizen_is_told_each_step_then_rates_and_comments(chat, admin, kabid, trc):
    c = chat()
    file_by_taps(c)
    complaint = only_complaint()
    _to_done(complaint, admin, kabid, trc)
    work()
    told = c.new()
    said = texts(told)
    for words in ("diverifikasi", "TRC Paringin", "menuju lokasi", "tiba di lokasi"):
        assert words in said
    assert "Pedagang sudah pindah" in said and "Teguran lisan" in said
    assert told[-1]["kind"] == "list"  # the rating list after the result
    thanks = c.tap("⭐⭐⭐⭐ Puas")
    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED
    assert Rating.objects.get(complaint=complaint).score == 4
    assert "komentar" in texts(thanks)
    saved = c.say("Petugasnya ramah dan cepat")
    assert "Komentar Anda sudah kami catat" in texts(saved)
    assert Rating.objects.get(complaint=complaint).comment == "Petugasnya ramah dan cepat"


def test_a_rating_can_be_typed(chat, admin, kabid, trc):
    c = chat()
    file_by_taps(c)
    complaint = only_complaint()
    _to_done(complaint, admin, kabid, trc)
    work()
    c.new()
    c.say("5 mantap")
    assert Rating.objects.get(complaint=complaint).score == 5
    again = c.say("3")
    assert Rating.objects.get(complaint=complaint).score == 5
    assert "3" in Rating.objects.get(complaint=complaint).comment or "sudah" in texts(again)


def test_outside_the_window_the_result_comes_as_the_template_without_the_list(
    chat, admin, kabid, trc
):
    c = chat()
    file_by_taps(c)
    complaint = only_complaint()
    Reporter.objects.update(last_inbound_at=timezone.now() - dt.timedelta(hours=30))
    _to_done(complaint, admin, kabid, trc)
    done = OutboundMessage.objects.filter(notification__kind="complaint_done")
    work()
    assert not done.filter(payload__type="interactive").exists()


# --- other kinds of message --------------------------------------------------------------


def test_a_sticker_gets_a_kind_answer_and_a_reaction_none(chat):
    c = chat()
    greeting = c.say("halo")
    answer = texts(c.sticker())
    assert "Stiker" in answer and "menu" in answer
    assert c.send(kind="reaction", message_id=greeting[0]["wamid"], emoji="👍") == []


def test_staff_numbers_are_not_sent_the_citizen_menu(chat, trc):
    # The staff's own WhatsApp menu: tests/test_bot_staff.py.
    c = chat(phone=trc.whatsapp, name="Candra")
    answer = texts(c.say("halo"))
    assert "TRC Paringin" in answer and "Buat aduan" not in answer
    assert not Conversation.objects.filter(reporter__isnull=False).exists()


def test_the_superadmin_s_text_is_what_the_bot_says(chat):
    MessageText.objects.update_or_create(
        key="bot_menu", defaults={"text": "Mau apa hari ini, {agency}?"}
    )
    c = chat()
    assert "Mau apa hari ini, Satpol PP Kabupaten Balangan?" in c.say("menu")[0]["text"]


def test_a_failure_is_answered_and_noted_and_the_message_kept(chat, monkeypatch):
    def broken(self, *args, **kwargs):
        raise RuntimeError("rusak")

    monkeypatch.setattr(conversation.Turn, "_menu", broken)
    c = chat()
    answer = texts(c.say("halo"))
    assert "ada gangguan" in answer
    message = InboundMessage.objects.get(text="halo")
    assert "RuntimeError" in message.handle_error


# --- the messy openings people really write ---------------------------------------------

GREETINGS = [
    "halo",
    "Halooo",
    "p",
    "P",
    "pp",
    "p min",
    "min",
    "assalamualaikum",
    "Assalamu'alaikum wr wb",
    "asslm min",
    "selamat malam",
    "pagi kak",
    "tes",
    "tlg",
]


@pytest.mark.parametrize("opening", GREETINGS)
def test_a_greeting_in_any_spelling_gets_the_greeting_and_the_menu(chat, opening):
    answer = chat().say(opening)
    assert len(answer) == 1 and answer[0]["kind"] == "list"
    assert "Selamat datang" in answer[0]["text"]


@pytest.mark.parametrize("opening", ["sy mau lapor", "mau lapor min", "lapor", "buat aduan"])
def test_wanting_to_report_goes_straight_to_the_category(chat, opening):
    answer = chat().say(opening)
    assert answer[0]["kind"] == "list" and "Aduan Anda tentang apa" in answer[0]["text"]


@pytest.mark.parametrize(
    ("opening", "category", "kecamatan"),
    [
        ("ada PKL jualan di trotoar depan pasar Paringin, tlg ditertibkan", "pkl", "Paringin"),
        ("min tlg ada org mabuk2an miras di pos ronda desa Lampihong", "miras", "Lampihong"),
        ("knalpot brong tiap malam di jln utama Juai, berisik bgt", "kebisingan", "Juai"),
    ],
)
def test_a_whole_complaint_as_the_opening_keeps_its_words(chat, opening, category, kecamatan):
    c = chat()
    answer = c.say(opening)
    assert answer[-1]["kind"] == "location_request"
    assert f"Kec. {kecamatan}" in answer[-1]["text"]
    draft = Conversation.objects.get(reporter=reporter_of(c)).draft
    assert draft["category"] == category and draft["description"] == opening


def test_a_photo_or_a_voice_note_as_the_opening_gets_the_menu_and_is_kept(chat):
    c = chat()
    assert "Selamat datang" in c.photo()[0]["text"]
    d = chat()
    assert "Selamat datang" in d.voice()[0]["text"]
    kept = Conversation.objects.get(reporter=reporter_of(d)).draft["media"]
    assert InboundMessage.objects.get(pk=kept[0]).type == "audio"


def test_a_reply_goes_before_news_queued_earlier(client, settings, file):
    from django_tasks_db.models import DBTaskResult

    from tests.test_bot_properties import PEOPLE, SECRET, Phone

    settings.WHATSAPP_APP_SECRET = SECRET
    for _ in range(3):
        file()  # news for another citizen, queued first
    Phone(client).post(PEOPLE[0], {"type": "text", "text": {"body": "halo"}})
    first = DBTaskResult.objects.ready().first()
    assert first.task_path.endswith("send_outbound")
    reply = OutboundMessage.objects.get(pk=first.args_kwargs["args"][0])
    assert reply.kind == "bot" and reply.to_phone == PEOPLE[0]["wa_id"]


def test_a_staff_reply_reaches_the_citizen_inside_and_outside_the_window(chat, admin, trc):
    c = chat()
    file_by_taps(c)
    complaint = only_complaint()
    workflow.reply(complaint, actor=admin, text="Mohon kirim foto dari dekat, Bu.")
    work()
    assert "Mohon kirim foto dari dekat, Bu." in texts(c.new())
    assert complaint.events.get(kind="reply").actor_user == admin
    templates.sync()  # submitted to the emulator, approved by its webhook
    work()
    # A day and more later: the service and the phone both say the window is closed.
    long_ago = timezone.now() - dt.timedelta(hours=30)
    Reporter.objects.update(last_inbound_at=long_ago)
    EmulatedMessage.objects.filter(direction=EmulatedMessage.Direction.IN).update(
        created_at=long_ago
    )
    workflow.reply(complaint, actor=admin, text="Apakah pedagangnya masih ada?")
    work()
    late = c.new()
    assert "Apakah pedagangnya masih ada?" in texts(late)
    assert OutboundMessage.objects.filter(
        notification__kind="staff_reply", payload__type="template", state="sent"
    ).exists()
    with pytest.raises(StepRefused):
        workflow.reply(complaint, actor=trc, text="halo")
