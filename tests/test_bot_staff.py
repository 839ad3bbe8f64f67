"""Staff on WhatsApp: the Kabid decides in two taps, the TRC officer accepts, arrives and
reports from the phone; the citizen is told and asked to rate. Through the real webhook,
the worker's steps and the Graph API emulator."""

import pytest

from lalisa.complaints import workflow
from lalisa.complaints.models import Complaint, Media, Status
from lalisa.simulator.models import EmulatedMedia
from tests.chat import Chat, work
from tests.test_bot_conversation import file_by_taps, only_complaint, texts

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(chat, admin):
    citizen = chat(name="Ahmad")
    file_by_taps(citizen)
    return citizen, only_complaint()


def kabid_phone(chat, kabid) -> Chat:
    phone = chat(name="Budi", phone=kabid.whatsapp)
    phone.say("menu")  # staff write first: the 24-hour window opens
    return phone


def test_a_staff_number_gets_the_staff_menu_not_the_citizen_s(chat, kabid, trc, pimpinan):
    answer = texts(chat(phone=kabid.whatsapp).say("halo"))
    assert "Tidak ada aduan yang menunggu keputusan" in answer and "Buat aduan" not in answer
    answer = texts(chat(phone=trc.whatsapp).say("p"))
    assert "Tidak ada penugasan aktif untuk tim TRC Paringin" in answer
    pimpinan.whatsapp = "081200000009"
    pimpinan.save()
    assert "aplikasi web" in texts(chat(phone=pimpinan.whatsapp).say("menu"))


def test_the_kabid_dispatches_the_suggested_team_in_two_taps(filed, chat, admin, kabid, trc):
    citizen, complaint = filed
    boss = kabid_phone(chat, kabid)
    workflow.verify(complaint, actor=admin)
    work()
    review = boss.new()
    kinds = [m["kind"] for m in review]
    # The pin, the citizen's photo (uploaded to Meta as it went), then the decision.
    assert kinds[-3:] == ["location", "media", "buttons"]
    photo = review[-2]
    assert (
        photo["media_type"] == "image" and photo["caption"] == f"Foto 1 dari 1 · {complaint.code}"
    )
    decision = review[-1]
    assert complaint.code in decision["text"] and "TRC Paringin" in decision["text"]
    assert [b["title"] for b in decision["buttons"]] == ["TRC Paringin", "Pilih tim lain", "Tolak"]
    done = boss.tap("TRC Paringin")
    complaint.refresh_from_db()
    assert complaint.status == Status.DISPATCHED
    assert complaint.active_dispatch.team == trc.team
    assert complaint.events.get(kind="dispatch").actor_user == kabid
    assert "ditugaskan" in texts(done)
    assert "TRC Paringin" in texts(citizen.new())


def test_the_kabid_chooses_another_team_or_declines(filed, chat, admin, kabid, trc, trc_b):
    citizen, complaint = filed
    boss = kabid_phone(chat, kabid)
    workflow.verify(complaint, actor=admin)
    work()
    boss.new()
    teams = boss.tap("Pilih tim lain")[0]
    titles = [r["title"] for s in teams["sections"] for r in s["rows"]]
    assert titles == ["TRC Paringin", "TRC Halong"]  # nearest first
    boss.tap("TRC Halong")
    complaint.refresh_from_db()
    assert complaint.active_dispatch.team == trc_b.team

    other = workflow.file_complaint(
        actor=complaint.reporter,
        category=complaint.category,
        description="Baliho liar di pohon",
        kecamatan=complaint.kecamatan,
    )
    workflow.verify(other, actor=admin)
    work()
    boss.new()
    boss.tap("Tolak")
    boss.say("Baliho sudah diturunkan pemiliknya sebelum kami datang.")
    other.refresh_from_db()
    assert other.status == Status.REJECTED
    assert other.final_reason.startswith("Baliho sudah diturunkan")


