"""The check part (kode cek) the public lookup asks for beside the ticket code: short,
random, unambiguous, stored per complaint (existing ones get theirs by migration), and
given to the reporter in every message that gives the code — the receipt and its template,
the bot's status answer, the admin's confirmation of a walk-in filing — but never for a
rahasia complaint, and never to anyone else. The bot itself needs no check part."""

import importlib
import re
import string

import pytest
from django.apps import apps

from lalisa.bot import status as bot_status
from lalisa.complaints import lookup_check
from lalisa.complaints.models import Complaint, Confidentiality, Source, Supporter
from lalisa.notifications import texts as notification_texts
from lalisa.notifications.models import MessageText, Notification
from lalisa.whatsapp import messages as wa
from lalisa.whatsapp import templates
from lalisa.whatsapp.models import MessageTemplate
from tests.test_bot_conversation import file_by_taps, reporter_of, texts
from tests.test_bot_texts import SAMPLE

pytestmark = pytest.mark.django_db

AMBIGUOUS = set("0O1IL")
CHECK_LINE = re.compile(r"Kode cek: \*([A-Z0-9]{4})\*")


# --- the check part itself ------------------------------------------------------------------


def test_check_parts_are_short_random_and_unambiguous():
    checks = [lookup_check.new_check() for _ in range(3000)]
    assert all(len(c) == lookup_check.LENGTH == 4 for c in checks)
    assert set("".join(checks)) == set(lookup_check.ALPHABET)  # every character is used …
    assert not set(lookup_check.ALPHABET) & AMBIGUOUS  # … and none of these
    assert set(lookup_check.ALPHABET) <= set(string.ascii_uppercase + string.digits)
    assert all(c[0] in lookup_check.LETTERS for c in checks)
    # ~685,000 possible: 3,000 draws repeat a handful at most.
    assert len(set(checks)) > 2980


def test_each_complaint_keeps_its_own_check_part(file):
    filed = [file() for _ in range(8)]
    stored = [Complaint.objects.get(pk=c.pk).lookup_check for c in filed]
    assert stored == [c.lookup_check for c in filed]
    assert all(re.fullmatch(r"[A-HJKMNP-Z][2-9A-HJKMNP-Z]{3}", c) for c in stored)
    assert len(set(stored)) > 1


def test_a_rotated_secret_key_changes_no_check_part(client, file, settings):
    """Stored, not derived from SECRET_KEY: what the citizen was told keeps working."""
    complaint = file()
    settings.SECRET_KEY = "another-secret-key-after-rotation-0123456789-abcdefghijklmnop"
    answer = client.get(
        "/publik/cek/", {"kode": complaint.code, "cek": complaint.lookup_check}
    ).context["found"]
    assert answer is not None and answer.code == complaint.code
    assert Complaint.objects.get(pk=complaint.pk).lookup_check == complaint.lookup_check


def test_complaints_filed_before_check_parts_get_their_own_by_migration(file):
    migration = importlib.import_module("lalisa.complaints.migrations.0009_lookup_check")
    filed = [file() for _ in range(30)]
    Complaint.objects.update(lookup_check="")  # as the column's first step leaves them
    migration.give_every_complaint_a_check(apps, None)
    checks = list(Complaint.objects.values_list("lookup_check", flat=True))
    assert len(checks) == len(filed)
    assert all(len(c) == 4 and c[0] in lookup_check.LETTERS for c in checks)
    assert set("".join(checks)) <= set(lookup_check.ALPHABET)
    assert len(set(checks)) > 25  # each its own, not one default for all


# --- the receipt ----------------------------------------------------------------------------


def receipt(complaint) -> Notification:
    return Notification.objects.get(complaint=complaint, kind__startswith="complaint_received")


