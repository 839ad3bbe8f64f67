"""The leadership's figures: every number of summary() against a count made here, in plain
Python over the rows, for several periods and their edges; the summary tables stay exact
after changes without the worker, and the periodic job refreshes them."""

import datetime as dt
import math
from collections import Counter

import pytest
from django.db.models import Q

from lalisa.accounts.models import User
from lalisa.complaints import workflow
from lalisa.complaints.models import (
    OPEN_STATUSES,
    Category,
    Complaint,
    Dispatch,
    Outcome,
    Rating,
    Reporter,
    Source,
    Status,
    Supporter,
)
from lalisa.regions.models import Kecamatan
from lalisa.reports import figures, summary
from lalisa.reports.models import Counted, DirtyDay, DurationCount, RefreshState, Tally
from lalisa.teams.models import TrcTeam
from lalisa.timefmt import WITA
from tests import seeded as seeded_data

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=WITA)
# The edge pair: the last minute of 31 October and the first of 1 November (WITA).
LAST_MINUTE = dt.datetime(2026, 10, 31, 23, 59, 30, tzinfo=WITA)
FIRST_MINUTE = dt.datetime(2026, 11, 1, 0, 0, 0, tzinfo=WITA)
STAGE_TIMES = {
    "verify": ("verified_at", "due_verify_at"),
    "dispatch": ("dispatched_at", "due_dispatch_at"),
    "arrive": ("on_site_at", "due_on_site_at"),
    "finish": ("done_at", "due_done_at"),
}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """3,000 complaints over six months before NOW, plus the edge pair; tables built."""
    with django_db_blocker.unblock():
        seeded_data.seed(3000, months=6, seed=7, now=NOW)
        admin = User.objects.get(username="demo-admin")
        category = Category.objects.get(code="pkl")
        place = Kecamatan.objects.get(name="Paringin")
        for moment in (LAST_MINUTE, FIRST_MINUTE):
            workflow.file_complaint(
                actor=admin,
                category=category,
                description="PKL di trotoar depan Pasar Paringin",
                source=Source.PHONE,
                kecamatan=place,
                received_at=moment,
            )
        summary.rebuild()
    yield
    with django_db_blocker.unblock():
        seeded_data.wipe()


# --- the independent count ----------------------------------------------------------------


def _minutes(start, end):
    return max(0, math.floor((end - start).total_seconds() / 60))


def _rank(values, p):
    values = sorted(values)
    return float(values[math.ceil(p * len(values)) - 1]) if values else None


def expected(start: dt.date, end: dt.date, now: dt.datetime) -> dict:
    """The figures for WITA days start..end, counted row by row."""
    fields = ["pk", "received_at", "status", "category__code", "kecamatan_id", "outcome__code"]
    fields += [name for pair in STAGE_TIMES.values() for name in pair]

    def in_period(moment, a=start, b=end):
        return a <= moment.astimezone(WITA).date() <= b

    everything = list(Complaint.objects.values(*fields))
    rows = [r for r in everything if in_period(r["received_at"])]
    prev = _previous(start, end)
    out = {
        "received": len(rows),
        "previous_received": sum(1 for r in everything if in_period(r["received_at"], *prev)),
        "status": Counter(r["status"] for r in rows),
        "category": Counter(r["category__code"] for r in rows),
        "kecamatan": Counter(str(r["kecamatan_id"] or "") for r in rows),
        "outcome": Counter(r["outcome__code"] for r in rows if r["outcome__code"]),
        "handled": sum(1 for r in rows if r["status"] in ("done", "closed")),
    }
    grid = [[0] * 24 for _ in range(7)]
    for r in rows:
        local = r["received_at"].astimezone(WITA)
        grid[local.weekday()][local.hour] += 1
    out["grid"] = grid
    out["durations"], out["sla"] = {}, {}
    for stage, (reached, due) in STAGE_TIMES.items():
        minutes = [_minutes(r["received_at"], r[reached]) for r in rows if r[reached]]
        out["durations"][stage] = (len(minutes), _rank(minutes, 0.5), _rank(minutes, 0.9))
        measured = within = 0
        for r in rows:
            if r[due] is None:
                continue
            if r[reached] is not None:
                measured += 1
                within += r[reached] <= r[due]
            elif r["status"] in OPEN_STATUSES and r[due] < now:
                measured += 1
        out["sla"][stage] = (measured, within)
    ids = {r["pk"] for r in rows}
    scores = [s for c, s in Rating.objects.values_list("complaint_id", "score") if c in ids]
    out["ratings"] = (
        len(scores),
        sum(scores) / len(scores) if scores else None,
        tuple(scores.count(s) for s in range(1, 6)),
        sum(1 for s in scores if s >= 4),
    )
    teams = Counter()
    done = Counter()
    for team_id, at, completed in Dispatch.objects.values_list(
        "team_id", "dispatched_at", "completed_at"
    ):
        if in_period(at):
            teams[team_id] += 1
            done[team_id] += completed is not None
    out["teams"] = {t: (n, done[t]) for t, n in teams.items()}
    return out


