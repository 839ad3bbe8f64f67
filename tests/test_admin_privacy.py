"""The setup admin (the superadmin's /admin/) never shows who a citizen is: outbound messages,
Graph API calls and blocked numbers show a label ("Dirahasiakan", "Anonim",
"Identitas tidak ditampilkan") and a masked number, in lists, detail pages and bodies, and a
search by the citizen's number, id or name finds nothing. Staff numbers stay searchable.

What a role may see comes from lalisa.access (the superadmin sees no citizen's identity)."""

import contextlib

import pytest
from django.contrib import admin
from django.test import RequestFactory

from lalisa import access
from lalisa.accounts.models import Role
from lalisa.complaints import blocking
from lalisa.complaints.models import Confidentiality, Reporter, ReporterBlock
from lalisa.notifications.models import Notification
from lalisa.simulator import emulator
from lalisa.whatsapp import channel, client, graph, sender
from lalisa.whatsapp.models import ApiCall, OutboundMessage

pytestmark = pytest.mark.django_db

SITI = {"phone": "+6281311112222", "wa_id": "6281311112222", "user_id": "ID.1410018717833190"}
JOKO = {"phone": "+6285255556666", "wa_id": "6285255556666", "user_id": "ID.3330018717833192"}
LISTS = [
    "/admin/whatsapp/outboundmessage/",
    "/admin/whatsapp/apicall/",
    "/admin/complaints/reporterblock/",
]


def forbidden(person: dict, names: list[str]) -> list[str]:
    """Every form in which a person's identity could show."""
    digits = person["wa_id"]
    local = "0" + digits[2:]
    return [
        digits,
        local,
        f"{local[:4]}-{local[4:8]}-{local[8:]}",
        person["user_id"],
        person["user_id"].split(".")[1],
        *names,
    ]


def send_all():
    for pk in OutboundMessage.objects.filter(state="queued").values_list("pk", flat=True):
        sender.send_outbound.call(pk)


@pytest.fixture
def rows(graph_emulator, citizen, kabid, admin, file):
    """A rahasia complaint by Siti and an anonim one by Joko; each is written to with their
    name and number in the text, and the Kabid is told of Siti's (quoting her, too)."""
    citizen.name = "Siti Aminah"
    citizen.save()
    joko = Reporter.objects.create(**JOKO, profile_name="Joko Santoso")
    secret = file(confidentiality=Confidentiality.RAHASIA)
    anonymous = file(actor=joko, confidentiality=Confidentiality.ANONIM)
    Notification.objects.all().delete()
    OutboundMessage.objects.all().delete()
    for contact in (SITI, JOKO):
        emulator.open_window(wa_id=contact["wa_id"], user_id=contact["user_id"])
    emulator.open_window(wa_id="6281200000002")
    notes = [
        Notification.objects.create(
            kind="catatan",
            complaint=secret,
            to_reporter=citizen,
            text="Terima kasih Siti Aminah (081311112222), aduan Anda kami terima.",
        ),
        Notification.objects.create(
            kind="catatan",
            complaint=anonymous,
            to_reporter=joko,
            text="Terima kasih Joko Santoso, kami hubungi di +62 852-5555-6666.",
        ),
        Notification.objects.create(
            kind="catatan",
            complaint=secret,
            to_user=kabid,
            text="Aduan baru dari Siti Aminah, +6281311112222.",
        ),
    ]
    for note in notes:
        assert channel.channel.deliver(note) == "queued"
    send_all()
    assert OutboundMessage.objects.filter(state="sent").count() == 3
    # A read receipt belongs to no message of ours but carries the citizen's wamid.
    with contextlib.suppress(graph.GraphError):
        client.mark_read(emulator.EmulatedMessage.objects.filter(direction="in").first().wamid)
    assert ApiCall.objects.filter(outbound=None, url__endswith="/messages").exists()
    blocking.block(citizen, actor=admin, reason="Nomor 0813 1111 2222 (Siti) kasar.")
    return {"siti": citizen, "joko": joko, "secret": secret, "anonymous": anonymous}


