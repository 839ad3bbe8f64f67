"""The staff pages' step forms, chat, media, inbox filters, live counts, Kabid queue and TRC
page: who may, who is refused (403 role, 404 not visible, 409 state), and what changed."""

import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from lalisa.complaints.models import Category, Complaint, Event, Media
from lalisa.regions.models import Kecamatan
from lalisa.whatsapp.models import InboundMessage, OutboundMessage
from tests import files
from tests import test_access as shared
from tests import test_web as web_tests

drive = shared.drive
world = shared.world

pytestmark = pytest.mark.django_db

PNG = files.PNG


client_for = web_tests.client_for
page = web_tests.page
listed = web_tests.listed


def step_url(complaint, step):
    return f"/aduan/{complaint.code}/langkah/{step}/"


def csp_clean(html: str):
    """Nothing the strict Content-Security-Policy would block."""
    assert "style=" not in html
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert '<script src="/static/web/lalisa.js"' in html


def image_for(complaint, name="foto.png", uploaded_by=None):
    item = Media(
        complaint=complaint, kind=Media.Kind.IMAGE, mime_type="image/png", uploaded_by=uploaded_by
    )
    item.file.save(name, ContentFile(PNG), save=True)
    return item


# --- each step: who may ---------------------------------------------------------------------

ALLOWED = [
    ("verify", "received", "admin", {}, "verified"),
    ("request_info", "received", "admin", {"question": "Di mana tepatnya?"}, "needs_info"),
    ("request_info", "verified", "kabid", {"question": "Jam berapa?"}, "needs_info"),
    ("reject", "received", "admin", {"reason_code": "tidak_benar", "reason": ""}, "rejected"),
    ("reject", "needs_info", "admin", {"reason_code": "lainnya", "reason": "Sudah"}, "rejected"),
    ("refer", "received", "admin", {"agency": "Dishub", "reason": "Parkir"}, "referred"),
    ("refer", "verified", "kabid", {"agency": "Polres Balangan"}, "referred"),
    ("decline", "verified", "kabid", {"reason": "Sudah tertib"}, "rejected"),
    ("accept", "dispatched", "trc", {}, "accepted"),
    ("arrive", "accepted", "trc", {}, "on_site"),
    ("close", "done", "admin", {}, "closed"),
    ("close", "done", "kabid", {"reason": "Selesai"}, "closed"),
]


def test_correct_the_place(client_for, drive, admin):
    from decimal import Decimal

    from lalisa.regions.models import Desa

    complaint = drive("received")
    desa = Desa.objects.filter(kecamatan__name="Juai").order_by("name").first()
    client = client_for(admin)
    html = page(client.get(f"/aduan/{complaint.code}/"))
    assert f'<option value="{desa.pk}">{desa.name}</option>' in html
    response = client.post(
        step_url(complaint, "correct"),
        {
            "category": complaint.category.code,
            "priority": complaint.priority,
            "kecamatan": complaint.kecamatan_id,
            "desa": desa.pk,
            "address": "Depan SDN Juai 1",
            "lat": "-2,250100",
            "lng": "115.600200",
            "reason": "Pelapor menelepon",
        },
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.kecamatan, complaint.desa, complaint.address) == (
        desa.kecamatan,
        desa,
        "Depan SDN Juai 1",
    )
    assert (complaint.lat, complaint.lng) == (Decimal("-2.250100"), Decimal("115.600200"))
    changes = Event.objects.get(complaint=complaint, kind="correct").data["changes"]
    assert set(changes) == {"kecamatan", "desa", "address", "lat", "lng"}
    # Another kecamatan alone: the desa of the old one is cleared, not left contradicting.
    halong = Kecamatan.objects.get(name="Halong")
    client.post(step_url(complaint, "correct"), {"kecamatan": halong.pk, "desa": desa.pk})
    complaint.refresh_from_db()
    assert (complaint.kecamatan, complaint.desa) == (halong, None)
    # One coordinate alone is refused.
    response = client.post(step_url(complaint, "correct"), {"lat": "-2.1"})
    assert response.status_code == 400


@pytest.mark.parametrize("step, status, who, data, after", ALLOWED)
def test_step_is_taken(request, client_for, drive, step, status, who, data, after):
    user = request.getfixturevalue(who)
    complaint = drive(status)
    client = client_for(user)
    response = client.post(step_url(complaint, step), data)
    assert response.status_code == 302
    assert response["Location"] == f"/aduan/{complaint.code}/"
    complaint.refresh_from_db()
    assert complaint.status == after
    assert Event.objects.filter(complaint=complaint, kind=step, actor_user=user).count() == 1
    # The success message is shown on the page it returns to.
    html = page(client.get(response["Location"]))
    assert f"{complaint.code}" in html and 'class="notice" role="status"' in html


