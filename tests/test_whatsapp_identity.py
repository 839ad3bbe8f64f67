"""Who wrote: staff or citizen, matched by business-scoped id, wa_id or phone; merged when
two records turn out to be one person; followed when WhatsApp says an id or number changed."""

import datetime as dt
import json
from pathlib import Path

import pytest
from django.utils import timezone

from lalisa.accounts.models import Role
from lalisa.complaints.models import Event, Rating, Reporter, Supporter
from lalisa.notifications.models import Notification
from lalisa.whatsapp import identity, inbound, parse
from lalisa.whatsapp.models import InboundMessage, OutboundMessage, WebhookDelivery
from tests.conftest import make_user

FIXTURES = Path(__file__).parent / "fixtures" / "whatsapp"
U_AHMAD, W_AHMAD = "ID.1410018717833190", "6281251234567"
U_NEW, W_NEW = "ID.1873640291558201", "6281351112233"


def process(name: str) -> WebhookDelivery:
    body = (FIXTURES / name).read_bytes()
    delivery = WebhookDelivery.objects.create(body=body, signature="sha256=test")
    assert inbound.process_delivery(delivery.pk) == "ok"
    delivery.refresh_from_db()
    return delivery


class TestResolve:
    def test_first_message_creates_the_reporter_with_everything_given(self, db):
        reporter = identity.resolve(user_id=U_AHMAD, wa_id=W_AHMAD, profile_name="Ahmad Fauzi")
        assert isinstance(reporter, Reporter)
        assert (reporter.user_id, reporter.wa_id, reporter.phone, reporter.profile_name) == (
            U_AHMAD,
            W_AHMAD,
            "+6281251234567",
            "Ahmad Fauzi",
        )
        again = identity.resolve(user_id=U_AHMAD, wa_id=W_AHMAD, profile_name="Ahmad F.")
        assert again.pk == reporter.pk
        assert again.profile_name == "Ahmad F."  # the latest WhatsApp name
        assert Reporter.objects.count() == 1

    def test_bsuid_only(self, db):
        reporter = identity.resolve(user_id="ID.3920174635281947", profile_name="Muhammad Rizky")
        assert (reporter.wa_id, reporter.phone) == (None, None)
        # The phone shows up later (the user shared it): same record, filled in.
        later = identity.resolve(user_id="ID.3920174635281947", wa_id="6285211112222")
        assert later.pk == reporter.pk
        assert (later.wa_id, later.phone) == ("6285211112222", "+6285211112222")

    def test_known_by_wa_id_gets_its_bsuid(self, db):
        old = Reporter.objects.create(wa_id=W_AHMAD, phone="+6281251234567", name="Pak Ahmad")
        reporter = identity.resolve(user_id=U_AHMAD, wa_id=W_AHMAD)
        assert reporter.pk == old.pk
        assert reporter.user_id == U_AHMAD
        assert reporter.name == "Pak Ahmad"

    def test_a_bsuid_match_needs_no_wa_id(self, citizen):
        assert identity.resolve(user_id=citizen.user_id).pk == citizen.pk

    def test_reporter_recorded_by_staff_with_a_phone_only_is_found(self, db):
        walk_in = Reporter.objects.create(phone="0812-5123-4567", name="Ahmad (datang ke kantor)")
        reporter = identity.resolve(user_id=U_AHMAD, wa_id=W_AHMAD)
        assert reporter.pk == walk_in.pk
        assert (reporter.user_id, reporter.wa_id) == (U_AHMAD, W_AHMAD)

    def test_nothing_to_go_by(self, db):
        assert identity.resolve(user_id="", wa_id="") is None
        assert not Reporter.objects.exists()

    def test_a_number_that_changed_hands_is_not_merged(self, db):
        # The record holding the number has another BSUID: a recycled number, someone else.
        previous_owner = Reporter.objects.create(
            user_id="ID.7777", wa_id=W_AHMAD, phone="+6281251234567", profile_name="Lama"
        )
        reporter = identity.resolve(user_id=U_AHMAD, wa_id=W_AHMAD, profile_name="Baru")
        assert reporter.pk != previous_owner.pk
        assert (reporter.user_id, reporter.wa_id) == (U_AHMAD, W_AHMAD)
        previous_owner.refresh_from_db()
        assert (previous_owner.user_id, previous_owner.wa_id) == ("ID.7777", None)


