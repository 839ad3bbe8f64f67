"""Message templates: one per notification kind, submitted to Meta (the emulator) by
`lalisa whatsapp_templates --sync`; a changed text is a new version, and the last approved
version is the one sent until the new one is approved."""

import io
import json
import string
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lalisa.notifications.models import Notification
from lalisa.notifications.texts import DEFAULTS, GLOBAL_PLACEHOLDERS, NOTIFICATION_KINDS
from lalisa.simulator.models import EmulatedTemplate
from lalisa.whatsapp import channel, graph, templates
from lalisa.whatsapp.models import ApiCall, MessageTemplate, OutboundMessage
from tests.test_whatsapp_outbound import Meta, run_sends

FIXTURES = Path(__file__).parent / "fixtures" / "whatsapp"
Status = MessageTemplate.Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def meta(graph_emulator):
    return Meta(graph._transport)


def sync(*args) -> str:
    out = io.StringIO()
    call_command("whatsapp_templates", "--sync", *args, stdout=out)
    return out.getvalue()


def template_calls(method="POST"):
    return ApiCall.objects.filter(url__endswith="/message_templates", method=method)


class TestDefinitions:
    def test_every_notification_kind_has_a_template(self):
        assert set(templates.DEFINITIONS) == NOTIFICATION_KINDS

    @pytest.mark.parametrize("key", sorted(NOTIFICATION_KINDS))
    def test_params_come_from_the_notification(self, key):
        d = templates.DEFINITIONS[key]
        placeholders = {
            name for _, name, _, _ in string.Formatter().parse(DEFAULTS[key][0]) if name
        }
        assert set(d.params) <= placeholders | set(GLOBAL_PLACEHOLDERS)
        assert templates.check_definition(d) == []
        assert all(p in templates.EXAMPLES for p in d.params)
        assert d.name(1) == f"lalisa_{key}_v1"