def test_the_team_accepts_arrives_and_reports_from_the_phone(
    filed, chat, admin, kabid, trc, trc_b
):
    citizen, complaint = filed
    officer = chat(name="Candra", phone=trc.whatsapp)
    officer.say("menu")
    outsider = chat(name="Dedi", phone=trc_b.whatsapp)
    workflow.verify(complaint, actor=admin)
    workflow.dispatch(complaint, actor=kabid, team=trc.team)
    work()
    task = officer.new()
    assert [m["kind"] for m in task][-3:] == ["location", "media", "buttons"]
    assert task[-2]["caption"] == f"Foto 1 dari 1 · {complaint.code}"  # the citizen's photo
    assert complaint.description[:40] in task[-1]["text"]
    officer.tap("Terima tugas")
    officer.tap("Tiba di lokasi")
    officer.tap("Laporkan hasil")
    officer.tap("Teguran lisan")
    officer.say("Pedagang sudah kami minta pindah dan bersedia.")
    officer.photo()
    second = officer.photo()[-1]
    assert second["text"].startswith("Foto ke-2 diterima")
    assert [b["title"] for b in second["buttons"]] == ["Selesai + foto", "Selesai tanpa foto"]
    finished = officer.tap("Selesai + foto")
    assert "terkirim" in texts(finished)
    complaint.refresh_from_db()
    assert complaint.status == Status.DONE
    assert complaint.outcome.code == "teguran_lisan"
    dispatch = complaint.dispatches.get()
    assert dispatch.report_text == "Pedagang sudah kami minta pindah dan bersedia."
    team_photos = Media.objects.filter(complaint=complaint, dispatch=dispatch).order_by("pk")
    assert team_photos.count() == 2
    # "Selesai + foto": the last photo sent goes to the citizen, with the result.
    assert [m.for_citizen for m in team_photos] == [False, True]
    told = citizen.new()
    assert "Pedagang sudah kami minta pindah" in texts(told)
    assert [m["kind"] for m in told][-2:] == ["media", "list"]  # the photo, then the rating
    assert told[-2]["caption"] == f"Foto hasil penanganan aduan {complaint.code}"
    # What Meta was given is that photo's own file.
    sent = EmulatedMedia.objects.get(media_id=team_photos[1].wa_upload_id)
    with team_photos[1].file.open("rb") as handle:
        assert bytes(sent.content) == handle.read()
    # Another team's officer neither sees it nor can act on it.
    assert "Tidak ada penugasan aktif" in texts(outsider.say("menu"))
    assert "tidak ditemukan" in texts(outsider.say(complaint.code))


def test_the_kabid_sends_another_team_from_the_phone_until_the_first_arrives(
    filed, chat, admin, kabid, trc, trc_b
):
    citizen, complaint = filed
    boss = kabid_phone(chat, kabid)
    workflow.verify(complaint, actor=admin)
    workflow.dispatch(complaint, actor=kabid, team=trc.team)
    work()
    boss.new()
    menu = boss.say("menu")[-1]
    sections = {s["title"]: [r["title"] for r in s["rows"]] for s in menu["sections"]}
    assert sections == {"Sedang ditangani": [complaint.code]}
    shown = boss.tap(complaint.code)[-1]
    assert "Ditangani tim *TRC Paringin*" in shown["text"]
    assert [b["title"] for b in shown["buttons"]] == ["Kirim tim lain"]
    teams = boss.tap("Kirim tim lain")[-1]
    # The team already there is not offered again.
    assert [r["title"] for s in teams["sections"] for r in s["rows"]] == ["TRC Halong"]
    boss.tap("TRC Halong")
    complaint.refresh_from_db()
    assert complaint.status == Status.DISPATCHED
    assert complaint.active_dispatch.team == trc_b.team
    assert complaint.dispatches.count() == 2
    # Once the new team is on site, the Kabid is no longer offered a change.
    workflow.accept(complaint, actor=trc_b)
    workflow.arrive(complaint, actor=trc_b)
    assert "Tidak ada aduan yang menunggu keputusan" in texts(boss.say("menu"))
    shown = texts(boss.say(complaint.code))
    assert "Kirim tim lain" not in shown and "Di lokasi" in shown


