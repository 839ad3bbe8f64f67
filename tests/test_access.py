"""Who sees which complaints, whose identity, and who may take which step (lalisa.access)."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import Http404

from lalisa import access
from lalisa.accounts.models import Role, User
from lalisa.complaints import workflow
from lalisa.complaints.errors import StepRefused
from lalisa.complaints.models import Complaint, Reporter, Source
from tests.conftest import make_user

SITI_PHONE = "+6281311112222"

# Personas are often fetched by name (getfixturevalue): mark the database up front so these
# run with the other database tests, before transactional ones flush the reference data.
pytestmark = pytest.mark.django_db


# --- helpers ----------------------------------------------------------------------------


@pytest.fixture
def inactive_admin(db):
    user = make_user("gita", Role.ADMIN)
    user.is_active = False
    user.save()
    return user


@pytest.fixture
def inactive_trc(db, team_a):
    user = make_user("hadi", Role.TRC, team=team_a)
    user.is_active = False
    user.save()
    return user


@pytest.fixture
def no_role(db):
    return make_user("indra", "")


@pytest.fixture
def trc_no_team(db):
    # Model.clean() refuses this; a row written around it must still see nothing.
    return make_user("joko", Role.TRC)


@pytest.fixture
def odd_role(db):
    user = make_user("kiki", Role.ADMIN)
    User.objects.filter(pk=user.pk).update(role="operator")
    return User.objects.get(pk=user.pk)


@pytest.fixture
def anonymous():
    return AnonymousUser()


PERSONAS = ["admin", "kabid", "trc", "trc_b", "pimpinan", "superadmin"]
NOBODY = [
    "inactive_admin",
    "inactive_trc",
    "no_role",
    "trc_no_team",
    "odd_role",
    "anonymous",
]


@pytest.fixture
def drive(file, admin, kabid, trc, trc_b, team_a, team_b):
    """File a complaint and take it to `status` along the main path with `team`."""
    members = {team_a.pk: trc, team_b.pk: trc_b}

    def _drive(status, team=None, **file_kwargs):
        team = team or team_a
        member = members[team.pk]
        c = file(**file_kwargs)
        if status == "received":
            return c
        if status == "needs_info":
            return workflow.request_info(c, actor=admin, question="Di sebelah mana tepatnya?")
        if status == "rejected":
            return workflow.reject(c, actor=admin, reason="Bukan pelanggaran Perda")
        if status == "referred":
            return workflow.refer(c, actor=admin, agency="Dinas Perhubungan")
        if status == "duplicate":
            return workflow.mark_duplicate(c, actor=admin, of=file())
        c = workflow.verify(c, actor=admin)
        if status == "verified":
            return c
        c = workflow.dispatch(c, actor=kabid, team=team)
        if status == "dispatched":
            return c
        c = workflow.accept(c, actor=member)
        if status == "accepted":
            return c
        c = workflow.arrive(c, actor=member)
        if status == "on_site":
            return c
        c = workflow.complete(c, actor=member, note="PKL ditertibkan", outcome="teguran_lisan")
        if status == "done":
            return c
        c = workflow.close(c, actor=admin)
        assert status == "closed", status
        return c

    return _drive


@pytest.fixture
def world(drive, kabid, team_a, team_b):
    """One complaint per situation a visibility rule cares about."""
    moved = drive("accepted", team_a)
    moved = workflow.dispatch(moved, actor=kabid, team=team_b, reason="Tim Halong lebih dekat")
    return SimpleNamespace(
        received=drive("received"),
        needs_info=drive("needs_info"),
        verified=drive("verified"),
        at_a=drive("dispatched", team_a),
        accepted_a=drive("accepted", team_a),
        done_a=drive("done", team_a),
        closed_a=drive("closed", team_a),
        at_b=drive("dispatched", team_b),
        moved=moved,
        rejected=drive("rejected"),
    )


def codes(world, *names):
    return {getattr(world, name).code for name in names}


ALL = [
    "received",
    "needs_info",
    "verified",
    "at_a",
    "accepted_a",
    "done_a",
    "closed_a",
    "at_b",
    "moved",
    "rejected",
]


# --- visible_complaints -----------------------------------------------------------------


@pytest.mark.parametrize(
    "who, expected",
    [
        ("admin", ALL),
        ("kabid", ALL),
        ("pimpinan", ALL),
        # Their team's complaints, current or since sent to another team (moved).
        ("trc", ["at_a", "accepted_a", "done_a", "closed_a", "moved"]),
        ("trc_b", ["at_b", "moved"]),
        ("superadmin", []),
        *[(nobody, []) for nobody in NOBODY],
    ],
)
def test_visible_complaints(request, world, who, expected):
    user = request.getfixturevalue(who)
    seen = set(access.visible_complaints(user).values_list("code", flat=True))
    assert seen == codes(world, *expected)
    for name in ALL:
        complaint = getattr(world, name)
        assert access.can_view(user, complaint) == (name in expected), name


def test_visible_complaints_of_nobody_at_all(world):
    assert not access.visible_complaints(None).exists()


def test_visible_complaints_narrows_a_given_queryset(world, trc):
    done = Complaint.objects.filter(status__in=["done", "closed"])
    assert set(access.visible_complaints(trc, done).values_list("code", flat=True)) == codes(
        world, "done_a", "closed_a"
    )
    # Never widens: a queryset the user could not see stays empty.
    outside = Complaint.objects.filter(pk=world.at_b.pk)
    assert not access.visible_complaints(trc, outside).exists()


def test_trc_sees_a_new_dispatch_at_once(drive, kabid, trc_b, team_b):
    complaint = drive("verified")
    assert not access.can_view(trc_b, complaint)
    workflow.dispatch(complaint, actor=kabid, team=team_b)
    assert access.can_view(trc_b, complaint)


def test_team_change_of_a_member_follows_the_team(world, trc, team_b):
    # Visibility goes with the team, not with the person.
    trc.team = team_b
    trc.save()
    seen = set(access.visible_complaints(trc).values_list("code", flat=True))
    assert seen == codes(world, "at_b", "moved")


def test_deactivated_member_loses_sight(world, trc):
    assert access.visible_complaints(trc).exists()
    trc.is_active = False
    trc.save()
    assert not access.visible_complaints(trc).exists()


# --- get_complaint_for ------------------------------------------------------------------


def test_get_complaint_for(world, admin, trc, trc_b, superadmin):
    assert access.get_complaint_for(admin, world.received.code) == world.received
    assert access.get_complaint_for(trc, world.moved.code) == world.moved
    for user, code in [
        (trc, world.at_b.code),
        (trc_b, world.at_a.code),
        (trc, world.received.code),
        (superadmin, world.received.code),
        (admin, "LL-0001-0001"),
        (AnonymousUser(), world.received.code),
    ]:
        with pytest.raises(Http404):
            access.get_complaint_for(user, code)


# --- identity and confidentiality -------------------------------------------------------

IDENTITY = {
    # DESIGN.md: biasa → admin, kabid, pimpinan, the dispatched team; anonim, rahasia → admin.
    "biasa": {"admin", "kabid", "pimpinan", "trc"},
    "anonim": {"admin"},
    "rahasia": {"admin"},
}
HIDDEN_LABEL = {
    "biasa": "Identitas tidak ditampilkan",
    "anonim": "Anonim",
    "rahasia": "Dirahasiakan",
}


@pytest.mark.parametrize("confidentiality", ["biasa", "anonim", "rahasia"])
@pytest.mark.parametrize("who", [*PERSONAS, *NOBODY])
def test_reporter_identity(request, drive, confidentiality, who):
    complaint = drive("accepted", confidentiality=confidentiality)
    user = request.getfixturevalue(who)
    sees = who in IDENTITY[confidentiality]
    assert access.can_see_reporter(user, complaint) == sees
    label = access.reporter_label(user, complaint)
    if sees:
        assert label == f"Siti · {SITI_PHONE}"
    else:
        assert label == HIDDEN_LABEL[confidentiality]
        assert "Siti" not in label
        assert SITI_PHONE not in label


@pytest.mark.parametrize("confidentiality", ["biasa", "anonim", "rahasia"])
def test_identity_goes_to_the_current_team_only(drive, kabid, trc, trc_b, team_b, confidentiality):
    complaint = drive("accepted", confidentiality=confidentiality)
    assert access.can_see_reporter(trc, complaint) == (confidentiality == "biasa")
    complaint = workflow.dispatch(complaint, actor=kabid, team=team_b)
    # The old team still sees the complaint, but no longer who sent it.
    assert access.can_view(trc, complaint)
    assert not access.can_see_reporter(trc, complaint)
    assert access.reporter_label(trc, complaint) == HIDDEN_LABEL[confidentiality]
    assert access.can_see_reporter(trc_b, complaint) == (confidentiality == "biasa")


def test_team_sees_identity_before_dispatch_never(drive, trc):
    complaint = drive("verified")
    assert not access.can_see_reporter(trc, complaint)
    assert access.reporter_label(trc, complaint) == "Identitas tidak ditampilkan"


@pytest.mark.parametrize("status", ["done", "closed"])
def test_team_keeps_identity_after_its_work(drive, trc, status):
    complaint = drive(status)
    assert access.can_see_reporter(trc, complaint)


def test_identity_on_final_states_for_kabid_and_pimpinan(drive, kabid, pimpinan):
    for status in ["rejected", "referred", "duplicate"]:
        biasa = drive(status)
        anonim = drive(status, confidentiality="anonim")
        for user in (kabid, pimpinan):
            assert access.can_see_reporter(user, biasa)
            assert not access.can_see_reporter(user, anonim)


def test_label_without_a_reporter(file, admin, kabid):
    walk_in = file(actor=admin, source=Source.WALK_IN, reporter=None)
    assert access.reporter_label(admin, walk_in) == "Tanpa identitas"
    assert access.reporter_label(kabid, walk_in) == "Tanpa identitas"
    anonim = file(actor=admin, source=Source.PHONE, reporter=None, confidentiality="anonim")
    assert access.reporter_label(kabid, anonim) == "Anonim"


def test_label_shows_the_staff_given_name_and_the_number_once(file, admin):
    walk_in = Reporter.objects.create(phone="0813-5555-0000", name="Pak Rahmat")
    complaint = file(actor=admin, source=Source.WALK_IN, reporter=walk_in)
    assert access.reporter_label(admin, complaint) == "Pak Rahmat · +6281355550000"
    phone_only = Reporter.objects.create(phone="081355550001")
    complaint = file(actor=admin, source=Source.PHONE, reporter=phone_only)
    assert access.reporter_label(admin, complaint) == "+6281355550001"


# --- permissions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, granted",
    [
        ("admin", {"view_complaints", "file_complaint", "block_number", "view_reports"}),
        ("kabid", {"view_complaints", "view_reports"}),
        ("trc", {"view_complaints"}),
        ("trc_b", {"view_complaints"}),
        ("pimpinan", {"view_complaints", "view_reports"}),
        ("superadmin", {"setup"}),
        # The role grants the permission; with no team the list is simply empty.
        ("trc_no_team", {"view_complaints"}),
        *[(nobody, set()) for nobody in NOBODY if nobody != "trc_no_team"],
    ],
)
def test_has_perm(request, who, granted):
    user = request.getfixturevalue(who)
    every = {"view_complaints", "file_complaint", "block_number", "view_reports", "setup"}
    assert {p for p in every | {"delete_everything"} if access.has_perm(user, p)} == granted


@pytest.mark.parametrize("who", [*PERSONAS, "trc_no_team"])
def test_is_staff_user(request, who):
    assert access.is_staff_user(request.getfixturevalue(who))


@pytest.mark.parametrize("who", [n for n in NOBODY if n != "trc_no_team"])
def test_is_not_staff_user(request, who):
    assert not access.is_staff_user(request.getfixturevalue(who))


# --- steps ------------------------------------------------------------------------------

# status → persona → the steps available_steps offers (team A is dispatched where relevant).
STEPS = {
    "received": {
        "admin": {"verify", "request_info", "reject", "refer", "mark_duplicate", "correct"},
    },
    "needs_info": {"admin": {"reject", "correct"}},
    "verified": {
        "admin": {"request_info", "refer", "correct"},
        "kabid": {"request_info", "refer", "dispatch", "decline"},
    },
    "dispatched": {"admin": {"correct"}, "kabid": {"dispatch"}, "trc": {"accept"}},
    "accepted": {"admin": {"correct"}, "kabid": {"dispatch"}, "trc": {"arrive"}},
    "on_site": {"admin": {"correct"}, "trc": {"complete"}},
    "done": {"admin": {"close"}, "kabid": {"close"}},
    "closed": {},
    "rejected": {},
    "referred": {},
    "duplicate": {},
}


@pytest.mark.parametrize("status", list(STEPS))
def test_available_steps(request, drive, status):
    complaint = drive(status)
    for who in [*PERSONAS, *NOBODY]:
        user = request.getfixturevalue(who)
        expected = STEPS[status].get(who, set())
        assert set(access.available_steps(user, complaint)) == expected, (status, who)


def test_team_steps_follow_the_active_dispatch(drive, kabid, trc, trc_b, team_b):
    complaint = drive("accepted")
    assert access.can_take_step(trc, "arrive", complaint)
    complaint = workflow.dispatch(complaint, actor=kabid, team=team_b)
    assert not access.can_take_step(trc, "accept", complaint)
    assert not access.can_take_step(trc, "arrive", complaint)
    assert access.available_steps(trc, complaint) == []
    assert access.available_steps(trc_b, complaint) == ["accept"]


@pytest.mark.parametrize(
    "who, steps",
    [
        (
            "admin",
            {"file", "verify", "request_info", "reject", "refer", "mark_duplicate", "close"}
            | {"correct"},
        ),
        ("kabid", {"request_info", "refer", "dispatch", "decline", "close"}),
        ("trc", {"accept", "arrive", "complete"}),
        # By role alone; on a complaint the team decides (test_available_steps).
        ("trc_no_team", {"accept", "arrive", "complete"}),
        ("pimpinan", set()),
        ("superadmin", set()),
        *[(nobody, set()) for nobody in NOBODY if nobody != "trc_no_team"],
    ],
)
def test_can_take_step_by_role_alone(request, who, steps):
    user = request.getfixturevalue(who)
    every = set(workflow.flow.STEPS) | {"launch_missiles"}
    assert {s for s in every if access.can_take_step(user, s)} == steps
    # Steps of the citizen and the system are never a staff member's.
    for step in ("answer_info", "rate", "auto_close"):
        assert not access.can_take_step(user, step)


class _Undo(Exception):
    pass


def _attempt(step, complaint, user, ctx) -> bool:
    """Whether the workflow lets `user` take `step`; every change is rolled back."""
    complaint = Complaint.objects.get(pk=complaint.pk)
    active = complaint.active_dispatch
    calls = {
        "verify": lambda: workflow.verify(complaint, actor=user),
        "request_info": lambda: workflow.request_info(complaint, actor=user, question="Di mana?"),
        "reject": lambda: workflow.reject(complaint, actor=user, reason="Bukan kewenangan"),
        "refer": lambda: workflow.refer(complaint, actor=user, agency="Dinas Sosial"),
        "mark_duplicate": lambda: workflow.mark_duplicate(complaint, actor=user, of=ctx.original),
        "dispatch": lambda: workflow.dispatch(
            complaint,
            actor=user,
            team=ctx.team_b if active and active.team_id == ctx.team_a.pk else ctx.team_a,
        ),
        "decline": lambda: workflow.decline(complaint, actor=user, reason="Tidak perlu"),
        "accept": lambda: workflow.accept(complaint, actor=user),
        "arrive": lambda: workflow.arrive(complaint, actor=user),
        "complete": lambda: workflow.complete(
            complaint, actor=user, note="Sudah ditertibkan", outcome="penertiban"
        ),
        "close": lambda: workflow.close(complaint, actor=user),
        "correct": lambda: workflow.correct(
            complaint,
            actor=user,
            priority="urgent" if complaint.priority == "normal" else "normal",
        ),
    }
    try:
        with transaction.atomic():
            calls[step]()
            raise _Undo
    except _Undo:
        return True
    except StepRefused:
        return False


@pytest.mark.parametrize("status", list(STEPS))
def test_access_agrees_with_the_workflow(request, drive, file, team_a, team_b, status):
    """What access offers is exactly what the workflow then lets through."""
    complaint = drive(status)
    ctx = SimpleNamespace(original=file(), team_a=team_a, team_b=team_b)
    for who in [*PERSONAS, "inactive_admin", "no_role", "trc_no_team"]:
        user = request.getfixturevalue(who)
        for step in [
            "verify",
            "request_info",
            "reject",
            "refer",
            "mark_duplicate",
            "dispatch",
            "decline",
            "accept",
            "arrive",
            "complete",
            "close",
            "correct",
        ]:
            offered = access.can_take_step(user, step, complaint)
            assert offered == _attempt(step, complaint, user, ctx), (status, who, step)
