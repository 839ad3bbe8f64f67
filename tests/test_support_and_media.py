"""What the citizen bot builds on: joining a complaint as a supporter, a comment after the
rating, WhatsApp media kept with a complaint, the media failure hook, the duplicate-offer
settings, the category keywords, and the public privacy page."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.core.files.storage import default_storage
from django.urls import reverse

from lalisa.complaints import attachments, workflow
from lalisa.complaints.errors import InvalidStep, RoleRefused, TransitionRefused
from lalisa.complaints.models import (
    Category,
    Confidentiality,
    Event,
    Media,
    Rating,
    Status,
    Supporter,
)
from lalisa.complaints.reference import CATEGORY_KEYWORDS
from lalisa.notifications.models import Notification
from lalisa.notifications.texts import DEFAULTS
from lalisa.service.models import EmergencyNumber, ServiceProfile
from lalisa.whatsapp import media
from lalisa.whatsapp.models import InboundMedia, InboundMessage
from tests import test_whatsapp_inbound as wa

# The media-download helpers of the inbound tests: Graph settings, a private MEDIA_ROOT,
# Meta's two media calls on a MockTransport, no message handlers (the bot stays out).
whatsapp_settings = wa.whatsapp_settings
fake_graph = wa.fake_graph
handlers = wa.handlers

pytestmark = pytest.mark.django_db


def counts():
    return (
        Supporter.objects.count(),
        Notification.objects.count(),
        Event.objects.count(),
        Rating.objects.count(),
    )


@pytest.fixture
def done(file, admin, kabid, trc, team_a):
    """A complaint of the citizen, handled by team A and done."""
    c = workflow.verify(file(), actor=admin)
    c = workflow.dispatch(c, actor=kabid, team=team_a)
    c = workflow.accept(c, actor=trc)
    c = workflow.arrive(c, actor=trc)
    return workflow.complete(c, actor=trc, note="Lapak dipindahkan", outcome="pembinaan")


# --- support ------------------------------------------------------------------------------


def test_support_joins_writes_the_event_and_tells_the_supporter(file, other_citizen, admin):
    c = file()
    joined = workflow.support(c, actor=other_citizen, note="  Saya juga terganggu  ")
    assert joined.status == Status.RECEIVED
    assert Supporter.objects.filter(complaint=c, reporter=other_citizen).exists()
    event = c.events.order_by("-id").first()
    assert (event.kind, event.reason, event.actor_kind) == (
        "support",
        "Saya juga terganggu",
        "citizen",
    )
    assert event.actor_reporter == other_citizen
    assert event.from_status == event.to_status == Status.RECEIVED
    told = Notification.objects.get(kind="complaint_supported")
    assert told.to_reporter == other_citizen and told.complaint == c and told.event == event
    assert told.text == (
        f"Anda tercatat sebagai pendukung aduan *{c.code}* (PKL di tempat terlarang, status: "
        "Diterima). Kami akan mengabari Anda setiap perkembangannya."
    )
    # From now on the supporter hears of each step, as the reporter does.
    workflow.verify(c, actor=admin)
    assert Notification.objects.filter(
        complaint=c, kind="complaint_verified", to_reporter=other_citizen
    ).exists()


def test_support_text_is_an_editable_default():
    text, description = DEFAULTS["complaint_supported"]
    assert "{code}" in text and "{category}" in text and "{status}" in text
    assert description == "Warga: bergabung sebagai pendukung"


def test_support_shows_the_current_status_label(file, other_citizen, admin):
    c = workflow.verify(file(), actor=admin)
    workflow.support(c, actor=other_citizen)
    text = Notification.objects.get(kind="complaint_supported").text
    assert "status: Diverifikasi" in text


def test_the_reporter_cannot_support_their_own_complaint(file, citizen):
    c = file()
    before = counts()
    with pytest.raises(InvalidStep) as refused:
        workflow.support(c, actor=citizen)
    assert "pelapor aduan ini" in str(refused.value) and "dukung aduan" in str(refused.value)
    assert counts() == before


def test_a_second_join_is_refused(file, other_citizen):
    c = file()
    workflow.support(c, actor=other_citizen)
    before = counts()
    with pytest.raises(InvalidStep) as refused:
        workflow.support(c, actor=other_citizen)
    assert "sudah mendukung" in str(refused.value)
    assert counts() == before


def test_a_final_complaint_cannot_be_supported(file, admin, other_citizen):
    c = workflow.reject(file(), actor=admin, reason="Bukan kewenangan")
    before = counts()
    with pytest.raises(TransitionRefused) as refused:
        workflow.support(c, actor=other_citizen)
    assert refused.value.http_status == 409
    assert counts() == before


def test_a_done_complaint_cannot_be_supported(done, other_citizen):
    with pytest.raises(TransitionRefused):
        workflow.support(done, actor=other_citizen)


@pytest.mark.parametrize("who", ["admin", "kabid", "pimpinan", "superadmin"])
def test_staff_cannot_support(request, file, who):
    c = file()
    before = counts()
    with pytest.raises(RoleRefused) as refused:
        workflow.support(c, actor=request.getfixturevalue(who))
    assert refused.value.http_status == 403
    assert counts() == before


def test_a_confidential_complaint_cannot_be_supported(file, other_citizen):
    c = file(confidentiality=Confidentiality.RAHASIA)
    with pytest.raises(InvalidStep):
        workflow.support(c, actor=other_citizen)
    assert not Supporter.objects.exists()


def test_a_supporter_is_asked_to_rate_and_may(file, other_citizen, admin, kabid, trc, team_a):
    c = workflow.support(file(), actor=other_citizen)
    c = workflow.verify(c, actor=admin)
    c = workflow.dispatch(c, actor=kabid, team=team_a)
    c = workflow.accept(c, actor=trc)
    c = workflow.arrive(c, actor=trc)
    c = workflow.complete(c, actor=trc, note="Lapak dipindahkan", outcome="pembinaan")
    assert Notification.objects.filter(
        complaint=c, kind="complaint_done", to_reporter=other_citizen
    ).exists()
    c = workflow.rate(c, actor=other_citizen, score=4)
    assert Rating.objects.get().reporter == other_citizen
    assert c.status == Status.DONE  # only the reporter's rating closes it


# --- comment_rating -----------------------------------------------------------------------


def test_comment_needs_a_rating(done, citizen):
    before = counts()
    with pytest.raises(InvalidStep) as refused:
        workflow.comment_rating(done, actor=citizen, comment="Bagus")
    assert "belum Anda nilai" in str(refused.value)
    assert counts() == before


def test_comment_is_added_to_the_rating_with_one_event(done, citizen):
    c = workflow.rate(done, actor=citizen, score=5)
    assert c.status == Status.CLOSED
    notifications = Notification.objects.count()
    c = workflow.comment_rating(c, actor=citizen, comment="  Cepat sekali  ")
    assert Rating.objects.get().comment == "Cepat sekali"
    event = c.events.order_by("-id").first()
    assert (event.kind, event.reason, event.actor_reporter) == (
        "rating_comment",
        "Cepat sekali",
        citizen,
    )
    assert event.from_status == event.to_status == Status.CLOSED
    assert c.status == Status.CLOSED
    assert Notification.objects.count() == notifications  # nobody is told


def test_a_later_comment_is_appended_below(done, citizen):
    c = workflow.rate(done, actor=citizen, score=4, comment="Agak lama")
    c = workflow.comment_rating(c, actor=citizen, comment="Tapi petugasnya ramah")
    assert Rating.objects.get().comment == "Agak lama\nTapi petugasnya ramah"
    assert c.events.filter(kind="rating_comment").count() == 1


def test_an_empty_comment_is_refused(done, citizen):
    workflow.rate(done, actor=citizen, score=4, comment="Baik")
    with pytest.raises(InvalidStep):
        workflow.comment_rating(done, actor=citizen, comment="   ")
    assert Rating.objects.get().comment == "Baik"


def test_only_a_citizen_comments(done, citizen, admin):
    workflow.rate(done, actor=citizen, score=4)
    with pytest.raises(RoleRefused) as refused:
        workflow.comment_rating(done, actor=admin, comment="Diisi petugas")
    assert refused.value.http_status == 403
    assert "komentar penilaian" in str(refused.value)
    assert Rating.objects.get().comment == ""


def test_the_comment_goes_to_the_commenters_own_rating(done, citizen, other_citizen):
    Supporter.objects.create(complaint=done, reporter=other_citizen)
    workflow.rate(done, actor=other_citizen, score=2)
    with pytest.raises(InvalidStep):
        workflow.comment_rating(done, actor=citizen, comment="Bukan rating saya")
    assert Rating.objects.get(reporter=other_citizen).comment == ""


# --- media from WhatsApp ------------------------------------------------------------------


def test_attach_before_the_download_then_the_download_fills_it(client, file, fake_graph, handlers):
    row = wa.fresh_image(client)
    message = row.message
    c = file()
    (attached,) = attachments.attach_message(c, message)
    assert attached.inbound == row and attached.complaint == c
    assert attached.kind == Media.Kind.IMAGE
    assert attached.caption == "Reklame liar dipaku di pohon sepanjang jalan Paringin–Lampihong"
    assert (attached.mime_type, attached.sha256, attached.wa_media_id) == (
        "image/jpeg",
        wa.PHOTO_B64,
        wa.MEDIA_ID,
    )
    assert attached.file.name == "" and attached.size is None
    message.refresh_from_db()
    assert message.complaint == c

    # Twice is once.
    again = attachments.attach_message(c, InboundMessage.objects.get(pk=message.pk))
    assert [m.pk for m in again] == [attached.pk]
    assert Media.objects.count() == 1

    assert media.download(row.pk) == "stored"
    row.refresh_from_db()
    attached.refresh_from_db()
    assert attached.file.name == row.file.name != ""
    assert attached.size == len(wa.PHOTO) and attached.sha256 == wa.PHOTO_B64
    with default_storage.open(attached.file.name) as stored:
        assert stored.read() == wa.PHOTO


def test_attach_after_the_download_copies_the_file_at_once(client, file, fake_graph, handlers):
    row = wa.fresh_image(client)
    assert media.download(row.pk) == "stored"
    row.refresh_from_db()
    (attached,) = attachments.attach_message(file(), row.message)
    attached.refresh_from_db()
    assert attached.file.name == row.file.name != ""
    assert attached.size == len(wa.PHOTO)


def test_the_download_sets_the_type_its_content_shows(client, file, fake_graph, handlers):
    row = wa.fresh_image(client)
    first, second = file(), file()
    (a,) = attachments.attach_message(first, row.message)
    (b,) = attachments.attach_message(second, row.message)
    Media.objects.filter(pk=a.pk).update(mime_type="")
    Media.objects.filter(pk=b.pk).update(mime_type="text/html")
    assert media.download(row.pk) == "stored"
    a.refresh_from_db()
    b.refresh_from_db()
    # Whatever was said before, the content decides (it is a JPEG).
    assert (a.mime_type, b.mime_type) == ("image/jpeg", "image/jpeg")
    assert a.file.name == b.file.name != ""
    # The message stays with the complaint it was first attached to.
    assert InboundMessage.objects.get().complaint == first


def test_a_teams_photo_keeps_its_dispatch_and_uploader(
    client, file, fake_graph, handlers, admin, kabid, trc, team_a
):
    row = wa.fresh_image(client)
    c = workflow.dispatch(workflow.verify(file(), actor=admin), actor=kabid, team=team_a)
    active = c.active_dispatch
    (attached,) = attachments.attach_message(c, row.message, dispatch=active, uploaded_by=trc)
    attached.refresh_from_db()
    assert attached.dispatch == active and attached.uploaded_by == trc


def test_a_message_without_media_attaches_nothing_but_is_linked(client, file, handlers):
    wa.deliver(client, wa.load("text.json"))
    message = InboundMessage.objects.get()
    c = file()
    assert attachments.attach_message(c, message) == []
    assert not Media.objects.exists()
    assert InboundMessage.objects.get().complaint == c


# --- the failure hook ---------------------------------------------------------------------


@pytest.fixture
def failure_handlers(monkeypatch):
    registered = []
    monkeypatch.setattr(media, "FAILURE_HANDLERS", registered)
    return registered


def test_a_handler_hears_of_a_download_given_up(client, fake_graph, handlers, failure_handlers):
    heard = []

    def record(pk):
        # Runs after the failure is saved.
        heard.append((pk, InboundMedia.objects.get(pk=pk).state))

    assert media.on_failure(record) is record
    media.on_failure(record)
    assert failure_handlers == [record]  # registered once

    fake_graph.file_size = str(5 * 1024 * 1024 + 1)
    row = wa.fresh_image(client)
    assert media.download(row.pk) == "failed"
    assert heard == [(row.pk, InboundMedia.State.FAILED)]


def test_a_handler_is_not_called_for_a_retry(client, fake_graph, handlers, failure_handlers):
    heard = []
    media.on_failure(heard.append)
    fake_graph.fail(wa.INFO_URL, 500, {"error": {"message": "Internal", "code": 1}})
    row = wa.fresh_image(client)
    assert media.download(row.pk) == "retry"
    assert heard == []


def test_a_failing_handler_does_not_undo_the_bookkeeping(
    client, fake_graph, handlers, failure_handlers
):
    heard = []

    def broken(pk):
        Category.objects.create(code="ditulis-lalu-gagal", name="Tidak jadi")
        raise RuntimeError("antrean mati")

    media.on_failure(broken)
    media.on_failure(heard.append)
    fake_graph.file_size = str(5 * 1024 * 1024 + 1)
    row = wa.fresh_image(client)
    assert media.download(row.pk) == "failed"
    row.refresh_from_db()
    assert row.state == InboundMedia.State.FAILED and "terlalu besar" in row.error
    assert row.next_attempt_at is None
    assert heard == [row.pk]  # the next handler still runs
    assert not Category.objects.filter(code="ditulis-lalu-gagal").exists()  # its write undone


# --- settings and reference data ----------------------------------------------------------


def test_duplicate_offer_defaults():
    profile = ServiceProfile.get()
    assert (profile.duplicate_radius_m, profile.duplicate_window_hours) == (200, 24)
    assert ServiceProfile._meta.get_field("duplicate_radius_m").help_text


def test_migration_filled_the_category_keywords():
    pkl = Category.objects.get(code="pkl")
    assert pkl.keywords == CATEGORY_KEYWORDS["pkl"]
    assert "kaki lima" in pkl.keywords
    assert Category.objects.get(code="lainnya").keywords == ""


def test_keyword_step_fills_only_empty_rows():
    step = importlib.import_module(
        "lalisa.complaints.migrations.0004_category_keywords_media_inbound"
    )
    Category.objects.filter(code="pkl").update(keywords="lapak")
    Category.objects.filter(code="miras").update(keywords="")
    step.fill_keywords(django_apps, None)
    assert Category.objects.get(code="pkl").keywords == "lapak"  # the superadmin's words stay
    assert Category.objects.get(code="miras").keywords == CATEGORY_KEYWORDS["miras"]


def test_keywords_and_duplicate_settings_are_in_the_setup_admin(client, superadmin):
    client.force_login(superadmin)
    pkl = Category.objects.get(code="pkl")
    html = client.get(f"/admin/complaints/category/{pkl.pk}/change/").content.decode()
    assert 'name="keywords"' in html and "kaki lima" in html
    profile = ServiceProfile.get()
    html = client.get(f"/admin/service/serviceprofile/{profile.pk}/change/").content.decode()
    assert 'name="duplicate_radius_m"' in html and 'name="duplicate_window_hours"' in html


# --- the privacy page ---------------------------------------------------------------------


def test_privacy_page_is_public_and_says_what_it_must(client):
    assert reverse("web:privacy") == "/publik/privasi/" == ServiceProfile.get().privacy_url
    EmergencyNumber.objects.create(name="Posko Satpol PP", number="0526-2028000", order=9)
    response = client.get("/publik/privasi/")
    assert response.status_code == 200
    html = " ".join(response.content.decode().split())  # as read, not as wrapped
    assert "Satpol PP Kabupaten Balangan" in html
    for word in ("Biasa", "Anonim", "Rahasia"):
        assert f"<dt>{word}</dt>" in html
    assert 'href="tel:112"' in html and "0526-2028000" in html
    assert "sesuai ketentuan arsip pemerintah daerah" in html
    assert 'name="viewport"' in html


def test_privacy_page_follows_the_service_profile(client):
    profile = ServiceProfile.get()
    profile.agency_name = "Satuan Polisi Pamong Praja Kabupaten Contoh"
    profile.whatsapp_number = "0811 5000 1234"
    profile.save()
    html = client.get(reverse("web:privacy")).content.decode()
    assert "Satuan Polisi Pamong Praja Kabupaten Contoh" in html
    assert 'href="https://wa.me/6281150001234"' in html


def test_privacy_page_stays_open_when_login_is_required_everywhere(client, settings):
    # Should the project ever require login site-wide, this page must still answer.
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE,
        "django.contrib.auth.middleware.LoginRequiredMiddleware",
    ]
    response = client.get("/publik/privasi/")
    assert response.status_code == 200 and "Rahasia" in response.content.decode()
