import datetime as dt

import pytest
from django.utils import timezone

from lalisa.complaints.models import Category, Complaint, Status
from lalisa.sla.calendar import (
    WITA,
    add_working_days,
    holiday_name,
    is_working_day,
    national_holiday_name,
)
from lalisa.sla.due import (
    current_due,
    due_times,
    is_overdue,
    refresh_due_at,
    set_due_times,
    targets_for,
)
from lalisa.sla.models import DayOff, SlaTarget

pytestmark = pytest.mark.django_db


def wita(*args):
    return dt.datetime(*args, tzinfo=WITA)


# --- calendar ------------------------------------------------------------------------------


def test_2026_calendar_knows_national_holidays_and_cuti_bersama():
    assert national_holiday_name(dt.date(2026, 8, 17)) == "Hari Kemerdekaan Republik Indonesia"
    assert national_holiday_name(dt.date(2026, 6, 16)) == "Tahun Baru Islam"
    # Cuti bersama only comes with the "government" category.
    assert national_holiday_name(dt.date(2026, 5, 15)) == "Cuti Bersama Kenaikan Yesus Kristus"
    assert national_holiday_name(dt.date(2026, 12, 24)) == "Cuti Bersama Hari Raya Natal"
    for day in [(2026, 8, 17), (2026, 6, 16), (2026, 5, 15), (2026, 12, 24), (2026, 3, 23)]:
        assert not is_working_day(dt.date(*day))
    assert is_working_day(dt.date(2026, 7, 10))  # plain Friday
    assert not is_working_day(dt.date(2026, 7, 11))  # Saturday
    assert holiday_name(dt.date(2026, 7, 11)) is None
    assert holiday_name(dt.date(2026, 7, 10)) is None


def test_weekend():
    # Friday 14:00 + 1 -> Monday 14:00.
    assert add_working_days(wita(2026, 7, 10, 14, 0), 1) == wita(2026, 7, 13, 14, 0)
    assert add_working_days(wita(2026, 7, 10, 14, 0), 5) == wita(2026, 7, 17, 14, 0)


def test_national_holiday():
    # Tue 16 June 2026 is Tahun Baru Islam.
    assert add_working_days(wita(2026, 6, 15, 10, 0), 1) == wita(2026, 6, 17, 10, 0)
    # Friday before Mon 17 August: weekend and the holiday are both skipped.
    assert add_working_days(wita(2026, 8, 14, 14, 0), 1) == wita(2026, 8, 18, 14, 0)


def test_cuti_bersama():
    # Thu 14 May Kenaikan Yesus Kristus, Fri 15 May cuti bersama, then the weekend.
    # With public holidays only the answer would be Friday 15 May.
    assert add_working_days(wita(2026, 5, 13, 11, 0), 1) == wita(2026, 5, 18, 11, 0)
    # Wed 27 May Idul Adha, Thu 28 May cuti bersama.
    assert add_working_days(wita(2026, 5, 26, 9, 30), 1) == wita(2026, 5, 29, 9, 30)


def test_idul_fitri_block():
    # 18–24 March 2026: cuti bersama Nyepi, Nyepi, cuti bersama, Idul Fitri (weekend), cuti
    # bersama x2 -> a normal complaint received Tue 17 March.
    due = due_times("normal", wita(2026, 3, 17, 10, 0))
    assert due == {
        "verify": wita(2026, 3, 25, 10, 0),
        "dispatch": wita(2026, 3, 27, 10, 0),
        "on_site": None,
        "done": wita(2026, 3, 31, 10, 0),
    }


def test_start_on_non_working_day_counts_from_0800_next_working_day():
    # Saturday 10:00 + 1 -> start Monday 08:00 -> Tuesday 08:00.
    assert add_working_days(wita(2026, 7, 11, 10, 0), 1) == wita(2026, 7, 14, 8, 0)
    # Sunday evening, n=0: the start itself.
    assert add_working_days(wita(2026, 7, 12, 21, 0), 0) == wita(2026, 7, 13, 8, 0)
    # On a national holiday (Mon 17 Aug) -> start Tue 18 08:00 -> Wed 19 08:00.
    assert add_working_days(wita(2026, 8, 17, 15, 0), 1) == wita(2026, 8, 19, 8, 0)
    # On a cuti bersama day (Fri 15 May) -> start Mon 18 08:00.
    assert add_working_days(wita(2026, 5, 15, 9, 0), 1) == wita(2026, 5, 19, 8, 0)


def test_clock_time_is_kept_at_any_hour_of_a_working_day():
    assert add_working_days(wita(2026, 7, 8, 23, 0), 1) == wita(2026, 7, 9, 23, 0)
    assert add_working_days(wita(2026, 7, 8, 3, 15), 1) == wita(2026, 7, 9, 3, 15)
    assert add_working_days(wita(2026, 7, 8, 3, 15), 0) == wita(2026, 7, 8, 3, 15)


