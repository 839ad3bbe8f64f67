"""`lalisa loaddemo` and `lalisa seed`: the data they make follows the flow."""

import datetime as dt
import re
from collections import Counter, defaultdict
from decimal import Decimal
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lalisa.accounts.models import Role, User
from lalisa.complaints import flow, workflow
from lalisa.complaints import seed as seeding
from lalisa.complaints.models import (
    Category,
    Complaint,
    Confidentiality,
    Dispatch,
    Event,
    Priority,
    Rating,
    Reporter,
    Source,
    Status,
    Supporter,
    TicketCounter,
)
from lalisa.notifications.models import Notification
from lalisa.regions.models import Kecamatan
from lalisa.sla.due import current_due, due_times
from lalisa.teams.models import TrcTeam
from lalisa.timefmt import WITA, to_wita

pytestmark = pytest.mark.django_db

PASSWORD = "sandi-demo-uji-123"
# Events that record something without moving the complaint.
NEUTRAL_KINDS = {"correct", "merged"}
# Statuses reached only through a dispatch.
AFTER_DISPATCH = {Status.DISPATCHED, Status.ACCEPTED, Status.ON_SITE, Status.DONE}
# A fixed "now" (a Wednesday morning) makes the seeded statuses the same on every day.
NOW = dt.datetime(2025, 6, 11, 10, 0, tzinfo=WITA)


def chain_problems(complaints) -> list[str]:
    """What is wrong with the complaints' timelines, as readable lines (empty: all well).

    The first event files the complaint into "received"; each state-changing event starts
    where the one before ended and is a step the flow table allows from there; the last one
    ends in the complaint's status.
    """
    statuses = dict(complaints.values_list("pk", "status"))
    codes = dict(complaints.values_list("pk", "code"))
    chains = defaultdict(list)
    rows = (
        Event.objects.filter(complaint_id__in=statuses)
        .order_by("complaint_id", "created_at", "id")
        .values_list("complaint_id", "kind", "from_status", "to_status")
    )
    problems = []
    for pk, kind, before, after in rows:
        if kind == "merged" and (before or after):
            problems.append(f"{codes[pk]}: merged event changes state")
        if kind == "correct" and before != after:
            problems.append(f"{codes[pk]}: correct event changes state")
        if kind not in NEUTRAL_KINDS:
            chains[pk].append((kind, before, after))
    for pk, status in statuses.items():
        chain, code = chains[pk], codes[pk]
        if not chain or chain[0] != ("file", "", Status.RECEIVED):
            problems.append(f"{code}: does not start with file → received: {chain[:1]}")
            continue
        for previous, event in pairwise(chain):
            if event[1] != previous[2]:
                problems.append(f"{code}: {event} does not follow {previous}")
        for kind, before, after in chain[1:]:
            rule = flow.rule_for(kind, before)
            if rule is None:
                problems.append(f"{code}: {kind} is not allowed from {before}")
            elif rule.target not in (None, flow.BACK) and after not in (rule.target, before):
                problems.append(f"{code}: {kind} from {before} leads to {after}")
        if chain[-1][2] != status:
            problems.append(f"{code}: last event ends in {chain[-1][2]}, status is {status}")
    return problems


def dispatch_problems(complaints) -> list[str]:
    problems = []
    for c in complaints.prefetch_related("dispatches"):
        active = [d for d in c.dispatches.all() if d.replaced_at is None]
        if c.status in AFTER_DISPATCH and len(active) != 1:
            problems.append(f"{c.code}: {c.status} with {len(active)} active dispatches")
        if c.status == Status.DONE and not (active and active[0].completed_at and c.outcome_id):
            problems.append(f"{c.code}: done without a completed dispatch and an outcome")
        expected = current_due(c)
        if c.due_at != (expected[1] if expected else None):
            problems.append(f"{c.code}: due_at {c.due_at} does not fit status {c.status}")
    return problems


def counts() -> dict[str, int]:
    models = [User, TrcTeam, Complaint, Event, Reporter, Supporter, Rating, Dispatch]
    found = {m.__name__: m.objects.count() for m in models + [Notification]}
    found["TicketCounter"] = sum(TicketCounter.objects.values_list("last", flat=True))
    found["team members"] = User.objects.filter(team__isnull=False).count()
    return found