@pytest.mark.parametrize("confidentiality", [Confidentiality.BIASA, Confidentiality.ANONIM])
def test_the_receipt_gives_the_check_part_and_where_to_use_it(file, settings, confidentiality):
    settings.LALISA_PUBLIC_URL = "https://lalisa.example.id"
    complaint = file(confidentiality=confidentiality)
    told = receipt(complaint)
    assert told.kind == "complaint_received"
    assert f"*{complaint.code}*" in told.text
    assert f"Kode cek: *{complaint.lookup_check}*" in told.text
    assert "https://lalisa.example.id/publik/cek/" in told.text
    assert told.params["check"] == complaint.lookup_check


def test_a_rahasia_receipt_gives_no_check_part(file):
    complaint = file(confidentiality=Confidentiality.RAHASIA)
    told = receipt(complaint)
    assert told.kind == "complaint_received_rahasia"
    assert complaint.code in told.text and complaint.lookup_check not in told.text
    assert "Kode cek" not in told.text and "/publik/cek/" not in told.text
    assert "tidak tampil di halaman publik" in told.text
    assert "check" not in told.params


def test_the_receipt_s_template_carries_the_check_part(file):
    """Outside the 24-hour window the approved template goes: with the check part too."""
    complaint = file()
    for kind in ("complaint_received", "complaint_received_rahasia"):
        definition = templates.DEFINITIONS[kind]
        row = MessageTemplate(key=kind, version=2, params=list(definition.params))
        assert templates.check_definition(definition) == []
        filled = templates.params_for(row, receipt(complaint).params)
        assert (complaint.lookup_check in filled) == (kind == "complaint_received")
    assert "{{3}}" in templates.DEFINITIONS["complaint_received"].body.split("Kode cek")[1]


def test_an_unedited_receipt_is_brought_to_the_text_with_the_check_part():
    migration = importlib.import_module("lalisa.notifications.migrations.0002_receipt_with_check")
    row = MessageText.objects.get(key="complaint_received")
    assert row.text == migration.AFTER == notification_texts.DEFAULTS[row.key][0]
    for before in (migration.BEFORE, migration.BEFORE.replace("\n", "\r\n")):
        MessageText.objects.filter(pk=row.pk).update(text=before)
        migration.forward(apps, None)
        assert MessageText.objects.get(pk=row.pk).text == migration.AFTER
    edited = "Aduan {code} kami terima."
    MessageText.objects.filter(pk=row.pk).update(text=edited)
    migration.forward(apps, None)
    assert MessageText.objects.get(pk=row.pk).text == edited  # the superadmin's words stay


def test_the_superadmin_is_offered_the_check_part_placeholder(client, superadmin):
    row = MessageText.objects.get(key="complaint_received")
    client.force_login(superadmin)
    html = client.get(f"/admin/notifications/messagetext/{row.pk}/change/").content.decode()
    assert "{check}" in html and "{lookup_url}" in html


# --- the bot --------------------------------------------------------------------------------


def test_the_bot_answers_its_citizen_with_or_without_the_check_part(chat):
    c = chat()
    file_by_taps(c)
    complaint = Complaint.objects.get()
    period, number = complaint.code.split("-")[1:]
    check = complaint.lookup_check
    for typed in (
        complaint.code,
        f"{complaint.code} {check}",
        f"{complaint.code}-{check}".lower(),
        f"ll {period} {number} {check.lower()}",
        f"cek status {complaint.code} {check}",
        f"{complaint.code} AAAA",  # a wrong one: the bot knows who asks, it needs none
    ):
        answer = texts(c.say(typed))
        assert complaint.code in answer and "Diterima" in answer, typed
        assert CHECK_LINE.search(answer).group(1) == check, typed
        assert "https://lalisa.example.id/publik/cek/" in answer


def test_the_bot_gives_the_check_part_to_no_one_but_the_reporter(chat, file):
    reporter_chat, supporter_chat, stranger_chat = chat(), chat(), chat()
    file_by_taps(reporter_chat)
    complaint = Complaint.objects.get()
    supporter_chat.say("halo")
    Supporter.objects.create(complaint=complaint, reporter=reporter_of(supporter_chat))
    supporter_chat.new()
    told = texts(supporter_chat.say(complaint.code))
    assert complaint.code in told and "Diterima" in told  # the supporter follows it …
    assert complaint.lookup_check not in told and "Kode cek" not in told  # … without it
    # A stranger holding code and check part learns nothing in the bot.
    told = texts(stranger_chat.say(f"{complaint.code} {complaint.lookup_check}"))
    assert "tidak ditemukan" in told and "Diterima" not in told