def test_input_in_utc_is_read_in_wita():
    # Fri 10 July 18:00 UTC is Sat 11 July 02:00 WITA: a non-working day.
    moment = dt.datetime(2026, 7, 10, 18, 0, tzinfo=dt.UTC)
    result = add_working_days(moment, 1)
    assert result == wita(2026, 7, 14, 8, 0)
    assert result.tzinfo == WITA
    # Fri 10 July 01:00 UTC is Fri 09:00 WITA.
    assert add_working_days(dt.datetime(2026, 7, 10, 1, 0, tzinfo=dt.UTC), 1) == wita(
        2026, 7, 13, 9, 0
    )


def test_naive_or_negative_is_refused():
    with pytest.raises(ValueError):
        add_working_days(dt.datetime(2026, 7, 10, 14, 0), 1)
    with pytest.raises(ValueError):
        add_working_days(wita(2026, 7, 10, 14, 0), -1)


def test_day_off_row_is_skipped_and_read_fresh():
    start = wita(2026, 7, 10, 14, 0)  # Friday
    assert add_working_days(start, 1) == wita(2026, 7, 13, 14, 0)
    day_off = DayOff.objects.create(date=dt.date(2026, 7, 13), name="Libur daerah")
    assert not is_working_day(dt.date(2026, 7, 13))
    assert holiday_name(dt.date(2026, 7, 13)) == "Libur daerah"
    assert add_working_days(start, 1) == wita(2026, 7, 14, 14, 0)
    # Starting on the day off -> 08:00 of the next working day.
    assert add_working_days(wita(2026, 7, 13, 10, 0), 1) == wita(2026, 7, 15, 8, 0)
    day_off.delete()
    assert is_working_day(dt.date(2026, 7, 13))
    assert add_working_days(start, 1) == wita(2026, 7, 13, 14, 0)


def test_day_off_read_with_one_query(django_assert_num_queries):
    DayOff.objects.create(date=dt.date(2026, 7, 14), name="Libur daerah")
    with django_assert_num_queries(1):
        assert add_working_days(wita(2026, 7, 10, 14, 0), 5) == wita(2026, 7, 20, 14, 0)


def test_day_off_on_national_holiday_names_both():
    DayOff.objects.create(date=dt.date(2026, 8, 17), name="Upacara")
    assert holiday_name(dt.date(2026, 8, 17)) == "Hari Kemerdekaan Republik Indonesia; Upacara"


# --- due times -----------------------------------------------------------------------------


def test_default_targets():
    due = due_times("normal", wita(2026, 7, 10, 14, 0))
    assert due == {
        "verify": wita(2026, 7, 13, 14, 0),
        "dispatch": wita(2026, 7, 15, 14, 0),
        "on_site": None,
        "done": wita(2026, 7, 17, 14, 0),
    }
    due = due_times("urgent", wita(2026, 7, 10, 14, 0))
    assert due == {
        "verify": wita(2026, 7, 10, 14, 15),
        "dispatch": None,
        "on_site": wita(2026, 7, 10, 15, 0),
        "done": None,
    }


def test_minutes_cross_midnight_and_ignore_holidays():
    due = due_times("urgent", wita(2026, 7, 8, 23, 50))
    assert due["verify"] == wita(2026, 7, 9, 0, 5)
    assert due["on_site"] == wita(2026, 7, 9, 0, 50)
    # Saturday night before Independence Day: minutes run on regardless.
    due = due_times("urgent", wita(2026, 8, 15, 23, 30))
    assert due["verify"] == wita(2026, 8, 15, 23, 45)
    assert due["on_site"] == wita(2026, 8, 16, 0, 30)
    # Given in UTC, answered in WITA.
    due = due_times("urgent", dt.datetime(2026, 7, 8, 15, 50, tzinfo=dt.UTC))
    assert due["verify"] == wita(2026, 7, 9, 0, 5)
    assert due["verify"].tzinfo == WITA


def test_due_times_reads_targets_and_day_offs_once(django_assert_num_queries):
    with django_assert_num_queries(2):
        due_times("normal", wita(2026, 7, 10, 14, 0))