def test_reject_reason_comes_from_the_short_list(client_for, drive, admin):
    complaint = drive("received")
    client_for(admin).post(
        step_url(complaint, "reject"), {"reason_code": "bukan_kewenangan", "reason": ""}
    )
    complaint.refresh_from_db()
    assert complaint.final_reason == "Bukan kewenangan Satpol PP"
    event = Event.objects.get(complaint=complaint, kind="reject")
    assert event.data["reason_code"] == "bukan_kewenangan"


def test_refer_form_offers_the_agencies(client_for, drive, admin):
    complaint = drive("received")
    html = page(client_for(admin).get(f"/aduan/{complaint.code}/"))
    assert "<datalist" in html and 'value="SP4N-LAPOR!"' in html
    assert 'value="Polres Balangan"' in html


def test_mark_duplicate(client_for, drive, admin):
    original = drive("received")
    complaint = drive("received")
    response = client_for(admin).post(step_url(complaint, "mark_duplicate"), {"of": original.code})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "duplicate" and complaint.duplicate_of_id == original.pk
    assert Event.objects.filter(complaint=complaint, kind="mark_duplicate", actor_user=admin)


def test_mark_duplicate_of_an_unknown_code_is_400(client_for, drive, admin):
    complaint = drive("received")
    response = client_for(admin).post(step_url(complaint, "mark_duplicate"), {"of": "LL-0000-9"})
    assert response.status_code == 400
    assert "LL-0000-9 tidak ditemukan" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.status == "received"


def test_dispatch_form_preselects_the_suggested_team(client_for, drive, kabid, team_a, team_b):
    complaint = drive("verified")  # pin in Paringin: team_a's post is nearest
    html = page(client_for(kabid).get(f"/aduan/{complaint.code}/"))
    assert f'name="team" value="{team_a.pk}" checked' in html
    assert f'name="team" value="{team_b.pk}">' in html
    assert "disarankan" in html and "km" in html and "tugas berjalan" in html


def test_dispatch(client_for, drive, kabid, team_b):
    complaint = drive("verified")
    response = client_for(kabid).post(step_url(complaint, "dispatch"), {"team": team_b.pk})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "dispatched" and complaint.active_dispatch.team == team_b
    assert Event.objects.filter(complaint=complaint, kind="dispatch", actor_user=kabid).count()


def test_dispatch_to_another_team_while_accepted(client_for, drive, kabid, team_a, team_b):
    complaint = drive("accepted", team_a)
    html = page(client_for(kabid).get(f"/aduan/{complaint.code}/"))
    # The team already sent is no choice.
    assert f'name="team" value="{team_a.pk}"' not in html
    client_for(kabid).post(step_url(complaint, "dispatch"), {"team": team_b.pk})
    complaint.refresh_from_db()
    assert complaint.status == "dispatched" and complaint.active_dispatch.team == team_b


