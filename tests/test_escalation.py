"""Warnings about late complaints: to whom, when, and only once however often the job runs."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from lalisa.accounts.models import Role
from lalisa.complaints import workflow
from lalisa.complaints.models import Complaint, Dispatch, Priority
from lalisa.escalation import rules, tasks
from lalisa.escalation.models import Escalation
from lalisa.notifications.models import Notification
from lalisa.worker import scheduler
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

KINDS = (
    rules.VERIFY_LATE,
    rules.DISPATCH_LATE,
    rules.DONE_LATE,
    rules.ACCEPT_REMINDER,
    rules.NOT_ACCEPTED,
)


def sent(kind=None):
    """(kind, complaint code, username) of every escalation notification, sorted."""
    rows = Notification.objects.filter(kind__in=[kind] if kind else KINDS)
    return sorted(rows.values_list("kind", "complaint__code", "to_user__username"))


def past(complaint, **fields):
    """Set due times (given as minutes from now) on the complaint."""
    now = timezone.now()
    values = {f: now + timedelta(minutes=m) for f, m in fields.items()}
    Complaint.objects.filter(pk=complaint.pk).update(**values)


@pytest.fixture
def kabids(kabid):
    second = make_user("gilang", Role.KABID, whatsapp="081200000009")
    gone = make_user("hadi", Role.KABID)
    gone.is_active = False
    gone.save()
    return [kabid, second]


@pytest.fixture
def everyone(admin, kabids, trc, trc_b, pimpinan, superadmin):
    return True


def verified(file, admin, **kwargs):
    return workflow.verify(file(**kwargs), actor=admin)


def dispatched(file, admin, kabid, team, **kwargs):
    return workflow.dispatch(verified(file, admin, **kwargs), actor=kabid, team=team)


def test_the_job_runs_every_five_minutes():
    scheduler.autodiscover()
    job = scheduler.registry["escalation.escalate"]
    assert job.every == timedelta(minutes=5)
    assert job.task is tasks.escalate


def test_nothing_for_complaints_on_time(file, admin, kabids, team_a, everyone):
    file()
    verified(file, admin)
    dispatched(file, admin, kabids[0], team_a)
    assert rules.escalate() == []
    assert tasks.escalate.call() == []
    assert not Escalation.objects.exists() and sent() == []


def test_late_verification_warns_every_active_kabid_once(file, admin, kabids, everyone):
    complaint = file()
    on_time = file()
    past(complaint, due_verify_at=-1)
    past(on_time, due_verify_at=+1)
    assert rules.escalate() == [f"{complaint.code} escalation_verify_late"]
    assert rules.escalate() == []  # the job again: nothing new
    tasks.escalate.call()
    expected = [(rules.VERIFY_LATE, complaint.code, k.username) for k in kabids]
    assert sent() == sorted(expected)
    note = Notification.objects.get(kind=rules.VERIFY_LATE, to_user=kabids[0])
    assert complaint.code in note.text and "belum diverifikasi" in note.text
    assert note.complaint_id == complaint.pk
    [row] = Escalation.objects.all()
    assert (row.complaint_id, row.kind, row.dispatch, row.recipients) == (
        complaint.pk,
        rules.VERIFY_LATE,
        None,
        2,
    )


def test_waiting_for_the_citizen_before_verification_still_counts(file, admin, kabids):
    complaint = workflow.request_info(file(), actor=admin, question="Di mana tepatnya?")
    past(complaint, due_verify_at=-5)
    rules.escalate()
    assert [k for k, _, _ in sent()] == [rules.VERIFY_LATE] * 2


def test_late_dispatch_warns_the_kabid_once(file, admin, kabids, everyone):
    complaint = verified(file, admin)
    past(complaint, due_verify_at=-60, due_dispatch_at=-1)
    rules.escalate()
    rules.escalate()
    # Verified already: no verification warning, however late it was.
    assert sent() == sorted((rules.DISPATCH_LATE, complaint.code, k.username) for k in kabids)
    assert "belum ditugaskan" in Notification.objects.filter(kind=rules.DISPATCH_LATE)[0].text


def test_each_stage_is_warned_once(file, admin, kabids):
    complaint = file()
    past(complaint, due_verify_at=-10)
    rules.escalate()
    workflow.verify(complaint, actor=admin)
    past(complaint, due_dispatch_at=-1)
    rules.escalate()
    rules.escalate()
    kinds = [k for k, _, user in sent() if user == kabids[0].username]
    assert kinds == [rules.DISPATCH_LATE, rules.VERIFY_LATE]


def test_late_handling_warns_the_leadership_once(file, admin, kabids, team_a, pimpinan, trc):
    complaint = dispatched(file, admin, kabids[0], team_a)
    other = make_user("ina", Role.PIMPINAN, whatsapp="081200000010")
    workflow.accept(complaint, actor=trc)
    past(complaint, due_done_at=-1)
    assert rules.escalate() == [f"{complaint.code} escalation_done_late"]
    rules.escalate()
    assert sent() == [
        (rules.DONE_LATE, complaint.code, "eka"),
        (rules.DONE_LATE, complaint.code, "ina"),
    ]
    text = Notification.objects.get(to_user=other, kind=rules.DONE_LATE).text
    assert "TRC Paringin" in text and "Menuju lokasi" in text
    # The pimpinan without a WhatsApp number keeps it in the app all the same.
    assert Notification.objects.filter(to_user=pimpinan, kind=rules.DONE_LATE).exists()


def test_urgent_is_late_when_the_team_is_not_on_site_in_time(
    file, admin, kabid, team_a, pimpinan, trc
):
    late = dispatched(file, admin, kabid, team_a, priority=Priority.URGENT)
    in_time = dispatched(file, admin, kabid, team_a, priority=Priority.URGENT)
    workflow.accept(in_time, actor=trc)
    workflow.arrive(in_time, actor=trc)
    for c in (late, in_time):
        past(c, due_on_site_at=-1, due_done_at=+600)
    Complaint.objects.filter(pk=in_time.pk).update(on_site_at=timezone.now() - timedelta(hours=1))
    rules.escalate()
    assert sent(rules.DONE_LATE) == [(rules.DONE_LATE, late.code, "eka")]


def test_unaccepted_dispatch_reminds_the_team_then_tells_the_kabid(
    file, admin, kabids, team_a, trc, trc_b, everyone
):
    complaint = dispatched(file, admin, kabids[0], team_a)
    mate = make_user("joko", Role.TRC, team=team_a, whatsapp="081200000011")
    now = timezone.now()
    assert rules.escalate(now + timedelta(minutes=119)) == []
    assert rules.escalate(now + timedelta(minutes=121)) == [
        f"{complaint.code} trc_accept_reminder"
    ]
    rules.escalate(now + timedelta(minutes=125))
    assert sent() == [
        (rules.ACCEPT_REMINDER, complaint.code, trc.username),
        (rules.ACCEPT_REMINDER, complaint.code, mate.username),
    ]
    text = Notification.objects.filter(kind=rules.ACCEPT_REMINDER)[0].text
    assert "belum dikonfirmasi" in text and "Paringin" in text

    assert rules.escalate(now + timedelta(minutes=239)) == []
    rules.escalate(now + timedelta(minutes=241))
    rules.escalate(now + timedelta(minutes=300))
    assert sent(rules.NOT_ACCEPTED) == sorted(
        (rules.NOT_ACCEPTED, complaint.code, k.username) for k in kabids
    )
    assert len(sent(rules.ACCEPT_REMINDER)) == 2


def test_urgent_dispatch_waits_30_minutes(file, admin, kabid, team_a, trc):
    complaint = dispatched(file, admin, kabid, team_a, priority=Priority.URGENT)
    # Due times of its own do not matter here.
    past(complaint, due_on_site_at=+600)
    now = timezone.now()
    assert rules.escalate(now + timedelta(minutes=29)) == []
    assert rules.escalate(now + timedelta(minutes=31)) == [f"{complaint.code} trc_accept_reminder"]
    assert rules.escalate(now + timedelta(minutes=61)) == [
        f"{complaint.code} escalation_not_accepted"
    ]


def test_accepted_dispatch_is_left_alone(file, admin, kabid, team_a, trc):
    complaint = dispatched(file, admin, kabid, team_a)
    workflow.accept(complaint, actor=trc)
    assert rules.escalate(timezone.now() + timedelta(hours=5)) == []


def test_another_team_gets_its_own_reminder(file, admin, kabid, team_a, team_b, trc, trc_b):
    complaint = dispatched(file, admin, kabid, team_a)
    now = timezone.now()
    rules.escalate(now + timedelta(minutes=121))
    workflow.dispatch(complaint, actor=kabid, team=team_b)
    # Team B was sent at minute 125 of this test's clock.
    Dispatch.objects.filter(team=team_b).update(dispatched_at=now + timedelta(minutes=125))
    rules.escalate(now + timedelta(minutes=130))  # team B has waited minutes only
    assert [u for _, _, u in sent(rules.ACCEPT_REMINDER)] == [trc.username]
    rules.escalate(now + timedelta(minutes=250))
    reminded = sorted(u for _, _, u in sent(rules.ACCEPT_REMINDER))
    assert reminded == [trc.username, trc_b.username]
    # Team A's replaced dispatch never reaches the Kabid.
    assert sent(rules.NOT_ACCEPTED) == []
    assert Escalation.objects.filter(kind=rules.ACCEPT_REMINDER).count() == 2


def test_a_warning_another_worker_sent_is_not_sent_again(file, admin, kabids):
    complaint = file()
    past(complaint, due_verify_at=-1)
    # Another worker wrote its row between our query and our insert.
    Escalation.objects.create(complaint=complaint, kind=rules.VERIFY_LATE)
    rule = next(r for r in rules.RULES if r.kind == rules.VERIFY_LATE)
    assert rules._send(rule, complaint.pk, timezone.now()) is False
    assert sent() == []
    with pytest.raises(IntegrityError), transaction.atomic():
        Escalation.objects.create(complaint=complaint, kind=rules.VERIFY_LATE)


def test_dispatch_escalations_are_unique_per_dispatch(file, admin, kabid, team_a):
    complaint = dispatched(file, admin, kabid, team_a)
    dispatch = complaint.active_dispatch
    Escalation.objects.create(complaint=complaint, kind=rules.ACCEPT_REMINDER, dispatch=dispatch)
    with pytest.raises(IntegrityError), transaction.atomic():
        Escalation.objects.create(
            complaint=complaint, kind=rules.ACCEPT_REMINDER, dispatch=dispatch
        )


def test_a_warning_is_shown_in_the_app_to_whom_it_went(client, file, admin, kabids):
    complaint = file()
    past(complaint, due_verify_at=-1)
    rules.escalate()
    client.force_login(kabids[0])
    html = client.get("/").content.decode()
    assert "Pemberitahuan untuk Anda" in html and "belum diverifikasi" in html
    assert f'href="/aduan/{complaint.code}/"' in html
    client.force_login(admin)  # not told: nothing shown
    assert "belum diverifikasi" not in client.get("/").content.decode()