def test_finishing_without_a_photo_sends_the_citizen_none(filed, chat, admin, kabid, trc):
    citizen, complaint = filed
    officer = chat(name="Candra", phone=trc.whatsapp)
    officer.say("menu")
    workflow.verify(complaint, actor=admin)
    workflow.dispatch(complaint, actor=kabid, team=trc.team)
    workflow.accept(complaint, actor=trc)
    workflow.arrive(complaint, actor=trc)
    work()
    officer.say(complaint.code)
    officer.tap("Laporkan hasil")
    officer.tap("Teguran lisan")
    officer.say("Sudah ditertibkan.")
    officer.photo()
    officer.tap("Selesai tanpa foto")
    complaint.refresh_from_db()
    assert complaint.status == Status.DONE
    assert not complaint.media.filter(for_citizen=True).exists()
    assert complaint.media.filter(dispatch__isnull=False).count() == 1
    told = citizen.new()
    assert "Sudah ditertibkan." in texts(told)
    assert [m["kind"] for m in told][-1] == "list" and "media" not in [m["kind"] for m in told]


def test_a_refused_step_is_explained_in_the_chat(filed, chat, admin, kabid, trc):
    citizen, complaint = filed
    officer = chat(name="Candra", phone=trc.whatsapp)
    officer.say("menu")
    workflow.verify(complaint, actor=admin)
    workflow.dispatch(complaint, actor=kabid, team=trc.team)
    work()
    officer.new()
    workflow.accept(complaint, actor=trc)  # accepted meanwhile on the web page
    answer = texts(officer.tap("Terima tugas"))
    assert "Tidak dapat dilakukan" in answer
    assert Complaint.objects.get(pk=complaint.pk).status == Status.ACCEPTED


def test_the_suggestion_is_the_nearest_post_else_the_team_covering_the_kecamatan(
    file, admin, kabid, team_a, team_b, paringin, trc, trc_b
):
    from lalisa.teams import suggest

    pinned = file()
    ranked = suggest.choices(pinned)
    assert [c.team for c in ranked] == [team_a, team_b]
    assert ranked[0].distance_km < 1 and ranked[0].covers
    # Without a pin: the team covering the kecamatan; with equal cover, the least loaded.
    unpinned = file(lat=None, lng=None)
    assert suggest.suggested(unpinned) == team_a
    team_b.kecamatan.add(paringin)
    busy = file()
    workflow.verify(busy, actor=admin)
    workflow.dispatch(busy, actor=kabid, team=team_a)
    ranked = suggest.choices(unpinned)
    assert [(c.team, c.open_load) for c in ranked] == [(team_b, 0), (team_a, 1)]


def test_a_full_menu_says_how_many_more_are_waiting(filed, chat, admin, kabid, trc):
    citizen, first = filed
    boss = kabid_phone(chat, kabid)
    complaints = [first] + [
        workflow.file_complaint(
            actor=first.reporter,
            category=first.category,
            description=f"Pedagang kaki lima di trotoar nomor {n}",
            kecamatan=first.kecamatan,
        )
        for n in range(11)
    ]
    for complaint in complaints:
        workflow.verify(complaint, actor=admin)
    workflow.dispatch(complaints[0], actor=kabid, team=trc.team)
    work()
    boss.new()
    menu = boss.say("menu")[-1]
    rows = [r["title"] for s in menu["sections"] for r in s["rows"]]
    assert len(rows) == 10  # WhatsApp's limit for a list
    assert "Ditampilkan 10 dari 12, yang terlama dulu" in menu["text"]
    # With room for every one, nothing is said.
    for complaint in complaints[1:3]:
        workflow.decline(complaint, actor=kabid, reason="Sudah ditertibkan kemarin")
    assert "Ditampilkan" not in boss.say("menu")[-1]["text"]
