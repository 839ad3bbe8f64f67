"""A number that sends abuse or pranks is blocked by an admin: one polite notice, then its
messages are kept (and shown) but never answered or turned into complaints."""

import pytest

from lalisa.complaints import blocking
from lalisa.complaints.errors import InvalidStep, RoleRefused
from lalisa.complaints.models import Complaint, Reporter, ReporterBlock
from lalisa.whatsapp.models import InboundMessage
from tests.chat import work
from tests.test_bot_conversation import reporter_of, texts

pytestmark = pytest.mark.django_db


def test_a_blocked_number_is_told_once_then_kept_but_not_answered(chat, admin):
    prankster = chat(name="Iseng")
    prankster.say("halo")
    person = reporter_of(prankster)
    entry = blocking.block(person, actor=admin, reason="Mengirim pesan kasar berulang kali")
    work()
    notice = texts(prankster.new())
    assert "tidak lagi dilayani" in notice and "112" in notice
    assert entry.blocked_by == admin and entry.reason.startswith("Mengirim pesan kasar")
    for words in ("halo", "ada PKL jualan di trotoar depan pasar Paringin, tlg ditertibkan"):
        assert prankster.say(words) == []
    assert prankster.photo() == []
    assert not Complaint.objects.exists()
    kept = InboundMessage.objects.filter(reporter=person)
    assert kept.count() == 4 and all(m.handled_at for m in kept)
    # Unblocked, the bot answers again; the log keeps both ends.
    blocking.unblock(person, actor=admin)
    assert prankster.say("halo")[0]["kind"] == "list"
    entry.refresh_from_db()
    assert entry.lifted_by == admin and entry.lifted_at is not None


def test_only_an_admin_blocks_with_a_reason_and_only_once(citizen, admin, kabid, trc):
    for someone in (kabid, trc):
        with pytest.raises(RoleRefused):
            blocking.block(citizen, actor=someone, reason="x")
    with pytest.raises(InvalidStep):
        blocking.block(citizen, actor=admin, reason="  ")
    blocking.block(citizen, actor=admin, reason="Laporan palsu berulang")
    with pytest.raises(InvalidStep):
        blocking.block(citizen, actor=admin, reason="lagi")
    assert ReporterBlock.objects.count() == 1
    assert Reporter.objects.get(pk=citizen.pk).blocked_at is not None
