"""Staff on WhatsApp: the Kabid decides in two taps, the TRC officer accepts, arrives and
reports from the phone; the citizen is told and asked to rate. Through the real webhook,
the worker's steps and the Graph API emulator."""

import pytest

from lalisa.complaints import workflow
from lalisa.complaints.models import Complaint, Media, Status
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
    assert kinds[-2:] == ["location", "buttons"]  # the pin, then the decision
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
    assert [m["kind"] for m in task][-2:] == ["location", "buttons"]
    assert complaint.description[:40] in task[-1]["text"]
    officer.tap("Terima tugas")
    officer.tap("Tiba di lokasi")
    officer.tap("Laporkan hasil")
    officer.tap("Teguran lisan")
    officer.say("Pedagang sudah kami minta pindah dan bersedia.")
    officer.photo()
    finished = officer.tap("Selesai")
    assert "terkirim" in texts(finished)
    complaint.refresh_from_db()
    assert complaint.status == Status.DONE
    assert complaint.outcome.code == "teguran_lisan"
    dispatch = complaint.dispatches.get()
    assert dispatch.report_text == "Pedagang sudah kami minta pindah dan bersedia."
    assert Media.objects.filter(complaint=complaint, dispatch=dispatch).count() == 1
    told = citizen.new()
    assert "Pedagang sudah kami minta pindah" in texts(told)
    assert told[-1]["kind"] == "list"  # the rating
    # Another team's officer neither sees it nor can act on it.
    assert "Tidak ada penugasan aktif" in texts(outsider.say("menu"))
    assert "tidak ditemukan" in texts(outsider.say(complaint.code))


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