def test_a_rahasia_complaint_s_status_comes_without_a_check_part(chat):
    c = chat()
    received = texts(file_by_taps(c, identity="Rahasia"))
    complaint = Complaint.objects.get()
    assert complaint.confidentiality == Confidentiality.RAHASIA
    assert complaint.code in received and "Kode cek" not in received
    answer = texts(c.say(complaint.code))
    assert "Diterima" in answer and complaint.lookup_check not in answer


def test_the_receipt_on_whatsapp_gives_the_check_part(chat):
    c = chat()
    answer = texts(file_by_taps(c))
    complaint = Complaint.objects.get()
    assert "nomor tiket" in answer and complaint.code in answer
    assert CHECK_LINE.search(answer).group(1) == complaint.lookup_check


def test_status_with_its_check_line_fits_a_message_body(file, citizen):
    """The longest status (long names, explanation, URL) with the check line still fits."""
    complaint = file()
    line = notification_texts.render(
        "bot_status_check", check="K7QF", lookup_url="https://" + "x" * 60 + "/publik/cek/"
    )
    status = notification_texts.render("bot_status", **SAMPLE)
    assert len(status + "\n" + line) <= wa.INTERACTIVE_BODY_MAX
    assert notification_texts.limit("bot_status_check") == wa.INTERACTIVE_BODY_MAX
    said = bot_status.describe(complaint, citizen)
    assert said.splitlines()[-1] == notification_texts.render(
        "bot_status_check", check=complaint.lookup_check, lookup_url=lookup_check.lookup_url()
    )
    assert complaint.lookup_check not in bot_status.describe(complaint)  # asked by no one


# --- the admin's walk-in filing -------------------------------------------------------------


def walk_in(client, admin, paringin, category, **fields):
    client.force_login(admin)
    form = {
        "source": Source.WALK_IN,
        "name": "Pak Darmawan",
        "whatsapp": "",
        "category": category.pk,
        "description": "Reklame roboh di depan rumah",
        "kecamatan": paringin.pk,
        "confidentiality": Confidentiality.BIASA,
        **fields,
    }
    response = client.post("/aduan/catat/", form, follow=True)
    assert response.status_code == 200
    return Complaint.objects.latest("pk"), response.content.decode()


def test_the_admin_is_given_the_check_part_to_tell_a_walk_in_reporter(
    client, admin, paringin, category, settings
):
    settings.LALISA_PUBLIC_URL = "https://lalisa.example.id"
    complaint, html = walk_in(client, admin, paringin, category)
    assert f"nomor tiket {complaint.code}, kode cek {complaint.lookup_check}" in html
    assert "https://lalisa.example.id/publik/cek/" in html
    # Without WhatsApp, this is all the reporter gets: it opens the lookup.
    assert not Notification.objects.filter(complaint=complaint).exists()
    found = client.get("/publik/cek/", {"kode": complaint.code, "cek": complaint.lookup_check})
    assert found.context["found"].code == complaint.code


def test_a_rahasia_walk_in_is_confirmed_without_a_check_part(client, admin, paringin, category):
    complaint, html = walk_in(
        client, admin, paringin, category, confidentiality=Confidentiality.RAHASIA
    )
    assert complaint.code in html and "tidak tampil di halaman publik" in html
    assert complaint.lookup_check not in html and "kode cek" not in html


def test_a_walk_in_reporter_with_whatsapp_gets_the_receipt_too(client, admin, paringin, category):
    complaint, _ = walk_in(client, admin, paringin, category, whatsapp="0812 7777 1234")
    assert f"Kode cek: *{complaint.lookup_check}*" in receipt(complaint).text