def assert_matches(s: figures.Summary, start, end):
    e = expected(start, end, s.computed_at)
    assert (s.start, s.end) == (start, end)
    assert s.received == e["received"]
    assert s.previous_received == e["previous_received"]
    assert [r.code for r in s.by_status] == list(Status.values)
    assert {r.code: r.n for r in s.by_status} == {st: e["status"][st] for st in Status.values}
    assert {r.label for r in s.by_status} == set(Status.labels)
    assert {r.code: r.n for r in s.by_category} == dict(e["category"])
    names = dict(Category.objects.values_list("code", "name"))
    assert all(r.label == names[r.code] for r in s.by_category)
    assert [r.n for r in s.by_category] == sorted((r.n for r in s.by_category), reverse=True)
    assert {r.code: r.n for r in s.by_kecamatan} == dict(e["kecamatan"])
    places = {str(pk): name for pk, name in Kecamatan.objects.values_list("pk", "name")}
    assert all(r.label == places.get(r.code, "Tanpa kecamatan") for r in s.by_kecamatan)
    assert {r.code: r.n for r in s.by_outcome} == dict(e["outcome"])
    outcome_names = dict(Outcome.objects.values_list("code", "name"))
    assert all(r.label == outcome_names[r.code] for r in s.by_outcome)
    assert [list(row) for row in s.by_weekday_hour] == e["grid"]
    assert s.handled == e["handled"]
    for stage in STAGE_TIMES:
        d = s.durations[stage]
        assert (d.count, d.median_minutes, d.p90_minutes) == e["durations"][stage], stage
        assert (s.sla[stage].measured, s.sla[stage].within) == e["sla"][stage], stage
    r = s.ratings
    assert (r.count, r.distribution, r.satisfied) == (*e["ratings"][:1], *e["ratings"][2:])
    assert r.average == pytest.approx(e["ratings"][1]) if r.count else r.average is None
    team_names = dict(TrcTeam.objects.values_list("pk", "name"))
    assert {t.team_id: (t.dispatches, t.completed) for t in s.by_team} == e["teams"]
    assert all(t.name == team_names[t.team_id] for t in s.by_team)
    return e


PERIODS = [
    ("six months and more", dt.date(2026, 5, 1), dt.date(2026, 11, 30)),
    ("last full month", dt.date(2026, 10, 1), dt.date(2026, 10, 31)),
    ("across month edges", dt.date(2026, 7, 17), dt.date(2026, 10, 3)),
    ("this month so far", dt.date(2026, 11, 1), dt.date(2026, 11, 20)),
    ("one week", dt.date(2026, 11, 9), dt.date(2026, 11, 15)),
    ("one day", dt.date(2026, 9, 6), dt.date(2026, 9, 6)),
    ("before any complaint", dt.date(2025, 1, 1), dt.date(2025, 1, 31)),
]


@pytest.mark.parametrize(("name", "start", "end"), PERIODS, ids=[p[0] for p in PERIODS])
def test_every_figure_matches_an_independent_count(seeded, db, name, start, end):
    e = assert_matches(figures.summary(start, end), start, end)
    if name == "before any complaint":
        assert e["received"] == 0
    else:
        assert e["received"] > 0
        assert any(e["durations"][s][0] for s in STAGE_TIMES)