def test_versioned_targets():
    change = wita(2026, 7, 1, 0, 0)
    SlaTarget.objects.create(
        priority="normal", stage="verify", amount=2, unit="working_days", effective_from=change
    )
    SlaTarget.objects.create(
        priority="urgent", stage="verify", amount=30, unit="minutes", effective_from=change
    )
    before = wita(2026, 6, 30, 10, 0)  # Tuesday
    after = wita(2026, 7, 2, 10, 0)  # Thursday
    assert targets_for("normal", before)["verify"].amount == 1
    assert targets_for("normal", change)["verify"].amount == 2  # effective_from is inclusive
    assert targets_for("normal", after)["dispatch"].amount == 3  # untouched stage stays
    assert due_times("normal", before)["verify"] == wita(2026, 7, 1, 10, 0)
    assert due_times("normal", after)["verify"] == wita(2026, 7, 6, 10, 0)
    assert due_times("urgent", before)["verify"] == wita(2026, 6, 30, 10, 15)
    assert due_times("urgent", after)["verify"] == wita(2026, 7, 2, 10, 30)


def test_target_changed_after_receipt_does_not_move_due_times():
    complaint = Complaint(priority="normal", received_at=wita(2026, 7, 10, 14, 0))
    changed = set_due_times(complaint)
    assert changed == [
        "due_verify_at",
        "due_dispatch_at",
        "due_done_at",
        "due_at",
    ]
    assert complaint.due_at == wita(2026, 7, 13, 14, 0)
    # A new version effective after this complaint was received.
    SlaTarget.objects.create(
        priority="normal",
        stage="verify",
        amount=4,
        unit="working_days",
        effective_from=wita(2026, 7, 11, 9, 0),
    )
    assert set_due_times(complaint) == []
    assert complaint.due_verify_at == wita(2026, 7, 13, 14, 0)
    # A complaint received after the change gets the new target.
    later = Complaint(priority="normal", received_at=wita(2026, 7, 13, 9, 0))
    set_due_times(later)
    assert later.due_verify_at == wita(2026, 7, 17, 9, 0)
    assert later.due_done_at == wita(2026, 7, 20, 9, 0)


def test_set_due_times_on_saved_complaint():
    complaint = Complaint.objects.create(
        code="TEST-0001",
        category=Category.objects.first(),
        description="Uji",
        priority="normal",
        received_at=wita(2026, 5, 26, 9, 30),
    )
    complaint.save(update_fields=set_due_times(complaint))
    complaint.refresh_from_db()
    assert complaint.due_verify_at == wita(2026, 5, 29, 9, 30)
    assert complaint.due_dispatch_at == wita(2026, 6, 3, 9, 30)  # skips Mon 1 June
    assert complaint.due_on_site_at is None
    assert complaint.due_done_at == wita(2026, 6, 5, 9, 30)
    assert complaint.due_at == complaint.due_verify_at
    # Priority raised by the admin: recomputed with the targets in force at receipt.
    complaint.priority = "urgent"
    changed = set_due_times(complaint)
    assert set(changed) == {
        "due_verify_at",
        "due_dispatch_at",
        "due_on_site_at",
        "due_done_at",
        "due_at",
    }
    complaint.save(update_fields=[*changed, "priority"])
    complaint.refresh_from_db()
    assert complaint.due_at == wita(2026, 5, 26, 9, 45)
    assert complaint.due_dispatch_at is None


# --- current due ---------------------------------------------------------------------------

RECEIVED = wita(2026, 7, 10, 14, 0)
NORMAL = {
    "verify": wita(2026, 7, 13, 14, 0),
    "dispatch": wita(2026, 7, 15, 14, 0),
    "done": wita(2026, 7, 17, 14, 0),
}
URGENT = {"verify": wita(2026, 7, 10, 14, 15), "on_site": wita(2026, 7, 10, 15, 0)}

CASES = [
    # priority, status, status_before_info, expected (stage, due) or None
    ("normal", Status.RECEIVED, "", ("verify", NORMAL["verify"])),
    ("normal", Status.NEEDS_INFO, Status.RECEIVED, ("verify", NORMAL["verify"])),
    ("normal", Status.NEEDS_INFO, "", ("verify", NORMAL["verify"])),
    ("normal", Status.NEEDS_INFO, Status.VERIFIED, ("dispatch", NORMAL["dispatch"])),
    ("normal", Status.VERIFIED, "", ("dispatch", NORMAL["dispatch"])),
    ("normal", Status.DISPATCHED, "", ("done", NORMAL["done"])),  # no on_site target
    ("normal", Status.ACCEPTED, "", ("done", NORMAL["done"])),
    ("normal", Status.ON_SITE, "", ("done", NORMAL["done"])),
    ("urgent", Status.RECEIVED, "", ("verify", URGENT["verify"])),
    ("urgent", Status.NEEDS_INFO, Status.RECEIVED, ("verify", URGENT["verify"])),
    ("urgent", Status.NEEDS_INFO, Status.VERIFIED, ("on_site", URGENT["on_site"])),
    ("urgent", Status.VERIFIED, "", ("on_site", URGENT["on_site"])),  # no dispatch target
    ("urgent", Status.DISPATCHED, "", ("on_site", URGENT["on_site"])),
    ("urgent", Status.ACCEPTED, "", ("on_site", URGENT["on_site"])),
    ("urgent", Status.ON_SITE, "", None),  # no done target, nothing later
] + [
    (priority, status, "", None)
    for priority in ("normal", "urgent")
    for status in (
        Status.DONE,
        Status.CLOSED,
        Status.REJECTED,
        Status.REFERRED,
        Status.DUPLICATE,
    )
]