def pages(client):
    """Every list and detail page of the tables that name citizens."""
    urls = list(LISTS)
    for msg in OutboundMessage.objects.all():
        urls += [f"/admin/whatsapp/outboundmessage/{msg.pk}/change/"]
        urls += [f"/admin/whatsapp/outboundmessage/{msg.pk}/history/"]
    urls += [f"/admin/whatsapp/apicall/{c.pk}/change/" for c in ApiCall.objects.all()]
    for block in ReporterBlock.objects.all():
        urls += [f"/admin/complaints/reporterblock/{block.pk}/change/"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        yield url, response.content.decode()


def test_no_page_shows_a_protected_identity(client, superadmin, rows):
    client.force_login(superadmin)
    hidden = forbidden(SITI, ["Siti", "Aminah"]) + forbidden(JOKO, ["Joko", "Santoso"])
    # Each wamid's head is the chat's number in base64.
    hidden += [m.wamid for m in OutboundMessage.objects.all()]
    hidden += [m.wamid[6:26] for m in OutboundMessage.objects.all()]
    seen = ""
    for url, html in pages(client):
        for value in hidden:
            assert value.lower() not in html.lower(), (url, value)
        seen += html
    # What stands in their place: the label and the masked number.
    for shown in ("Dirahasiakan", "Anonim", "+62813****2222", "+62852****6666"):
        assert shown in seen, shown
    assert "62813****2222" in seen and "08131****2222" in seen
    # Staff are not citizens: the Kabid's name and number show.
    assert "Budi (+6281200000002)" in seen


def test_bodies_of_graph_calls_are_masked(client, superadmin, rows):
    client.force_login(superadmin)
    to_siti = ApiCall.objects.get(outbound__reporter=rows["siti"])
    assert "6281311112222" in to_siti.request_body and "Siti Aminah" in to_siti.request_body
    html = client.get(f"/admin/whatsapp/apicall/{to_siti.pk}/change/").content.decode()
    assert "&quot;to&quot;: &quot;62813****2222&quot;" in html
    assert "Terima kasih Dirahasiakan (08131****2222)" in html
    assert '"wa_id": "62813****2222"' in html.replace("&quot;", '"')


SEARCHES = [
    "6281311112222",
    "+6281311112222",
    "081311112222",
    "0813-1111-2222",
    "0813 1111 2222",
    "81311112222",
    "1311112222",
    "1111 2222",
    "ID.1410018717833190",
    "1410018717833190",
    "Siti",
    "aminah",
    "6285255556666",
    "Joko",
]


@pytest.mark.parametrize("term", SEARCHES)
def test_search_by_a_protected_identity_finds_nothing(client, superadmin, rows, term):
    client.force_login(superadmin)
    citizens = {rows["siti"].pk, rows["joko"].pk}
    for url in ("/admin/whatsapp/outboundmessage/", "/admin/whatsapp/apicall/"):
        response = client.get(url, {"q": term})
        assert response.status_code == 200
        for row in response.context["cl"].result_list:
            msg = row if isinstance(row, OutboundMessage) else row.outbound
            named = {msg.reporter_id, msg.complaint.reporter_id if msg.complaint else None}
            assert not named & citizens, (url, term, row)
            assert not (isinstance(row, ApiCall) and row.url.endswith("/messages") and not msg)


def test_search_by_a_wamid_finds_no_citizen(client, superadmin, kabid, rows):
    client.force_login(superadmin)
    msg = OutboundMessage.objects.get(reporter=rows["siti"])
    receipt = ApiCall.objects.get(outbound=None, url__endswith="/messages")
    for term in (msg.wamid[6:30], msg.wamid[:-4], msg.wamid):
        response = client.get("/admin/whatsapp/outboundmessage/", {"q": term})
        assert msg not in response.context["cl"].result_list, term
        response = client.get("/admin/whatsapp/apicall/", {"q": term})
        assert not {*msg.calls.all(), receipt} & {*response.context["cl"].result_list}, term
    inbound = receipt.request_body.split('"message_id": "')[1].split('"')[0]
    response = client.get("/admin/whatsapp/apicall/", {"q": inbound[6:30]})
    assert receipt not in response.context["cl"].result_list
    # A staff member's message is found by its whole wamid.
    to_kabid = OutboundMessage.objects.get(staff=kabid)
    response = client.get("/admin/whatsapp/outboundmessage/", {"q": to_kabid.wamid})
    assert list(response.context["cl"].result_list) == [to_kabid]


@pytest.mark.parametrize(
    "url",
    [
        "/admin/whatsapp/outboundmessage/?to_phone__startswith=62813",
        "/admin/whatsapp/outboundmessage/?to_phone=6281311112222",
        "/admin/whatsapp/outboundmessage/?to_user_id__endswith=3190",
        "/admin/whatsapp/outboundmessage/?reporter__id__exact=1",
        "/admin/whatsapp/outboundmessage/?reporter=1",
        "/admin/whatsapp/outboundmessage/?complaint__reporter=1",
        "/admin/whatsapp/outboundmessage/?wamid__startswith=wamid.FQIAEhg2Mjgx",
        "/admin/whatsapp/outboundmessage/?payload__icontains=Siti",
        "/admin/whatsapp/apicall/?request_body__contains=62813",
        "/admin/whatsapp/apicall/?response_body__icontains=1111",
        "/admin/whatsapp/apicall/?outbound__reporter=1",
        "/admin/whatsapp/apicall/?outbound=1",
        "/admin/complaints/reporterblock/?reporter=1",
        "/admin/complaints/reporterblock/?reason__contains=0813",
    ],
)
def test_the_address_cannot_filter_by_a_citizen(client, superadmin, rows, url):
    """The admin filters by any field named in the query string unless told otherwise."""
    client.force_login(superadmin)
    assert client.get(url).status_code == 400


def test_the_offered_filters_still_work(client, superadmin, rows):
    client.force_login(superadmin)
    year = OutboundMessage.objects.first().created_at.year
    for url, count in [
        ("/admin/whatsapp/outboundmessage/?state__exact=sent&kind=catatan", 3),
        (f"/admin/whatsapp/outboundmessage/?created_at__year={year}", 3),
        ("/admin/whatsapp/outboundmessage/?state__exact=failed", 0),
        ("/admin/whatsapp/apicall/?method__exact=POST&status_code__exact=200", 4),
        (f"/admin/complaints/reporterblock/?created_at__year={year}", 1),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.context["cl"].result_count == count, url


def test_search_still_finds_staff_and_kinds(client, superadmin, kabid, rows):
    client.force_login(superadmin)
    to_kabid = OutboundMessage.objects.get(staff=kabid)
    for term in ("6281200000002", "81200000002"):
        response = client.get("/admin/whatsapp/outboundmessage/", {"q": term})
        assert list(response.context["cl"].result_list) == [to_kabid], term
    response = client.get("/admin/whatsapp/outboundmessage/", {"q": "catatan"})
    assert response.context["cl"].result_count == 3
    response = client.get("/admin/whatsapp/apicall/", {"q": "messages"})
    assert response.context["cl"].result_count >= 3


def test_the_admin_follows_the_access_rules(client, superadmin, rows, monkeypatch):
    """Were the superadmin allowed anonim identities, Joko would show; Siti (rahasia) not."""
    widened = access.IDENTITY_ROLES[Confidentiality.ANONIM] | {Role.SUPERADMIN}
    monkeypatch.setitem(access.IDENTITY_ROLES, Confidentiality.ANONIM, widened)
    reading = frozenset({"setup", "view_complaints"})
    monkeypatch.setitem(access.PERMISSIONS, Role.SUPERADMIN, reading)
    client.force_login(superadmin)
    html = client.get("/admin/whatsapp/outboundmessage/").content.decode()
    assert "Joko Santoso" in html
    assert "Siti" not in html and "Dirahasiakan" in html


def test_these_tables_have_no_export_or_other_action(superadmin, rows):
    request = RequestFactory().get("/admin/")
    request.user = superadmin
    for model in (OutboundMessage, ApiCall, ReporterBlock):
        assert admin.site.get_model_admin(model).get_actions(request) == {}, model