class TestStaff:
    def test_staff_by_number_gets_the_bsuid_filled_in(self, admin):
        found = identity.resolve(user_id="ID.5550001", wa_id="6281200000001")
        assert found == admin
        admin.refresh_from_db()
        assert admin.whatsapp_user_id == "ID.5550001"
        assert not Reporter.objects.exists()

    def test_staff_by_bsuid_without_a_number(self, trc):
        trc.whatsapp_user_id = "ID.5550003"
        trc.save()
        assert identity.resolve(user_id="ID.5550003") == trc

    def test_a_bsuid_another_user_holds_is_not_copied(self, admin, kabid):
        kabid.whatsapp_user_id = "ID.5550001"
        kabid.save()
        # The admin's number writes with the kabid's BSUID: the BSUID match wins.
        assert identity.resolve(user_id="ID.5550001", wa_id="6281200000001") == kabid
        admin.refresh_from_db()
        assert admin.whatsapp_user_id is None

    def test_inactive_staff_is_a_citizen(self, admin):
        admin.is_active = False
        admin.save()
        assert isinstance(identity.resolve(wa_id="6281200000001"), Reporter)

    def test_staff_number_change_is_followed(self, trc):
        found = identity.follow_change(
            previous_wa_id="6281200000003", wa_id="6281399990000", user_id="ID.5559999"
        )
        assert found == trc
        trc.refresh_from_db()
        assert (trc.whatsapp, trc.whatsapp_user_id) == ("+6281399990000", "ID.5559999")


@pytest.fixture
def two_records(file, citizen, category):
    """The same person twice: `citizen` by BSUID (older), `phone_only` by number (newer),
    each with complaints, supports, ratings, messages, events and notifications."""
    phone_only = Reporter.objects.create(wa_id="6281399998888", phone="+6281399998888", name="S")
    mine = file()
    theirs = file(actor=phone_only, description="Knalpot brong tiap malam di Juai")
    Supporter.objects.create(complaint=mine, reporter=phone_only)  # one's own: dropped
    shared = file(actor=Reporter.objects.create(user_id="ID.0001"), description="Parkir liar")
    Supporter.objects.create(complaint=shared, reporter=citizen)
    Supporter.objects.create(complaint=shared, reporter=phone_only)
    Rating.objects.create(complaint=shared, reporter=citizen, score=5)
    Rating.objects.create(complaint=shared, reporter=phone_only, score=2)
    InboundMessage.objects.create(
        wamid="wamid.a", reporter=phone_only, type="text", sent_at=timezone.now()
    )
    OutboundMessage.objects.create(reporter=phone_only, kind="text", payload={})
    last = timezone.now()
    Reporter.objects.filter(pk=phone_only.pk).update(last_inbound_at=last)
    phone_only.refresh_from_db()
    return citizen, phone_only, {"mine": mine, "theirs": theirs, "shared": shared, "last": last}


class TestMerge:
    def test_bsuid_and_number_on_two_records_merge_into_the_older(self, two_records):
        citizen, phone_only, things = two_records
        assert Notification.objects.filter(to_reporter=phone_only).exists()
        assert Event.objects.filter(actor_reporter=phone_only).exists()

        reporter = identity.resolve(user_id=citizen.user_id, wa_id="6281399998888")

        assert reporter.pk == citizen.pk
        assert not Reporter.objects.filter(pk=phone_only.pk).exists()
        assert (reporter.user_id, reporter.wa_id, reporter.phone) == (
            citizen.user_id,
            "6281399998888",
            "+6281399998888",
        )
        assert reporter.last_inbound_at == things["last"]
        assert set(reporter.complaints.all()) == {things["mine"], things["theirs"]}
        assert not Supporter.objects.filter(complaint=things["mine"]).exists()
        assert Supporter.objects.get(complaint=things["shared"]).reporter == reporter
        assert Rating.objects.get(complaint=things["shared"]).score == 5  # the keeper's
        assert InboundMessage.objects.get().reporter == reporter
        assert OutboundMessage.objects.get().reporter == reporter
        assert not Event.objects.filter(actor_reporter_id=phone_only.pk).exists()
        assert not Notification.objects.filter(to_reporter_id=phone_only.pk).exists()
        assert Notification.objects.filter(to_reporter=reporter).count() >= 2

    def test_the_older_record_is_kept_whichever_id_found_it(self, db):
        older = Reporter.objects.create(wa_id=W_AHMAD, name="Ahmad")
        newer = Reporter.objects.create(user_id=U_AHMAD, profile_name="Ahmad Fauzi")
        Reporter.objects.filter(pk=older.pk).update(
            created_at=timezone.now() - dt.timedelta(days=30)
        )
        reporter = identity.resolve(user_id=U_AHMAD, wa_id=W_AHMAD, profile_name="Ahmad Fauzi")
        assert reporter.pk == older.pk
        assert not Reporter.objects.filter(pk=newer.pk).exists()
        assert (reporter.user_id, reporter.name, reporter.profile_name) == (
            U_AHMAD,
            "Ahmad",
            "Ahmad Fauzi",
        )