def loaddemo() -> str:
    out = StringIO()
    call_command("loaddemo", stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(monkeypatch):
    monkeypatch.setenv("LALISA_DEMO_PASSWORD", PASSWORD)
    return loaddemo()


# --- loaddemo --------------------------------------------------------------------------


def test_loaddemo_makes_one_login_per_role(demo):
    roles = {
        "demo-admin": Role.ADMIN,
        "demo-kabid": Role.KABID,
        "demo-trc": Role.TRC,
        "demo-pimpinan": Role.PIMPINAN,
        "demo-superadmin": Role.SUPERADMIN,
    }
    for username, role in roles.items():
        user = User.objects.get(username=username)
        assert user.role == role
        assert user.is_active and user.check_password(PASSWORD)
        assert user.get_full_name()
        assert (user.team is not None) == (role == Role.TRC)
        assert username in demo
    for username in ("demo-admin", "demo-kabid", "demo-trc"):
        assert User.objects.get(username=username).whatsapp.startswith("+62")
    assert User.objects.get(username="demo-trc").team.name == "TRC Mako Satpol PP"
    # The password came from the environment and is not printed.
    assert PASSWORD not in demo


def test_loaddemo_makes_teams_with_members_and_areas(demo):
    teams = TrcTeam.objects.filter(active=True)
    assert teams.count() >= 3
    covered = set()
    for team in teams:
        assert 2 <= team.members.filter(role=Role.TRC).count() <= 3, team
        assert team.kecamatan.exists(), team
        covered |= set(team.kecamatan.values_list("name", flat=True))
        assert Decimal("-2.6") < team.post_lat < Decimal("-1.9"), team
        assert Decimal("115.2") < team.post_lng < Decimal("115.8"), team
    assert covered == set(Kecamatan.objects.values_list("name", flat=True))


def test_loaddemo_covers_every_status_and_kind_of_report(demo):
    complaints = Complaint.objects.all()
    assert set(complaints.values_list("status", flat=True)) == set(Status.values)
    by_status = Counter(complaints.values_list("status", flat=True))
    assert by_status[Status.RECEIVED] >= 2 and by_status[Status.CLOSED] >= 2
    assert set(complaints.values_list("confidentiality", flat=True)) == set(Confidentiality)
    assert {Source.WALK_IN, Source.PHONE} <= set(complaints.values_list("source", flat=True))
    for c in complaints.exclude(source=Source.WHATSAPP):
        assert c.filed_by.username == "demo-admin"
    assert len(set(complaints.values_list("category", flat=True))) >= 6
    assert complaints.filter(category__code="perkelahian", priority=Priority.URGENT).exists()
    assert Supporter.objects.exists() and Rating.objects.exists()
    assert complaints.filter(desa__isnull=False).count() == complaints.count()
    for reporter in Reporter.objects.exclude(user_id=None):
        assert re.fullmatch(r"ID\.\d{16}", reporter.user_id)
    assert Reporter.objects.filter(user_id__isnull=False, wa_id=None, phone=None).exists()
    assert Reporter.objects.filter(user_id__isnull=False, wa_id__isnull=False).exists()
    # Spread over the past days, oldest first in ticket order.
    received = list(complaints.order_by("code").values_list("received_at", flat=True))
    assert received == sorted(received)
    assert received[-1] - received[0] > dt.timedelta(days=7)


def test_loaddemo_timelines_follow_the_flow(demo):
    complaints = Complaint.objects.all()
    assert chain_problems(complaints) == []
    assert dispatch_problems(complaints) == []
    redispatched = Dispatch.objects.filter(replaced_at__isnull=False)
    assert redispatched.exists()
    for c in complaints:
        times = list(c.events.values_list("created_at", flat=True))
        assert times[0] == c.received_at
        assert times == sorted(times)


def test_loaddemo_twice_adds_nothing(demo):
    before = counts()
    assert "Aduan demo sudah ada" in loaddemo()
    assert counts() == before


def test_loaddemo_without_password_prints_a_new_random_one(monkeypatch):
    monkeypatch.delenv("LALISA_DEMO_PASSWORD", raising=False)
    passwords = []
    for _ in range(2):
        output = loaddemo()
        line = next(x for x in output.splitlines() if x.split()[:1] == ["demo-admin"])
        passwords.append(line.split()[-1])
        assert User.objects.get(username="demo-admin").check_password(passwords[-1])
    assert passwords[0] != passwords[1]
    assert "LALISA_DEMO_PASSWORD" in output


# --- seed ------------------------------------------------------------------------------


def seed(*args) -> str:
    out = StringIO()
    call_command("seed", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded():
    return seed("--complaints", "300", "--months", "3", "--seed", "1", "--now", NOW.isoformat())


def test_seed_makes_the_complaints_with_good_codes(seeded):
    complaints = Complaint.objects.all()
    assert complaints.count() == 300
    codes = list(complaints.values_list("code", flat=True))
    assert len(set(codes)) == 300
    for code, received in complaints.values_list("code", "received_at"):
        assert re.fullmatch(r"LL-\d{4}-\d{4,}", code)
        assert code[3:7] == to_wita(received).strftime("%y%m"), code
        assert NOW - dt.timedelta(days=93) <= received <= NOW
    # Numbered per month from 1, in order of receipt, and the counters know it.
    for period, last in TicketCounter.objects.values_list("period", "last"):
        month = complaints.filter(code__startswith=f"LL-{period}-").order_by("received_at")
        numbers = [int(code.rsplit("-", 1)[1]) for code in month.values_list("code", flat=True)]
        assert numbers == list(range(1, last + 1))
    assert "300 aduan" in seeded


def test_seed_covers_the_flow_and_keeps_timelines_consistent(seeded):
    complaints = Complaint.objects.all()
    statuses = Counter(complaints.values_list("status", flat=True))
    assert {Status.CLOSED, Status.REJECTED, Status.RECEIVED} <= set(statuses)
    assert statuses[Status.CLOSED] > 150  # most get closed
    assert chain_problems(complaints) == []
    assert dispatch_problems(complaints) == []
    assert Rating.objects.filter(score__gte=4).count() > Rating.objects.count() / 2
    assert Dispatch.objects.filter(completed_at__isnull=False, outcome__isnull=False).exists()
    # The staff it needed were made for it.
    assert TrcTeam.objects.count() >= 3
    assert "demo-admin" in seeded


def test_seed_due_times_match_the_sla_module(seeded):
    for c in Complaint.objects.order_by("code")[:40]:
        due = due_times(c.priority, c.received_at)
        assert c.due_verify_at == due["verify"], c.code
        assert c.due_dispatch_at == due["dispatch"], c.code
        assert c.due_on_site_at == due["on_site"], c.code
        assert c.due_done_at == due["done"], c.code


def test_seed_priority_is_the_category_default(seeded):
    defaults = dict(Category.objects.values_list("pk", "default_priority"))
    for category, priority in Complaint.objects.values_list("category", "priority"):
        assert priority == defaults[category]


def test_filing_after_seed_gets_the_next_number(seeded, citizen, category, paringin):
    period = NOW.strftime("%y%m")
    last = max(
        int(code.rsplit("-", 1)[1])
        for code in Complaint.objects.filter(code__startswith=f"LL-{period}-").values_list(
            "code", flat=True
        )
    )
    complaint = workflow.file_complaint(
        actor=citizen,
        category=category,
        description="PKL di trotoar Pasar Paringin",
        kecamatan=paringin,
        received_at=NOW,
    )
    assert complaint.code == f"LL-{period}-{last + 1:04d}"


def _empty():
    Event.objects.all().delete()
    Rating.objects.all().delete()
    Supporter.objects.all().delete()
    Dispatch.objects.all().delete()
    Notification.objects.all().delete()
    Complaint.objects.update(duplicate_of=None)
    Complaint.objects.all().delete()
    Reporter.objects.all().delete()
    TicketCounter.objects.all().delete()


def test_same_seed_gives_the_same_data():
    def distribution():
        complaints = Complaint.objects.all()
        return (
            Counter(complaints.values_list("status", flat=True)),
            Counter(complaints.values_list("category__code", flat=True)),
            Counter(complaints.values_list("kecamatan__name", flat=True)),
            sorted(complaints.values_list("code", "received_at", "status")),
            Event.objects.count(),
        )

    seed("--complaints", "200", "--months", "2", "--seed", "5", "--now", NOW.isoformat())
    first = distribution()
    _empty()
    seed("--complaints", "200", "--months", "2", "--seed", "5", "--now", NOW.isoformat())
    assert distribution() == first
    _empty()
    seed("--complaints", "200", "--months", "2", "--seed", "6", "--now", NOW.isoformat())
    assert distribution() != first


def test_seed_twice_continues_the_numbers_and_reuses_reporters():
    seed("--complaints", "100", "--months", "1", "--seed", "3", "--now", NOW.isoformat())
    reporters = Reporter.objects.count()
    seed("--complaints", "100", "--months", "1", "--seed", "3", "--now", NOW.isoformat())
    assert Complaint.objects.count() == 200
    assert Complaint.objects.values("code").distinct().count() == 200
    # Same seed, same citizens (their BSUIDs are unique): only the walk-ins are new.
    assert Reporter.objects.count() < reporters * 1.2
    assert chain_problems(Complaint.objects.all()) == []


def test_seed_after_loaddemo_uses_the_demo_staff(demo):
    before = User.objects.count()
    seed("--complaints", "50", "--months", "1", "--seed", "2")
    assert User.objects.count() == before
    assert Complaint.objects.values("code").distinct().count() == Complaint.objects.count()
    assert chain_problems(Complaint.objects.all()) == []
    # The demo set is still recognised as loaded.
    assert "Aduan demo sudah ada" in loaddemo()


def test_seed_refuses_a_future_now():
    later = (dt.datetime.now(tz=WITA) + dt.timedelta(days=2)).isoformat()
    with pytest.raises(CommandError):
        seed("--complaints", "5", "--now", later)
    assert not Complaint.objects.exists()


def test_seed_module_can_be_driven_directly():
    from lalisa.complaints import demo

    demo.ensure_staff(PASSWORD)
    result = seeding.seed(40, months=1, seed=9, now=NOW)
    assert result.complaints == 40 == Complaint.objects.count()
    assert result.events == Event.objects.count()
    assert sum(result.statuses.values()) == 40