def test_the_seeded_data_exercises_every_figure(seeded, db):
    s = figures.summary(dt.date(2026, 5, 1), dt.date(2026, 11, 30))
    assert s.received == 3002
    assert len(s.by_category) >= 8 and len(s.by_kecamatan) == 8 and len(s.by_outcome) >= 5
    for stage in STAGE_TIMES:
        assert s.durations[stage].count > 100
        assert s.durations[stage].median_minutes <= s.durations[stage].p90_minutes
        assert 0 < s.sla[stage].within < s.sla[stage].measured, stage
    assert s.ratings.count > 100 and all(s.ratings.distribution)
    assert s.by_team and all(t.completed <= t.dispatches for t in s.by_team)
    # Some open complaints are past due: the live part of the SLA figures is tested too.
    assert Complaint.objects.filter(status__in=OPEN_STATUSES, due_at__lt=NOW).exists()


def test_a_day_ends_at_midnight_wita(seeded, db):
    october = figures.summary(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    last_day = figures.summary(dt.date(2026, 10, 31), dt.date(2026, 10, 31))
    first_day = figures.summary(dt.date(2026, 11, 1), dt.date(2026, 11, 1))
    on_31 = Complaint.objects.filter(received_at__gte=LAST_MINUTE.replace(hour=0, minute=0))
    on_31 = on_31.filter(received_at__lt=FIRST_MINUTE).count()
    on_1 = Complaint.objects.filter(
        received_at__gte=FIRST_MINUTE, received_at__lt=FIRST_MINUTE + dt.timedelta(days=1)
    ).count()
    assert last_day.received == on_31 and first_day.received == on_1
    # 31 October 2026 is a Saturday: 23:59 is in its last hour; 1 November 00:00 in Sunday's first.
    assert last_day.by_weekday_hour[5][23] >= 1
    assert first_day.by_weekday_hour[6][0] >= 1
    assert first_day.previous_received == last_day.received
    assert october.received == sum(
        figures.summary(dt.date(2026, 10, d), dt.date(2026, 10, d)).received for d in range(1, 32)
    )
    # The 23:59 one is October's, in UTC it is already 1 November 15:59 (the day before).
    edge = Complaint.objects.get(received_at=LAST_MINUTE)
    assert edge.received_at.astimezone(dt.UTC).date() == dt.date(2026, 10, 31)
    assert_matches(last_day, dt.date(2026, 10, 31), dt.date(2026, 10, 31))
    assert_matches(first_day, dt.date(2026, 11, 1), dt.date(2026, 11, 1))


def _previous(start, end):
    """Independently: a period from the 1st against the same dates as many months before
    (month lengths from a table, not the calendar module); else the days just before."""
    if start.day != 1 or start == end:
        days = (end - start).days + 1
        return start - dt.timedelta(days=days), start - dt.timedelta(days=1)
    lengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

    def length(year, month):
        leap = month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return lengths[month - 1] + leap

    span = (end.year - start.year) * 12 + end.month - start.month + 1
    index = start.year * 12 + start.month - 1 - span
    first = dt.date(index // 12, index % 12 + 1, 1)
    if end.day == length(end.year, end.month):
        return first, start - dt.timedelta(days=1)
    index = end.year * 12 + end.month - 1 - span
    year, month = index // 12, index % 12 + 1
    last = dt.date(year, month, min(end.day, length(year, month)))
    return first, min(last, start - dt.timedelta(days=1))


def test_previous_period_and_change():
    # A month against the month before; part of a month against the same days of the last.
    assert figures.previous_period(dt.date(2026, 11, 1), dt.date(2026, 11, 30)) == (
        dt.date(2026, 10, 1),
        dt.date(2026, 10, 31),
    )
    assert figures.previous_period(dt.date(2026, 3, 1), dt.date(2026, 3, 30)) == (
        dt.date(2026, 2, 1),
        dt.date(2026, 2, 28),
    )
    assert figures.previous_period(dt.date(2026, 1, 1), dt.date(2026, 11, 30)) == (
        dt.date(2025, 2, 1),
        dt.date(2025, 12, 31),
    )
    assert figures.previous_period(dt.date(2026, 11, 1), dt.date(2026, 11, 1)) == (
        dt.date(2026, 10, 31),
        dt.date(2026, 10, 31),
    )
    assert figures.previous_period(dt.date(2026, 10, 17), dt.date(2026, 11, 15)) == (
        dt.date(2026, 9, 17),
        dt.date(2026, 10, 16),
    )
    for start, end in [
        (dt.date(y, m, 1), dt.date(y, m, 1) + dt.timedelta(days=d))
        for y in (2024, 2026)
        for m in range(1, 13)
        for d in (0, 14, 27, 30, 45, 400)
    ]:
        assert figures.previous_period(start, end) == _previous(start, end), (start, end)
    assert figures.previous_period(dt.date(2026, 3, 5), dt.date(2026, 3, 5)) == (
        dt.date(2026, 3, 4),
        dt.date(2026, 3, 4),
    )
    s = figures.Summary(
        start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 1), received=15, previous_received=10,
        by_status=[], by_category=[], by_kecamatan=[], by_outcome=[],
        by_weekday_hour=(), handled=0, durations={}, sla={},
        ratings=figures.Ratings(0, None, (0, 0, 0, 0, 0), 0), by_team=[],
    )  # fmt: skip
    assert (s.change, s.change_share) == (5, 0.5)
    assert figures.Sla(0, 0).share is None and figures.Sla(4, 3).share == 0.75
    assert figures.Ratings(0, None, (0,) * 5, 0).satisfied_share is None


def test_nearest_rank_percentiles():
    assert figures.nearest_rank([], 0.5) is None
    assert figures.nearest_rank([7], 0.9) == 7
    values = list(range(1, 11))  # 1..10
    assert figures.nearest_rank(values, 0.5) == 5
    assert figures.nearest_rank(values, 0.9) == 9
    assert figures.nearest_rank(list(range(1, 12)), 0.5) == 6
    start = dt.datetime(2026, 1, 1, 8, 0, tzinfo=WITA)
    assert figures.whole_minutes(start, start + dt.timedelta(seconds=119)) == 1


def test_buckets_cover_every_minute_once():
    for minutes in [0, 1, 29, 30, 31, 100, 1_000, 99_999, 10**6]:
        low, high = summary.bucket_range(summary.bucket_of(minutes))
        assert low <= minutes and (high is None or minutes < high)
    assert summary.bucket_range(summary.bucket_of(500))[1] - 500 < 50


def test_open_overdue_lists_open_complaints_past_due_oldest_first(seeded, db):
    rows = figures.open_overdue(limit=20)
    expected_rows = sorted(
        (c for c in Complaint.objects.all() if c.status in OPEN_STATUSES and c.is_overdue),
        key=lambda c: (c.due_at, c.pk),
    )[:20]
    assert [c.pk for c in rows] == [c.pk for c in expected_rows]
    assert rows and all(c.status in OPEN_STATUSES for c in rows)


# --- freshness ------------------------------------------------------------------------------


def _received_one():
    return Complaint.objects.filter(status=Status.RECEIVED).order_by("received_at").first()


def test_figures_follow_a_verification_at_once(seeded, db):
    complaint = _received_one()
    day = complaint.received_at.astimezone(WITA).date()
    before = figures.summary(day, day)
    workflow.verify(complaint, actor=User.objects.get(username="demo-admin"))
    after = figures.summary(day, day)
    status = {r.code: r.n for r in after.by_status}
    old = {r.code: r.n for r in before.by_status}
    assert status["received"] == old["received"] - 1
    assert status["verified"] == old["verified"] + 1
    assert after.durations["verify"].count == before.durations["verify"].count + 1
    assert_matches(after, day, day)
    # The month it lies in (month rows) follows as well.
    month = day.replace(day=1)
    end = summary.next_month(month) - dt.timedelta(days=1)
    assert_matches(figures.summary(month, end), month, end)


def test_figures_follow_a_rating_at_once(seeded, db):
    # A supporter's rating does not touch the complaint: found by Rating.created_at.
    complaint = Complaint.objects.filter(status=Status.CLOSED).order_by("received_at").first()
    person = Reporter.objects.exclude(pk=complaint.reporter_id).first()
    Supporter.objects.create(complaint=complaint, reporter=person)
    day = complaint.received_at.astimezone(WITA).date()
    before = figures.summary(day, day).ratings
    updated = Complaint.objects.get(pk=complaint.pk).updated_at
    workflow.rate(complaint, actor=person, score=1)
    assert Complaint.objects.get(pk=complaint.pk).updated_at == updated
    after = figures.summary(day, day)
    assert after.ratings.count == before.count + 1
    assert after.ratings.distribution[0] == before.distribution[0] + 1
    assert_matches(after, day, day)


def test_figures_follow_a_deletion(seeded, db):
    complaint = Complaint.objects.filter(status=Status.REJECTED, duplicates=None).first()
    day = complaint.received_at.astimezone(WITA).date()
    before = figures.summary(day, day)
    complaint.delete()
    after = figures.summary(day, day)
    assert after.received == before.received - 1
    assert not DirtyDay.objects.exists()
    assert_matches(after, day, day)


def test_the_periodic_job_refreshes_the_tables(seeded, db):
    from lalisa.reports import tasks
    from lalisa.worker import scheduler

    job = scheduler.registry["reports.refresh"]
    assert job.every == dt.timedelta(minutes=1) and job.task is tasks.refresh_summary
    complaint = _received_one()
    day = complaint.received_at.astimezone(WITA).date()

    def received_in_tables():
        rows = Tally.objects.filter(grain="d", day=day, dim="status", key="received")
        return sum(rows.values_list("n", flat=True))

    before = received_in_tables()
    workflow.verify(complaint, actor=User.objects.get(username="demo-admin"))
    assert received_in_tables() == before  # nobody refreshed yet
    assert tasks.refresh_summary.call() >= 1
    assert received_in_tables() == before - 1
    assert Counted.objects.get(complaint_id=complaint.pk).updated_at == (
        Complaint.objects.get(pk=complaint.pk).updated_at
    )
    # Nothing changed since: a refresh counts nothing again.
    assert tasks.refresh_summary.call() == 0


def test_a_full_rebuild_gives_the_same_tables(seeded, db):
    from django.utils import timezone

    workflow.verify(_received_one(), actor=User.objects.get(username="demo-admin"))
    closed = Complaint.objects.filter(status=Status.CLOSED).order_by("-received_at").first()
    person = Reporter.objects.exclude(pk=closed.reporter_id).first()
    Supporter.objects.create(complaint=closed, reporter=person)
    workflow.rate(closed, actor=person, score=2)
    Complaint.objects.filter(status=Status.REJECTED, duplicates=None).first().delete()
    # Received on another day, in another month (as a corrected import would do).
    moved = Complaint.objects.filter(status=Status.DONE).order_by("received_at").first()
    Complaint.objects.filter(pk=moved.pk).update(
        received_at=moved.received_at + dt.timedelta(days=40), updated_at=timezone.now()
    )
    assert summary.refresh() >= 4

    def snapshot():
        tally = set(Tally.objects.values_list("grain", "day", "dim", "key", "n"))
        minutes = set(DurationCount.objects.values_list("day", "stage", "minutes", "n"))
        return tally, minutes

    incremental = snapshot()
    summary.rebuild()
    assert snapshot() == incremental
    assert Counted.objects.count() == Complaint.objects.count()
    assert not Tally.objects.filter(Q(n__lte=0)).exists()


def test_the_worker_finds_a_change_that_committed_late(seeded, db):
    from lalisa.reports import tasks

    complaint = _received_one()
    day = complaint.received_at.astimezone(WITA).date()
    state = RefreshState.objects.get()
    # A transaction that wrote before the latest change counted but committed after it:
    # its updated_at lies below the mark, inside the worker's margin.
    late = min(state.high, state.since - summary.MARGIN / 2) - dt.timedelta(microseconds=1)
    Complaint.objects.filter(pk=complaint.pk).update(status=Status.REJECTED, updated_at=late)
    assert summary.refresh() == 0  # the quick check looks past the marks only
    assert tasks.refresh_summary.call() >= 1
    assert_matches(figures.summary(day, day), day, day)