class TestFollowChange:
    def test_changed_number_moves_the_record(self, db):
        ahmad = Reporter.objects.create(user_id=U_AHMAD, wa_id=W_AHMAD, phone="+6281251234567")
        moved = identity.follow_change(previous_wa_id=W_AHMAD, wa_id=W_NEW, user_id=U_NEW)
        assert moved.pk == ahmad.pk
        ahmad.refresh_from_db()
        assert (ahmad.user_id, ahmad.wa_id, ahmad.phone) == (U_NEW, W_NEW, "+6281351112233")
        # Again (Meta repeats itself): nothing more happens.
        assert identity.follow_change(previous_wa_id=W_AHMAD, wa_id=W_NEW, user_id=U_NEW) == ahmad
        assert Reporter.objects.count() == 1

    def test_new_number_already_writing_is_merged(self, db):
        ahmad = Reporter.objects.create(user_id=U_AHMAD, wa_id=W_AHMAD)
        already = Reporter.objects.create(user_id=U_NEW, wa_id=W_NEW)
        InboundMessage.objects.create(
            wamid="wamid.b", reporter=already, type="text", sent_at=timezone.now()
        )
        moved = identity.follow_change(
            previous_user_id=U_AHMAD, previous_wa_id=W_AHMAD, wa_id=W_NEW, user_id=U_NEW
        )
        assert moved.pk == ahmad.pk
        assert Reporter.objects.get().wa_id == W_NEW
        assert InboundMessage.objects.get().reporter == moved

    def test_unknown_person_is_not_created(self, db):
        assert identity.follow_change(previous_wa_id="628111", wa_id=W_NEW, user_id=U_NEW) is None
        assert not Reporter.objects.exists()

    def test_system_message_changed_number(self, db):
        ahmad = Reporter.objects.create(user_id=U_AHMAD, wa_id=W_AHMAD, phone="+6281251234567")
        process("system_user_changed_number.json")
        ahmad.refresh_from_db()
        assert (ahmad.user_id, ahmad.wa_id, ahmad.phone) == (U_NEW, W_NEW, "+6281351112233")
        assert InboundMessage.objects.get().reporter == ahmad
        # His next message comes from the new number and the new BSUID: the same record.
        assert identity.resolve(user_id=U_NEW, wa_id=W_NEW).pk == ahmad.pk

    def test_system_message_changed_user_id(self, db):
        rizky = Reporter.objects.create(user_id="ID.3920174635281947", profile_name="Rizky")
        process("system_user_changed_user_id.json")
        rizky.refresh_from_db()
        assert rizky.user_id == "ID.6602917384450192"
        (item,) = parse.parse(
            json.loads((FIXTURES / "system_user_changed_user_id.json").read_text())
        )
        assert (item.change.previous_user_id, item.change.user_id) == (
            "ID.3920174635281947",
            "ID.6602917384450192",
        )

    def test_user_id_update_webhook(self, db):
        ahmad = Reporter.objects.create(user_id=U_AHMAD, wa_id=W_NEW, phone="+6281351112233")
        process("user_id_update.json")
        ahmad.refresh_from_db()
        assert (ahmad.user_id, ahmad.wa_id) == (U_NEW, W_NEW)

    def test_number_change_then_user_id_update_agree(self, db):
        # Meta sends both for one change (NOTES.md §2): applied in either order, one record.
        ahmad = Reporter.objects.create(user_id=U_AHMAD, wa_id=W_AHMAD)
        process("user_id_update.json")
        process("system_user_changed_number.json")
        ahmad.refresh_from_db()
        assert (ahmad.user_id, ahmad.wa_id) == (U_NEW, W_NEW)
        assert Reporter.objects.count() == 1

    def test_staff_bsuid_change_is_followed(self, db):
        officer = make_user("intan", Role.ADMIN)
        officer.whatsapp_user_id = "ID.3920174635281947"
        officer.save()
        process("system_user_changed_user_id.json")
        officer.refresh_from_db()
        assert officer.whatsapp_user_id == "ID.6602917384450192"
        assert InboundMessage.objects.get().staff == officer
        assert not Reporter.objects.exists()
