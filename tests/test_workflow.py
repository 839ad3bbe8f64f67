"""The flow table, step by step: who may take each step in each state, and what a refused
step leaves behind (nothing). The expected matrix is written out from DESIGN.md by hand,
not read from lalisa.complaints.flow, so that the code is checked against the design."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from lalisa.complaints import workflow
from lalisa.complaints.errors import InvalidStep, RoleRefused, StepRefused, TransitionRefused
from lalisa.complaints.models import Complaint, Dispatch, Event, Media, Rating, Status, Supporter
from lalisa.notifications.models import Notification

S = Status
ACTORS = ["admin", "kabid", "trc", "trc_b", "pimpinan", "superadmin", "citizen", "other", "system"]

# DESIGN.md's flow table: (step, state) -> who may take it. Anything not listed is refused.
ALLOWED = {
    ("verify", S.RECEIVED): {"admin"},
    ("request_info", S.RECEIVED): {"admin"},
    ("request_info", S.VERIFIED): {"admin", "kabid"},
    ("answer_info", S.NEEDS_INFO): {"citizen"},
    ("reject", S.RECEIVED): {"admin"},
    ("reject", S.NEEDS_INFO): {"admin"},
    ("refer", S.RECEIVED): {"admin"},
    ("refer", S.VERIFIED): {"admin", "kabid"},
    ("mark_duplicate", S.RECEIVED): {"admin"},
    ("dispatch", S.VERIFIED): {"kabid"},
    ("dispatch", S.DISPATCHED): {"kabid"},
    ("dispatch", S.ACCEPTED): {"kabid"},
    ("decline", S.VERIFIED): {"kabid"},
    ("accept", S.DISPATCHED): {"trc"},
    ("arrive", S.ACCEPTED): {"trc"},
    ("complete", S.ON_SITE): {"trc"},
    ("rate", S.DONE): {"citizen"},
    ("rate", S.CLOSED): {"citizen"},
    ("close", S.DONE): {"admin", "kabid"},
    ("auto_close", S.DONE): {"system"},
    ("correct", S.RECEIVED): {"admin"},
    ("correct", S.NEEDS_INFO): {"admin"},
    ("correct", S.VERIFIED): {"admin"},
    ("correct", S.DISPATCHED): {"admin"},
    ("correct", S.ACCEPTED): {"admin"},
    ("correct", S.ON_SITE): {"admin"},
    ("support", S.RECEIVED): {"other"},
    ("support", S.NEEDS_INFO): {"other"},
    ("support", S.VERIFIED): {"other"},
    ("support", S.DISPATCHED): {"other"},
    ("support", S.ACCEPTED): {"other"},
    ("support", S.ON_SITE): {"other"},
}
# Refused for what the actor is to this complaint, not for role or state: the reporter
# cannot join their own complaint (400) where other citizens may.
INVALID_FOR = {("support", "citizen")}
# Where an allowed step leads.
TARGET = {
    "verify": S.VERIFIED,
    "request_info": S.NEEDS_INFO,
    "reject": S.REJECTED,
    "refer": S.REFERRED,
    "mark_duplicate": S.DUPLICATE,
    "dispatch": S.DISPATCHED,
    "decline": S.REJECTED,
    "accept": S.ACCEPTED,
    "arrive": S.ON_SITE,
    "complete": S.DONE,
    "close": S.CLOSED,
    "auto_close": S.CLOSED,
}
STEPS = sorted({step for step, _ in ALLOWED})


@pytest.fixture
def people(admin, kabid, trc, trc_b, pimpinan, superadmin, citizen, other_citizen):
    return {
        "admin": admin,
        "kabid": kabid,
        "trc": trc,
        "trc_b": trc_b,
        "pimpinan": pimpinan,
        "superadmin": superadmin,
        "citizen": citizen,
        "other": other_citizen,
        "system": workflow.SYSTEM,
    }


@pytest.fixture
def drive(file, people, team_a):
    """A fresh complaint brought to `state` through the workflow itself."""

    def _drive(state):
        p = people
        c = file()
        if state == S.RECEIVED:
            return c
        if state == S.NEEDS_INFO:
            return workflow.request_info(c, actor=p["admin"], question="Di sebelah mana?")
        if state == S.REJECTED:
            return workflow.reject(c, actor=p["admin"], reason="Bukan kewenangan")
        if state == S.REFERRED:
            return workflow.refer(c, actor=p["admin"], agency="Polres Balangan")
        if state == S.DUPLICATE:
            return workflow.mark_duplicate(c, actor=p["admin"], of=file())
        c = workflow.verify(c, actor=p["admin"])
        if state == S.VERIFIED:
            return c
        c = workflow.dispatch(c, actor=p["kabid"], team=team_a)
        if state == S.DISPATCHED:
            return c
        c = workflow.accept(c, actor=p["trc"])
        if state == S.ACCEPTED:
            return c
        c = workflow.arrive(c, actor=p["trc"])
        if state == S.ON_SITE:
            return c
        c = workflow.complete(
            c, actor=p["trc"], note="Pedagang diberi teguran", outcome="teguran_lisan"
        )
        if state == S.DONE:
            return c
        assert state == S.CLOSED
        return workflow.close(c, actor=p["kabid"])

    return _drive


def take(step, complaint, actor, *, team_a, team_b, other):
    """Take a step with arguments that would be valid if the actor and state allow it."""
    kw = {"actor": actor}
    if step == "auto_close":
        Complaint.objects.filter(pk=complaint.pk).update(
            done_at=timezone.now() - timedelta(hours=73)
        )
        return workflow.auto_close(complaint, actor=actor)
    extra = {
        "request_info": {"question": "Mohon kirim foto lokasi"},
        "answer_info": {"answer": "Di depan toko emas"},
        "reject": {"reason": "Laporan tidak jelas"},
        "decline": {"reason": "Sudah ditangani kecamatan"},
        "refer": {"agency": "SP4N-LAPOR!"},
        "mark_duplicate": {"of": other},
        "dispatch": {"team": team_b if complaint.dispatches.exists() else team_a},
        "complete": {"note": "Selesai", "outcome": "pembinaan"},
        "rate": {"score": 4},
        "correct": {"priority": "urgent", "reason": "Ada senjata tajam"},
        "support": {"note": "Saya juga melihatnya"},
    }.get(step, {})
    return getattr(workflow, step)(complaint, **kw, **extra)


def snapshot(complaint):
    row = Complaint.objects.get(pk=complaint.pk)
    return (
        row.status,
        row.updated_at,
        row.priority,
        Event.objects.count(),
        Notification.objects.count(),
        DBTaskResult.objects.count(),
        Dispatch.objects.count(),
        Rating.objects.count(),
        Supporter.objects.count(),
    )


ALL_STATES = [
    S.RECEIVED,
    S.NEEDS_INFO,
    S.VERIFIED,
    S.DISPATCHED,
    S.ACCEPTED,
    S.ON_SITE,
    S.DONE,
    S.CLOSED,
    S.REJECTED,
    S.REFERRED,
    S.DUPLICATE,
]


@pytest.mark.parametrize("state", ALL_STATES)
@pytest.mark.parametrize("step", STEPS)
def test_step_matrix(step, state, drive, people, team_a, team_b, file):
    allowed = ALLOWED.get((step, state), set())
    complaint = drive(state)
    other = file()
    for name in ACTORS:
        if name in allowed:
            continue
        before = snapshot(complaint)
        with pytest.raises(StepRefused) as refused:
            take(step, complaint, people[name], team_a=team_a, team_b=team_b, other=other)
        if allowed and (step, name) in INVALID_FOR:
            assert isinstance(refused.value, InvalidStep), (name, str(refused.value))
        else:
            assert not isinstance(refused.value, InvalidStep), (name, str(refused.value))
        assert refused.value.step == step and refused.value.state == state
        assert S(state).label in str(refused.value)
        assert snapshot(complaint) == before, f"{name} changed something"
    for name in sorted(allowed):
        fresh = drive(state)
        events = fresh.events.count()
        done = take(step, fresh, people[name], team_a=team_a, team_b=team_b, other=other)
        done.refresh_from_db()
        expected = TARGET.get(step, state)
        if step == "answer_info":
            expected = S.RECEIVED
        if step == "rate":
            expected = S.CLOSED
        assert done.status == expected, (step, state, name)
        last = done.events.order_by("-id").first()
        assert done.events.count() == events + 1
        assert last.kind == step
        assert last.from_status == state and last.to_status == expected


def test_refusals_say_403_for_role_and_409_for_state(drive, people):
    received = drive(S.RECEIVED)
    with pytest.raises(RoleRefused) as wrong_role:
        workflow.verify(received, actor=people["pimpinan"])
    assert wrong_role.value.http_status == 403
    assert "verifikasi" in str(wrong_role.value) and "Diterima" in str(wrong_role.value)
    verified = drive(S.VERIFIED)
    with pytest.raises(TransitionRefused) as wrong_state:
        workflow.verify(verified, actor=people["admin"])
    assert wrong_state.value.http_status == 409
    assert "Diverifikasi" in str(wrong_state.value)
    # Kabid may ask for information on a verified complaint, not on a received one.
    with pytest.raises(RoleRefused):
        workflow.request_info(received, actor=people["kabid"], question="Kapan?")
    dispatched = drive(S.DISPATCHED)
    with pytest.raises(RoleRefused) as other_team:
        workflow.accept(dispatched, actor=people["trc_b"])
    assert "tim yang ditugaskan" in str(other_team.value)


def test_needs_info_returns_where_it_came_from(drive, people, citizen):
    verified = drive(S.VERIFIED)
    asked = workflow.request_info(verified, actor=people["kabid"], question="Jam berapa?")
    assert asked.status == S.NEEDS_INFO and asked.status_before_info == S.VERIFIED
    answered = workflow.answer_info(asked, actor=citizen, answer="Sekitar jam 9 malam")
    assert answered.status == S.VERIFIED
    assert answered.events.last().reason == "Sekitar jam 9 malam"


def test_only_the_reporter_answers(drive, other_citizen):
    asked = drive(S.NEEDS_INFO)
    with pytest.raises(RoleRefused):
        workflow.answer_info(asked, actor=other_citizen, answer="Bukan saya")
    assert Complaint.objects.get(pk=asked.pk).status == S.NEEDS_INFO


def test_missing_input_is_refused_without_change(drive, people):
    c = drive(S.RECEIVED)
    before = snapshot(c)
    with pytest.raises(InvalidStep) as empty:
        workflow.reject(c, actor=people["admin"], reason="  ")
    assert "Alasan penolakan wajib diisi" in str(empty.value)
    on_site = drive(S.ON_SITE)
    with pytest.raises(InvalidStep):
        workflow.complete(on_site, actor=people["trc"], note="ok", outcome="tidak-ada")
    with pytest.raises(InvalidStep):
        workflow.complete(on_site, actor=people["trc"], note="", outcome="pembinaan")
    assert snapshot(c)[0] == before[0]
    assert Complaint.objects.get(pk=on_site.pk).status == S.ON_SITE


def test_every_step_tells_the_citizen(drive, people, citizen, team_a):
    c = drive(S.DONE)
    kinds = list(
        Notification.objects.filter(complaint=c, to_reporter=citizen).values_list(
            "kind", flat=True
        )
    )
    assert kinds == [
        "complaint_received",
        "complaint_verified",
        "complaint_dispatched",
        "complaint_team_on_way",
        "complaint_team_on_site",
        "complaint_done",
    ]
    # Each notification's delivery is a queued task in the same database.
    queued = DBTaskResult.objects.filter(task_path__endswith="deliver_notification")
    ids = {r.args_kwargs["args"][0] for r in queued}
    assert set(Notification.objects.filter(complaint=c).values_list("pk", flat=True)) <= ids
    done_text = Notification.objects.get(complaint=c, kind="complaint_done").text
    assert "Pedagang diberi teguran" in done_text and c.code in done_text
    # The team members get the dispatch, with the pin.
    trc_msg = Notification.objects.get(complaint=c, kind="trc_dispatch", to_user=people["trc"])
    assert "maps.google.com/?q=-2.332100,115.465400" in trc_msg.text


def test_a_failing_notification_rolls_the_step_back(drive, people, monkeypatch):
    c = drive(S.RECEIVED)
    before = snapshot(c)

    def broken(*args, **kwargs):
        raise RuntimeError("queue down")

    monkeypatch.setattr("lalisa.notifications.notify.queue", broken)
    with pytest.raises(RuntimeError):
        workflow.verify(c, actor=people["admin"])
    assert snapshot(c) == before


def test_redispatch_moves_the_job_to_another_team(drive, people, team_a, team_b):
    c = drive(S.ACCEPTED)
    c = workflow.dispatch(c, actor=people["kabid"], team=team_b, reason="Tim A ke lokasi lain")
    assert c.status == S.DISPATCHED and c.accepted_at is None
    old, new = Dispatch.objects.filter(complaint=c).order_by("id")
    assert old.team == team_a and old.replaced_at is not None
    assert new.team == team_b and new.replaced_at is None
    with pytest.raises(RoleRefused):
        workflow.accept(c, actor=people["trc"])
    c = workflow.accept(c, actor=people["trc_b"])
    assert c.status == S.ACCEPTED
    assert Notification.objects.filter(
        complaint=c, kind="trc_dispatch_cancelled", to_user=people["trc"]
    ).exists()
    with pytest.raises(InvalidStep):
        workflow.dispatch(c, actor=people["kabid"], team=team_b)


def test_complete_attaches_the_teams_photos(drive, people):
    c = drive(S.ON_SITE)
    photo = Media.objects.create(complaint=c, kind=Media.Kind.IMAGE, mime_type="image/jpeg")
    c = workflow.complete(
        c, actor=people["trc"], note="Lapak dibongkar", outcome="penertiban", photos=[photo.pk]
    )
    photo.refresh_from_db()
    assert photo.dispatch == c.active_dispatch
    assert c.outcome.code == "penertiban"
    assert c.active_dispatch.report_text == "Lapak dibongkar"


def test_duplicate_reporter_follows_the_original(file, people, citizen, other_citizen, team_a):
    original = file(actor=other_citizen)
    copy = file()
    workflow.mark_duplicate(copy, actor=people["admin"], of=original)
    assert Supporter.objects.filter(complaint=original, reporter=citizen).exists()
    assert original.events.filter(kind="merged").exists()
    original = workflow.verify(original, actor=people["admin"])
    assert Notification.objects.filter(
        complaint=original, kind="complaint_verified", to_reporter=citizen
    ).exists()
    # A duplicate of a duplicate points at the first one.
    third = file()
    third = workflow.mark_duplicate(third, actor=people["admin"], of=copy)
    assert third.duplicate_of_id == original.pk
    itself = file()
    with pytest.raises(InvalidStep):
        workflow.mark_duplicate(itself, actor=people["admin"], of=itself)


def test_supporter_rating_does_not_close(drive, people, file, other_citizen):
    c = drive(S.DONE)
    Supporter.objects.create(complaint=c, reporter=other_citizen)
    c = workflow.rate(c, actor=other_citizen, score=3, comment="Agak lama")
    assert c.status == S.DONE
    c = workflow.rate(c, actor=people["citizen"], score=5)
    assert c.status == S.CLOSED and c.closed_at is not None
    with pytest.raises(InvalidStep):
        workflow.rate(c, actor=people["citizen"], score=5)


def test_rating_must_be_one_to_five(drive, citizen):
    c = drive(S.DONE)
    for bad in (0, 6, "5"):
        with pytest.raises(InvalidStep):
            workflow.rate(c, actor=citizen, score=bad)
    assert Complaint.objects.get(pk=c.pk).status == S.DONE


def test_unrated_complaints_close_after_72_hours(drive):
    c = drive(S.DONE)
    now = timezone.now()
    Complaint.objects.filter(pk=c.pk).update(done_at=now - timedelta(hours=71))
    assert workflow.close_unrated(now) == []
    Complaint.objects.filter(pk=c.pk).update(done_at=now - timedelta(hours=72, minutes=1))
    assert workflow.close_unrated(now) == [c.code]
    c.refresh_from_db()
    event = c.events.last()
    assert c.status == S.CLOSED and event.kind == "auto_close" and event.actor_kind == "system"


def test_correct_priority_retimes_the_sla(drive, people):
    c = drive(S.RECEIVED)
    assert c.priority == "normal"
    normal_due = c.due_at
    c = workflow.correct(c, actor=people["admin"], priority="urgent", reason="Ada senjata")
    assert c.due_verify_at == c.received_at + timedelta(minutes=15)
    assert c.due_at == c.due_verify_at != normal_due
    event = c.events.last()
    assert event.kind == "correct" and event.data["changes"]["priority"] == ["normal", "urgent"]
    with pytest.raises(InvalidStep):
        workflow.correct(c, actor=people["admin"], status="closed")


def test_walk_in_filed_by_admin(admin, category):
    from lalisa.complaints.models import Reporter

    person = Reporter.objects.create(name="Pak Rahmat", phone="0813 5000 1234")
    c = workflow.file_complaint(
        actor=admin,
        category=category,
        description="Warung menjual miras di dekat sekolah",
        source="walk_in",
        reporter=person,
    )
    assert c.source == "walk_in" and c.filed_by == admin and c.reporter.phone == "+6281350001234"
    assert Notification.objects.filter(complaint=c, to_reporter=person).count() == 1
    with pytest.raises(InvalidStep):
        workflow.file_complaint(actor=admin, category=category, description="x", source="whatsapp")


def test_ticket_codes_number_per_month_in_wita(file):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    wita = ZoneInfo("Asia/Makassar")
    # 31 Oct 23:30 WITA is still October; 1 Nov 00:10 WITA is November (16:10 UTC on 31 Oct).
    a = file(received_at=datetime(2026, 10, 31, 23, 30, tzinfo=wita))
    b = file(received_at=datetime(2026, 11, 1, 0, 10, tzinfo=wita))
    c = file(received_at=datetime(2026, 10, 31, 8, 0, tzinfo=wita))
    assert b.received_at.astimezone(ZoneInfo("UTC")).day == 31
    assert (a.code, b.code, c.code) == ("LL-2610-0001", "LL-2611-0001", "LL-2610-0002")


def test_a_complaint_cannot_be_received_in_the_future(file):
    with pytest.raises(InvalidStep) as future:
        file(received_at=timezone.now() + timedelta(days=40))
    assert "masa depan" in str(future.value)
    assert not Complaint.objects.exists()