def test_complete_with_a_photo(client_for, drive, trc):
    complaint = drive("on_site")
    citizens = image_for(complaint, "warga.png")
    photo = image_for(complaint, uploaded_by=trc)
    other = image_for(complaint, "lain.png", uploaded_by=trc)
    client = client_for(trc)
    html = page(client.get(f"/aduan/{complaint.code}/"))
    assert f'name="photos" value="{photo.pk}"' in html
    assert f'src="/aduan/{complaint.code}/media/{photo.pk}"' in html
    # The citizen's own photo is no report photo of the team's.
    assert f'name="photos" value="{citizens.pk}"' not in html
    response = client.post(
        step_url(complaint, "complete"),
        {"outcome": "penertiban", "note": "Lapak dibongkar", "photos": [photo.pk]},
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "done" and complaint.outcome.code == "penertiban"
    event = Event.objects.get(complaint=complaint, kind="complete", actor_user=trc)
    assert event.data["photos"] == [photo.pk]
    photo.refresh_from_db()
    other.refresh_from_db()
    assert photo.dispatch_id == complaint.active_dispatch.pk and other.dispatch_id is None


def test_the_team_uploads_photos_on_the_phone_and_picks_one_for_the_citizen(
    client_for, drive, trc
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    complaint = drive("on_site")
    jpeg = files.JPEG
    shots = [
        SimpleUploadedFile("a.jpg", jpeg, content_type="image/jpeg"),
        SimpleUploadedFile("b.png", PNG, content_type="image/png"),
    ]
    response = client_for(trc).post(
        step_url(complaint, "complete"),
        {
            "outcome": "penertiban",
            "note": "Lapak dibongkar",
            "upload": shots,
            "citizen_photo": "upload",
        },
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "done"
    kept = list(complaint.media.order_by("pk"))
    assert [(m.mime_type, m.uploaded_by, m.dispatch_id) for m in kept] == [
        ("image/jpeg", trc, complaint.active_dispatch.pk),
        ("image/png", trc, complaint.active_dispatch.pk),
    ]
    assert [m.for_citizen for m in kept] == [True, False]  # the first uploaded
    assert kept[0].file.read() == jpeg
    event = Event.objects.get(complaint=complaint, kind="complete")
    assert event.data["citizen_photo"] == kept[0].pk


def test_an_earlier_photo_chosen_for_the_citizen_joins_the_report(client_for, drive, trc):
    complaint = drive("on_site")
    photo = image_for(complaint)
    client_for(trc).post(
        step_url(complaint, "complete"),
        {"outcome": "penertiban", "note": "Selesai", "citizen_photo": photo.pk},
    )
    photo.refresh_from_db()
    assert photo.for_citizen and photo.dispatch_id == complaint.active_dispatch.pk


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("besar.jpg", b"\xff\xd8\xff" + b"0" * (5 * 1024 * 1024), "terlalu besar"),
        ("virus.jpg", b"MZ\x90\x00" + b"0" * 64, "bukan foto JPEG, PNG atau WebP"),
    ],
)
def test_a_bad_upload_is_refused_whole_and_nothing_changes(
    client_for, drive, trc, name, content, message
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    complaint = drive("on_site")
    good = SimpleUploadedFile("ok.png", PNG, content_type="image/png")
    bad = SimpleUploadedFile(name, content, content_type="image/jpeg")
    response = client_for(trc).post(
        step_url(complaint, "complete"),
        {"outcome": "penertiban", "note": "x", "upload": [good, bad]},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.status == "on_site" and not complaint.media.exists()


def test_complete_without_outcome_is_400(client_for, drive, trc):
    complaint = drive("on_site")
    response = client_for(trc).post(step_url(complaint, "complete"), {"note": "x"})
    assert response.status_code == 400
    complaint.refresh_from_db()
    assert complaint.status == "on_site"


def test_correct(client_for, drive, admin):
    complaint = drive("verified")
    halong = Kecamatan.objects.get(name="Halong")
    category = Category.objects.exclude(code="pkl").filter(active=True).first()
    response = client_for(admin).post(
        step_url(complaint, "correct"),
        {
            "category": category.code,
            "priority": "urgent",
            "kecamatan": halong.pk,
            "reason": "Salah pilih",
        },
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.category, complaint.priority, complaint.kecamatan) == (
        category,
        "urgent",
        halong,
    )
    assert complaint.status == "verified"
    event = Event.objects.get(complaint=complaint, kind="correct", actor_user=admin)
    assert set(event.data["changes"]) >= {"category", "priority", "kecamatan"}


@pytest.mark.parametrize(
    "step, data, error",
    [
        ("request_info", {"question": " "}, "wajib diisi"),
        ("reject", {"reason_code": "lainnya", "reason": ""}, "wajib diisi"),
        ("reject", {"reason_code": "asal", "reason": "x"}, "Pilih alasan penolakan"),
        ("refer", {"agency": ""}, "Instansi tujuan wajib diisi"),
    ],
)
def test_missing_input_is_400(client_for, drive, admin, step, data, error):
    complaint = drive("received")
    response = client_for(admin).post(step_url(complaint, step), data)
    assert response.status_code == 400
    assert error in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.status == "received"


def test_dispatch_without_team_is_400(client_for, drive, kabid):
    complaint = drive("verified")
    response = client_for(kabid).post(step_url(complaint, "dispatch"), {})
    assert response.status_code == 400
    assert "Pilih tim TRC" in response.content.decode()


# --- each step: who is refused ------------------------------------------------------------

REFUSED = [
    ("verify", "received", "kabid", 403),
    ("verify", "received", "pimpinan", 403),
    ("verify", "received", "trc", 404),  # no dispatch to their team: not visible
    ("verify", "received", "superadmin", 404),
    ("verify", "verified", "admin", 409),
    ("request_info", "received", "kabid", 403),
    ("request_info", "dispatched", "admin", 409),
    ("reject", "received", "kabid", 403),
    ("reject", "verified", "admin", 409),
    ("refer", "received", "pimpinan", 403),
    ("refer", "received", "trc", 404),
    ("refer", "done", "admin", 409),
    ("mark_duplicate", "received", "kabid", 403),
    ("mark_duplicate", "verified", "admin", 409),
    ("dispatch", "verified", "admin", 403),
    ("dispatch", "done", "kabid", 409),
    ("decline", "verified", "admin", 403),
    ("decline", "received", "kabid", 409),
    ("accept", "dispatched", "kabid", 403),
    ("accept", "dispatched", "trc_b", 404),
    ("accept", "accepted", "trc", 409),
    ("arrive", "accepted", "admin", 403),
    ("arrive", "dispatched", "trc", 409),
    ("complete", "on_site", "kabid", 403),
    ("complete", "accepted", "trc", 409),
    ("close", "done", "trc", 403),
    ("close", "on_site", "admin", 409),
    ("correct", "received", "kabid", 403),
    ("correct", "closed", "admin", 409),
]

INPUT = {
    "request_info": {"question": "Di mana?"},
    "reject": {"reason_code": "tidak_benar", "reason": "x"},
    "refer": {"agency": "DLH"},
    "mark_duplicate": {"of": "LL-0000-0000"},
    "decline": {"reason": "x"},
    "complete": {"outcome": "teguran_lisan", "note": "x"},
    "correct": {"priority": "urgent"},
}


@pytest.mark.parametrize("step, status, who, code", REFUSED)
def test_step_is_refused(request, client_for, drive, team_b, step, status, who, code):
    complaint = drive(status)
    data = dict(INPUT.get(step, {}))
    if step == "dispatch":
        data["team"] = team_b.pk
    before = Event.objects.filter(complaint=complaint).count()
    response = client_for(request.getfixturevalue(who)).post(step_url(complaint, step), data)
    assert response.status_code == code
    if code != 404:
        html = response.content.decode()
        assert "ditolak pada status" in html and 'role="alert"' in html
    after = Complaint.objects.get(pk=complaint.pk)
    assert after.status == status
    assert Event.objects.filter(complaint=complaint).count() == before


def test_steps_need_post_and_a_known_step(client_for, drive, admin):
    complaint = drive("received")
    client = client_for(admin)
    assert client.get(step_url(complaint, "verify")).status_code == 405
    assert client.post(step_url(complaint, "rate")).status_code == 404
    assert client.post("/aduan/LL-0000-0000/langkah/verify/").status_code == 404


def test_step_forms_carry_csrf(client, drive, admin):
    from django.test import Client

    complaint = drive("received")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(admin)
    assert strict.post(step_url(complaint, "verify")).status_code == 403
    html = page(strict.get(f"/aduan/{complaint.code}/"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = strict.post(step_url(complaint, "verify"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "verified"


# --- chat and reply -----------------------------------------------------------------------


def _chat(complaint, citizen):
    now = timezone.now()
    InboundMessage.objects.create(
        wamid=f"wamid.{complaint.code}",
        reporter=citizen,
        type="text",
        text="PKL-nya masih ada pak",
        sent_at=now - timedelta(minutes=5),
        complaint=complaint,
    )
    OutboundMessage.objects.create(
        reporter=citizen,
        kind="text",
        payload={"type": "text", "text": {"body": "Baik, kami tindak lanjuti."}},
        complaint=complaint,
    )


def test_chat_shows_both_sides_to_admin(client_for, drive, admin, citizen):
    complaint = drive("verified")
    _chat(complaint, citizen)
    html = page(client_for(admin).get(f"/aduan/{complaint.code}/"))
    assert "Percakapan dengan pelapor" in html
    assert "PKL-nya masih ada pak" in html and "Baik, kami tindak lanjuti." in html
    assert "WITA" in html and 'action="/aduan/' + complaint.code + '/balas/"' in html
    assert 'value="Tim kami sedang menuju lokasi."' in html  # a canned reply


@pytest.mark.parametrize(
    "confidentiality, who, sees",
    [
        ("biasa", "kabid", True),
        ("anonim", "kabid", False),
        ("rahasia", "kabid", False),
        ("anonim", "admin", True),
        ("biasa", "pimpinan", True),
        ("anonim", "pimpinan", False),
    ],
)
def test_chat_only_for_who_may_see_the_reporter(
    request, client_for, drive, citizen, confidentiality, who, sees
):
    complaint = drive("verified", confidentiality=confidentiality)
    _chat(complaint, citizen)
    html = page(client_for(request.getfixturevalue(who)).get(f"/aduan/{complaint.code}/"))
    assert ("PKL-nya masih ada pak" in html) is sees
    assert ("Percakapan dengan pelapor" in html) is sees


def test_pimpinan_reads_the_chat_but_cannot_reply(client_for, drive, pimpinan, citizen):
    complaint = drive("verified")
    _chat(complaint, citizen)
    client = client_for(pimpinan)
    html = page(client.get(f"/aduan/{complaint.code}/"))
    assert "PKL-nya masih ada pak" in html and "/balas/" not in html
    response = client.post(f"/aduan/{complaint.code}/balas/", {"text": "Halo"})
    assert response.status_code == 403
    assert not Event.objects.filter(complaint=complaint, kind="reply").exists()


@pytest.mark.parametrize("who", ["admin", "kabid"])
def test_reply(request, client_for, drive, who):
    user = request.getfixturevalue(who)
    complaint = drive("verified")
    response = client_for(user).post(
        f"/aduan/{complaint.code}/balas/", {"text": "Tim segera ke lokasi."}
    )
    assert response.status_code == 302 and response["Location"] == f"/aduan/{complaint.code}/"
    event = Event.objects.get(complaint=complaint, kind="reply")
    assert event.actor_user == user and event.reason == "Tim segera ke lokasi."
    complaint.refresh_from_db()
    assert complaint.status == "verified"


def test_reply_with_a_canned_text(client_for, drive, admin):
    complaint = drive("received")
    canned = "Mohon kirim foto kejadian bila ada."
    client_for(admin).post(f"/aduan/{complaint.code}/balas/", {"text": "", "canned": canned})
    assert Event.objects.get(complaint=complaint, kind="reply").reason == canned


@pytest.mark.parametrize(
    "confidentiality, who, code",
    [("anonim", "kabid", 403), ("biasa", "trc", 403), ("biasa", "trc_b", 404)],
)
def test_reply_refused(request, client_for, drive, confidentiality, who, code):
    complaint = drive("dispatched", confidentiality=confidentiality)
    response = client_for(request.getfixturevalue(who)).post(
        f"/aduan/{complaint.code}/balas/", {"text": "Halo"}
    )
    assert response.status_code == code
    assert not Event.objects.filter(complaint=complaint, kind="reply").exists()


def test_reply_window_notice(client_for, drive, admin, citizen):
    complaint = drive("received")
    notice = "Pesan terakhir warga lebih dari 24 jam lalu"
    citizen.last_inbound_at = timezone.now() - timedelta(hours=25)
    citizen.save()
    assert notice in page(client_for(admin).get(f"/aduan/{complaint.code}/"))
    citizen.last_inbound_at = timezone.now() - timedelta(hours=2)
    citizen.save()
    assert notice not in page(client_for(admin).get(f"/aduan/{complaint.code}/"))


# --- media and map ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, code",
    [
        ("admin", 200),
        ("kabid", 200),
        ("pimpinan", 200),
        ("trc", 200),
        ("trc_b", 404),
        ("superadmin", 404),
    ],
)
def test_media_only_for_who_may_see_the_complaint(request, client_for, drive, who, code):
    complaint = drive("dispatched")
    photo = image_for(complaint)
    response = client_for(request.getfixturevalue(who)).get(
        f"/aduan/{complaint.code}/media/{photo.pk}"
    )
    assert response.status_code == code
    if code == 200:
        assert b"".join(response.streaming_content) == PNG
        assert response["Content-Type"] == "image/png"


def test_media_of_another_complaint_is_404(client_for, drive, admin):
    complaint = drive("received")
    other = drive("received")
    photo = image_for(other)
    client = client_for(admin)
    assert client.get(f"/aduan/{complaint.code}/media/{photo.pk}").status_code == 404
    assert client.get(f"/aduan/{other.code}/media/{photo.pk}").status_code == 200


def test_media_needs_login(client, drive):
    complaint = drive("received")
    photo = image_for(complaint)
    assert client.get(f"/aduan/{complaint.code}/media/{photo.pk}").status_code == 302


def test_pin_links_to_openstreetmap_and_thumbnails_show(client_for, drive, admin):
    complaint = drive("received")
    photo = image_for(complaint)
    html = page(client_for(admin).get(f"/aduan/{complaint.code}/"))
    assert "https://www.openstreetmap.org/?mlat=-2.332100&amp;mlon=115.465400" in html
    assert f'<img src="/aduan/{complaint.code}/media/{photo.pk}"' in html


# --- inbox filters and search -------------------------------------------------------------


def test_filters(client_for, drive, file, admin, team_a, team_b):
    halong = Kecamatan.objects.get(name="Halong")
    other_category = Category.objects.exclude(code="pkl").filter(active=True).first()
    plain = file()
    elsewhere = file(kecamatan=halong, lat=None, lng=None)
    urgent = file(category=other_category, priority="urgent")
    late = file()
    Complaint.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=1))
    old = file()
    Complaint.objects.filter(pk=old.pk).update(
        received_at=timezone.now() - timedelta(days=40), due_at=timezone.now() + timedelta(days=1)
    )
    at_a = drive("dispatched", team_a)
    at_b = drive("dispatched", team_b)
    client = client_for(admin)

    def codes(query):
        return listed(page(client.get("/?" + query)))

    assert codes(f"kecamatan={halong.pk}") == {elsewhere.code}
    assert codes(f"category={other_category.code}") == {urgent.code}
    assert urgent.code in codes("priority=urgent") and plain.code not in codes("priority=urgent")
    assert late.code in codes("overdue=1") and plain.code not in codes("overdue=1")
    assert codes(f"team={team_a.pk}") == {at_a.code}
    assert codes(f"team={team_b.pk}&status=dispatched") == {at_b.code}
    day = (timezone.localtime() - timedelta(days=40)).date().isoformat()
    assert codes(f"dari={day}&sampai={day}") == {old.code}
    assert old.code not in codes(f"dari={timezone.localdate().isoformat()}")
    # The chosen filters stay chosen, and the pages keep them.
    html = page(client.get(f"/?kecamatan={halong.pk}&q=trotoar"))
    assert f'<option value="{halong.pk}" selected>' in html and 'value="trotoar"' in html
    assert "Tanggal harus berformat" in page(client.get("/?dari=kemarin"))


def test_search_by_code_and_words(client_for, file, admin):
    market = file(description="Warung remang-remang buka sampai subuh dekat terminal")
    other = file(description="Balapan liar di jalan lingkar")
    client = client_for(admin)
    assert listed(page(client.get("/?q=terminal+subuh"))) == {market.code}
    assert listed(page(client.get("/?q=subuh+lingkar"))) == set()
    assert listed(page(client.get(f"/?q={other.code}"))) == {other.code}


@pytest.mark.parametrize(
    "who, found", [("admin", {"biasa", "anonim"}), ("kabid", {"biasa"}), ("pimpinan", {"biasa"})]
)
def test_search_by_phone_only_where_the_reporter_may_be_seen(
    request, client_for, file, who, found
):
    complaints = {
        level: file(confidentiality=level, description=f"Aduan {level}")
        for level in ("biasa", "anonim")
    }
    html = page(client_for(request.getfixturevalue(who)).get("/?q=081311112222"))
    assert listed(html) == {complaints[level].code for level in found}


def test_overdue_rows_are_marked(client_for, file, admin):
    late = file()
    Complaint.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=1))
    html = page(client_for(admin).get("/"))
    assert 'class="overdue"' in html and "Terlambat" in html


# --- the live badge's counts --------------------------------------------------------------


def _since(minutes=1):
    return (timezone.now() - timedelta(minutes=minutes)).isoformat()


def test_new_items_counts_what_the_user_may_see(client_for, drive, file, admin, trc, citizen):
    since = _since()
    first = file()
    file()
    InboundMessage.objects.create(
        wamid="wamid.new1", reporter=citizen, type="text", text="Tambahan",
        sent_at=timezone.now(), complaint=first,
    )  # fmt: skip
    data = client_for(admin).get("/aduan/baru.json", {"since": since}).json()
    assert (data["complaints"], data["messages"], data["total"]) == (2, 1, 3)
    assert client_for(trc).get("/aduan/baru.json", {"since": since}).json()["total"] == 0
    later = client_for(admin).get("/aduan/baru.json", {"since": data["now"]}).json()
    assert later["total"] == 0


def test_new_items_messages_only_where_the_reporter_may_be_seen(
    client_for, file, admin, kabid, citizen
):
    hidden = file(confidentiality="anonim")
    since = _since()
    InboundMessage.objects.create(
        wamid="wamid.anon", reporter=citizen, type="text", text="Lagi",
        sent_at=timezone.now(), complaint=hidden,
    )  # fmt: skip
    assert client_for(kabid).get("/aduan/baru.json", {"since": since}).json()["messages"] == 0
    assert client_for(admin).get("/aduan/baru.json", {"since": since}).json()["messages"] == 1


def test_new_items_refusals(client, client_for, admin, superadmin):
    # Polled by the inbox: without a session, 401 JSON (the page then goes to the login).
    assert client.get("/aduan/baru.json", {"since": _since()}).status_code == 401
    assert client_for(admin).get("/aduan/baru.json", {"since": "kemarin"}).status_code == 400
    assert client_for(superadmin).get("/aduan/baru.json", {"since": _since()}).status_code == 403


def test_inbox_carries_the_live_parts(client_for, admin):
    html = page(client_for(admin).get("/"))
    assert 'data-url="/aduan/baru.json"' in html and 'id="live-sound"' in html
    assert "Bunyikan" in html


# --- Kabid queue and TRC page -------------------------------------------------------------


def test_review_lists_verified_oldest_first(client_for, world, drive, kabid, team_a):
    older = drive("verified")
    Complaint.objects.filter(pk=older.pk).update(received_at=timezone.now() - timedelta(days=2))
    html = page(client_for(kabid).get("/tinjau/"))
    assert listed(html) == {world.verified.code, older.code}
    assert html.index(older.code) < html.index(world.verified.code)
    assert f"Tugaskan {team_a.name}" in html
    assert f'action="/aduan/{older.code}/langkah/decline/"' in html


def test_review_one_tap_dispatch(client_for, drive, kabid, team_a):
    complaint = drive("verified")
    client = client_for(kabid)
    html = page(client.get("/tinjau/"))
    form = html[html.index(f'action="/aduan/{complaint.code}/langkah/dispatch/"') :]
    assert f'name="team" value="{team_a.pk}"' in form[:600]
    response = client.post(
        step_url(complaint, "dispatch"), {"team": team_a.pk, "back": "/tinjau/"}
    )
    assert response.status_code == 302 and response["Location"] == "/tinjau/"
    complaint.refresh_from_db()
    assert complaint.status == "dispatched" and complaint.active_dispatch.team == team_a
    assert complaint.code not in listed(page(client.get("/tinjau/")))


def test_back_goes_only_to_known_pages(client_for, drive, admin):
    complaint = drive("received")
    response = client_for(admin).post(
        step_url(complaint, "verify"), {"back": "https://evil.example/"}
    )
    assert response["Location"] == f"/aduan/{complaint.code}/"


@pytest.mark.parametrize("who", ["admin", "trc", "pimpinan", "superadmin"])
def test_review_is_for_the_kabid(request, client_for, who):
    assert client_for(request.getfixturevalue(who)).get("/tinjau/").status_code == 403


def test_tasks_list_the_teams_active_dispatches(client_for, world, trc, trc_b):
    html = page(client_for(trc).get("/tugas/"))
    assert listed(html) == {world.at_a.code, world.accepted_a.code}
    assert f'action="/aduan/{world.at_a.code}/langkah/accept/"' in html
    assert f'action="/aduan/{world.accepted_a.code}/langkah/arrive/"' in html
    assert listed(page(client_for(trc_b).get("/tugas/"))) == {world.at_b.code, world.moved.code}


def test_tasks_accept_returns_to_the_tasks(client_for, drive, trc):
    complaint = drive("dispatched")
    response = client_for(trc).post(step_url(complaint, "accept"), {"back": "/tugas/"})
    assert response["Location"] == "/tugas/"
    complaint.refresh_from_db()
    assert complaint.status == "accepted"


def test_tasks_page_completes_with_photos(client_for, drive, trc):
    complaint = drive("on_site")
    photo = image_for(complaint, uploaded_by=trc)
    html = page(client_for(trc).get("/tugas/"))
    assert f'action="/aduan/{complaint.code}/langkah/complete/"' in html
    assert f'name="photos" value="{photo.pk}"' in html and "teguran_lisan" in html


@pytest.mark.parametrize("who", ["admin", "kabid", "pimpinan"])
def test_tasks_are_for_trc(request, client_for, who):
    assert client_for(request.getfixturevalue(who)).get("/tugas/").status_code == 403


# --- the strict Content-Security-Policy ---------------------------------------------------


def test_pages_have_nothing_inline(client_for, drive, admin, kabid, trc, citizen):
    received = drive("received")
    image_for(received)
    _chat(received, citizen)
    drive("verified")
    on_site = drive("on_site")
    image_for(on_site)
    for user, path in [
        (admin, "/"),
        (admin, "/?q=x&status=received"),
        (admin, f"/aduan/{received.code}/"),
        (kabid, "/tinjau/"),
        (trc, "/tugas/"),
        (trc, f"/aduan/{on_site.code}/"),
    ]:
        response = client_for(user).get(path)
        csp_clean(page(response))
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    # A refused step's page too.
    response = client_for(kabid).post(step_url(received, "verify"))
    assert response.status_code == 403
    csp_clean(response.content.decode())


def test_pages_fit_a_phone():
    from pathlib import Path

    from lalisa.web import views

    css = (Path(views.__file__).parent / "static/web/lalisa.css").read_text()
    narrow = css[css.index("@media (max-width: 600px)") :]
    assert ".columns { grid-template-columns: 1fr; }" in narrow
    assert "form.filter { grid-template-columns: 1fr; }" in narrow


def test_the_chat_shows_a_pin_and_a_photo_by_what_they_are(client, admin, file):
    from lalisa.whatsapp.models import InboundMessage

    complaint = file()
    for wamid, kind, text, payload in (
        ("wamid.loc", "location", "", {"location": {"latitude": -2.3321, "longitude": 115.4654}}),
        ("wamid.img", "image", "", {}),
    ):
        InboundMessage.objects.create(
            wamid=wamid,
            reporter=complaint.reporter,
            complaint=complaint,
            type=kind,
            text=text,
            payload=payload,
            sent_at=complaint.received_at,
        )
    client.force_login(admin)
    html = client.get(f"/aduan/{complaint.code}/").content.decode()
    assert "Titik lokasi -2.3321, 115.4654" in html and "[Foto]" in html


def test_the_chat_shows_what_was_sent_as_a_phone_shows_it(client, admin, file):
    complaint = file()
    OutboundMessage.objects.create(
        reporter=complaint.reporter,
        complaint=complaint,
        to_phone="6281234500001",
        kind="bot",
        payload={"type": "text", "text": {"body": "Tiket *LL-2611-0042* <b>x</b> _segera_"}},
        state=OutboundMessage.State.FAILED,
    )
    client.force_login(admin)
    html = client.get(f"/aduan/{complaint.code}/").content.decode()
    chat = html[html.index("Percakapan dengan pelapor") :]
    assert "Tiket <strong>LL-2611-0042</strong> &lt;b&gt;x&lt;/b&gt; <em>segera</em>" in chat
    assert "Layanan · " in chat and " · Gagal" in chat and "Terkirim ·" not in chat


def test_no_reply_form_for_a_reporter_without_whatsapp(client, admin, file):
    from lalisa.complaints.models import Reporter

    complaint = file()
    walk_in = Reporter.objects.create(name="Bu Sari")  # came to the office, no number
    Complaint.objects.filter(pk=complaint.pk).update(reporter=walk_in)
    client.force_login(admin)
    html = client.get(f"/aduan/{complaint.code}/").content.decode()
    assert "Percakapan dengan pelapor" in html
    assert f'action="/aduan/{complaint.code}/balas/"' not in html
    assert "templat resmi" not in html


def test_whatsapp_marks_need_their_edges():
    from lalisa.web.templatetags.whatsapp_text import marks

    assert marks("2*3*4 dan *tebal* serta snake_case_name") == (
        "2*3*4 dan <strong>tebal</strong> serta snake_case_name"
    )
    assert marks("* bukan tebal *") == "* bukan tebal *"


def test_the_admin_blocks_and_unblocks_a_number_from_the_complaint_page(
    client, admin, kabid, file
):
    from lalisa.complaints.models import Reporter, ReporterBlock

    complaint = file()
    url = f"/aduan/{complaint.code}/blokir/"
    client.force_login(kabid)
    assert client.post(url, {"reason": "iseng"}).status_code == 403
    client.force_login(admin)
    assert "Blokir nomor ini" in client.get(f"/aduan/{complaint.code}/").content.decode()
    assert client.post(url, {"reason": " "}).status_code == 400
    assert client.post(url, {"reason": "Laporan palsu berulang"}).status_code == 302
    assert Reporter.objects.get(pk=complaint.reporter_id).blocked_at is not None
    assert ReporterBlock.objects.get().blocked_by == admin
    assert "Diblokir" in client.get(f"/aduan/{complaint.code}/").content.decode()
    assert client.post(url, {"unblock": "1"}).status_code == 302
    assert Reporter.objects.get(pk=complaint.reporter_id).blocked_at is None


def test_the_admin_files_a_walk_in_complaint_and_the_person_is_told(
    client, admin, kabid, paringin
):
    from lalisa.complaints.models import Complaint, Reporter
    from lalisa.notifications.models import Notification

    form = {
        "source": "walk_in",
        "name": "Bu Salmah",
        "whatsapp": "0812 7777 1234",
        "category": Category.objects.get(code="pkl").pk,
        "description": "Lapak di trotoar depan sekolah",
        "kecamatan": paringin.pk,
        "confidentiality": "biasa",
    }
    client.force_login(kabid)
    assert client.post("/aduan/catat/", form).status_code == 403
    client.force_login(admin)
    assert client.post("/aduan/catat/", {**form, "whatsapp": "12"}).status_code == 400
    response = client.post("/aduan/catat/", form)
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{complaint.code}/")
    assert complaint.source == "walk_in" and complaint.filed_by == admin
    assert complaint.reporter == Reporter.objects.get(phone="+6281277771234", name="Bu Salmah")
    told = Notification.objects.get(kind="complaint_received")
    assert told.to_reporter == complaint.reporter
    # The same number again is the same person.
    client.post("/aduan/catat/", {**form, "description": "Lagi, lapak yang sama"})
    assert Reporter.objects.filter(phone="+6281277771234").count() == 1


def test_the_filing_form_groups_the_desa_under_their_kecamatan(client, admin, paringin):
    from lalisa.complaints.models import Complaint
    from lalisa.regions.models import Desa

    client.force_login(admin)
    html = client.get("/aduan/catat/").content.decode()
    start = html.index('<select name="desa"')
    select = html[start : html.index("</select>", start)]
    assert 'data-within="id_kecamatan"' in select
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select, re.S)
    assert len(groups) == Kecamatan.objects.count()
    inside = dict(groups)[paringin.name]
    for desa in Desa.objects.filter(kecamatan=paringin):
        assert f">{desa.name}</option>" in inside
    other = Desa.objects.exclude(kecamatan=paringin).first()
    assert f">{other.name}</option>" not in inside
    # A desa of another kecamatan is still refused by the server.
    form = {
        "source": "walk_in",
        "name": "Pak Usman",
        "category": Category.objects.get(code="pkl").pk,
        "description": "Lapak di bahu jalan",
        "kecamatan": paringin.pk,
        "desa": other.pk,
        "confidentiality": "biasa",
    }
    response = client.post("/aduan/catat/", form)
    assert response.status_code == 400
    assert "Desa ini tidak berada di kecamatan yang dipilih." in response.content.decode()
    assert not Complaint.objects.exists()