class TestSync:
    def test_creates_and_submits_every_template(self, meta):
        out = sync()
        rows = MessageTemplate.objects.all()
        assert rows.count() == len(templates.DEFINITIONS)
        assert set(rows.values_list("status", flat=True)) == {Status.APPROVED}
        assert all(r.meta_id and r.submitted_at for r in rows)
        assert "lalisa_complaint_done_v1: diajukan — Disetujui" in out
        assert f"{len(rows)} templat: {len(rows)} disetujui" in out
        # What went to Meta, as api/template_create_request.json.
        assert template_calls().count() == len(rows)
        assert all("/102290129340398/message_templates" in c.url for c in template_calls())
        sent = [json.loads(c.request_body) for c in template_calls()]
        done = next(s for s in sent if s["name"] == "lalisa_complaint_done_v1")
        example = json.loads((FIXTURES / "api/template_create_request.json").read_text())
        assert set(done) == set(example)
        assert (done["language"], done["category"]) == ("id", "UTILITY")
        [body] = done["components"]
        assert body["type"] == "BODY" and "{{3}}" in body["text"]
        assert len(body["example"]["body_text"][0]) == 3

    def test_unchanged_templates_are_left_alone(self, meta):
        sync()
        before = ApiCall.objects.count()
        out = sync()
        assert ApiCall.objects.count() == before  # approved: nothing to ask Meta
        assert "tidak berubah" in out
        assert MessageTemplate.objects.filter(version=2).count() == 0

    def test_changed_text_is_a_new_version_used_once_approved(self, meta, monkeypatch, citizen):
        sync()
        old = templates.DEFINITIONS["complaint_rated"]
        changed = templates.TemplateDef(
            old.key,
            "Terima kasih, penilaian Anda untuk aduan *{{1}}* sudah kami catat.",
            old.params,
        )
        monkeypatch.setitem(templates.DEFINITIONS, old.key, changed)
        out = sync()
        assert "lalisa_complaint_rated_v2: teks berubah, versi baru diajukan" in out
        v1, v2 = MessageTemplate.objects.filter(key="complaint_rated").order_by("version")
        assert (v1.name, v2.name) == ("lalisa_complaint_rated_v1", "lalisa_complaint_rated_v2")
        assert v1.body == old.body and v2.body == changed.body

        # Meta is still reviewing version 2: version 1 is the one sent.
        EmulatedTemplate.objects.filter(name=v2.name).update(status="PENDING")
        MessageTemplate.objects.filter(pk=v2.pk).update(status=Status.PENDING)
        assert templates.approved_template("complaint_rated") == v1
        out = sync()
        assert (
            "lalisa_complaint_rated_v2: status diperbarui dari Meta — Menunggu persetujuan" in out
        )
        assert "sementara dipakai lalisa_complaint_rated_v1" in out
        assert templates.approved_template("complaint_rated") == v1
        n = self.rated_outside_window(meta, citizen)
        assert self.template_sent(n) == "lalisa_complaint_rated_v1"

        # Approved: the next sync sees it, and version 2 is sent from then on.
        EmulatedTemplate.objects.filter(name=v2.name).update(status="APPROVED")
        sync()
        assert templates.approved_template("complaint_rated").name == v2.name
        n = self.rated_outside_window(meta, citizen)
        assert self.template_sent(n) == "lalisa_complaint_rated_v2"

    def rated_outside_window(self, meta, citizen):
        from lalisa.simulator.models import EmulatedMessage

        EmulatedMessage.objects.filter(direction="in").delete()  # window closed
        n = Notification.objects.create(
            kind="complaint_rated", to_reporter=citizen, text="x", params={"code": "LL-1"}
        )
        channel.channel.deliver(n)
        run_sends()
        return n

    def template_sent(self, notification):
        row = OutboundMessage.objects.get(notification=notification, payload__type="template")
        assert row.state == OutboundMessage.State.SENT
        return row.payload["template"]["name"]

    def test_failed_submission_is_reported_and_retried(self, meta):
        meta.fail(400, 100, path_contains="/message_templates")
        with pytest.raises(CommandError, match="1 templat gagal diajukan"):
            sync()
        failed = MessageTemplate.objects.get(status=Status.DRAFT)
        assert "#100" in failed.reason
        out = sync()
        failed.refresh_from_db()
        assert failed.status == Status.APPROVED and failed.reason == ""
        assert f"{failed.name}: diajukan ulang" in out

    def test_a_lost_answer_is_not_submitted_twice(self, meta):
        sync()
        row = MessageTemplate.objects.get(key="complaint_closed")
        # Meta stored it, but our side never heard back.
        MessageTemplate.objects.filter(pk=row.pk).update(
            status=Status.DRAFT, submitted_at=None, meta_id=""
        )
        posts = template_calls().count()
        out = sync()
        row.refresh_from_db()
        assert row.status == Status.APPROVED and row.meta_id
        assert template_calls().count() == posts
        assert f"{row.name}: status diperbarui dari Meta" in out

    def test_needs_the_business_account(self, meta, settings):
        settings.WHATSAPP_BUSINESS_ACCOUNT_ID = ""
        with pytest.raises(CommandError, match="WHATSAPP_BUSINESS_ACCOUNT_ID"):
            sync()

    def test_list(self, meta):
        out = io.StringIO()
        call_command("whatsapp_templates", "--list", stdout=out)
        assert "Belum ada templat" in out.getvalue()
        sync()
        out = io.StringIO()
        call_command("whatsapp_templates", "--list", stdout=out)
        text = out.getvalue()
        assert "* lalisa_complaint_received_v1" in text and "Disetujui" in text


class TestStatusWebhook:
    def test_approved_and_rejected(self):
        row = MessageTemplate.objects.create(
            key="status_aduan",
            name="lalisa_status_aduan",
            body="Halo {{1}}",
            status=Status.PENDING,
            meta_id="1627019861106475",
        )
        value = json.loads((FIXTURES / "template_status_update.json").read_text())
        templates.apply_status_update(value["entry"][0]["changes"][0]["value"])
        row.refresh_from_db()
        assert row.status == Status.APPROVED and row.decided_at and row.reason == ""

        other = MessageTemplate.objects.create(
            key="survei", name="lalisa_survei_kepuasan", body="x {{1}} y", status=Status.PENDING
        )
        value = json.loads((FIXTURES / "template_status_rejected.json").read_text())
        templates.apply_status_update(value["entry"][0]["changes"][0]["value"])
        other.refresh_from_db()
        assert other.status == Status.REJECTED
        assert "next to each other" in other.reason
        assert other.meta_id == "1627019861106476"

    def test_unknown_template_is_ignored(self):
        assert (
            templates.apply_status_update({"event": "APPROVED", "message_template_name": "x"})
            is None
        )