@pytest.mark.parametrize(("priority", "status", "before", "expected"), CASES)
def test_current_due(priority, status, before, expected):
    complaint = Complaint(priority=priority, received_at=RECEIVED)
    set_due_times(complaint)
    complaint.status = status
    complaint.status_before_info = before
    assert current_due(complaint) == expected
    refresh_due_at(complaint)
    assert complaint.due_at == (expected[1] if expected else None)


def test_every_status_is_covered():
    covered = {(priority, status) for priority, status, _, _ in CASES}
    assert covered == {(p, s) for p in ("normal", "urgent") for s in Status}


def test_set_due_times_sets_due_at_for_current_status():
    complaint = Complaint(priority="urgent", received_at=RECEIVED, status=Status.VERIFIED)
    assert "due_at" in set_due_times(complaint)
    assert complaint.due_at == URGENT["on_site"]


def test_is_overdue():
    complaint = Complaint(priority="urgent", received_at=RECEIVED)
    set_due_times(complaint)
    assert not is_overdue(complaint, now=wita(2026, 7, 10, 14, 15))  # exactly at the limit
    assert is_overdue(complaint, now=wita(2026, 7, 10, 14, 16))
    complaint.status = Status.DISPATCHED
    assert not is_overdue(complaint, now=wita(2026, 7, 10, 14, 59))
    assert is_overdue(complaint, now=wita(2026, 7, 10, 15, 1))
    complaint.status = Status.ON_SITE
    assert not is_overdue(complaint, now=wita(2030, 1, 1, 0, 0))
    # Without `now` the real clock is used.
    complaint.status = Status.RECEIVED
    assert is_overdue(complaint) == (timezone.now() > URGENT["verify"])


# --- admin ---------------------------------------------------------------------------------


def test_admin_sla_target_versions(admin_client):
    current = SlaTarget.objects.get(priority="normal", stage="verify")
    page = admin_client.get("/admin/sla/slatarget/").content.decode()
    assert "berlaku" in page
    assert "Buat versi baru" in page
    # A version in force opens read-only and cannot be changed or deleted.
    assert admin_client.get(f"/admin/sla/slatarget/{current.pk}/change/").status_code == 200
    response = admin_client.post(
        f"/admin/sla/slatarget/{current.pk}/change/",
        {"priority": "normal", "stage": "verify", "amount": 9, "unit": "working_days"},
    )
    assert response.status_code == 403
    assert admin_client.get(f"/admin/sla/slatarget/{current.pk}/delete/").status_code == 403
    current.refresh_from_db()
    assert current.amount == 1
    # The add form is prefilled from the "new version" link.
    add = "/admin/sla/slatarget/add/?priority=normal&stage=verify&amount=1&unit=working_days"
    assert 'value="working_days" selected' in admin_client.get(add).content.decode()


def test_admin_new_version_must_not_be_backdated(admin_client):
    def post(when):
        local = when.astimezone(WITA)
        return admin_client.post(
            "/admin/sla/slatarget/add/",
            {
                "priority": "normal",
                "stage": "verify",
                "amount": 2,
                "unit": "working_days",
                "effective_from_0": local.strftime("%Y-%m-%d"),
                "effective_from_1": local.strftime("%H:%M:%S"),
            },
        )

    response = post(timezone.now() - dt.timedelta(days=2))
    assert "tidak boleh di masa lalu" in response.content.decode()
    assert SlaTarget.objects.filter(priority="normal", stage="verify").count() == 1
    response = post(timezone.now() + dt.timedelta(days=2))
    assert response.status_code == 302
    scheduled = SlaTarget.objects.get(priority="normal", stage="verify", amount=2)
    # Not yet in force: still editable and deletable.
    assert admin_client.get(f"/admin/sla/slatarget/{scheduled.pk}/delete/").status_code == 200
    assert "terjadwal" in admin_client.get("/admin/sla/slatarget/").content.decode()


def test_admin_day_off(admin_client):
    DayOff.objects.create(date=dt.date(2026, 8, 17), name="Upacara")
    page = admin_client.get("/admin/sla/dayoff/").content.decode()
    assert "Senin" in page
    assert "Hari Kemerdekaan Republik Indonesia" in page
    assert admin_client.get("/admin/sla/dayoff/add/").status_code == 200
