"""The summary tables: counting complaints into them, keeping them fresh, reading figures.

Layout (lalisa.reports.models):
- Tally: per WITA day, and per month as the sum of its days, how many complaints have each
  value of each dimension (status, category, …), plus a coarse histogram of each stage's
  duration ("bucket:<stage>", buckets about 8 % wide). A period reads its full months' rows
  and the day rows of the partial months at its edges: a few thousand rows at most.
- DurationCount: per WITA day, stage and whole minute, how many. A percentile finds its
  bucket in the coarse histogram, then reads only that bucket's minutes: exact, and cheap.
- Counted: per complaint, the updated_at and number of ratings the tables hold.

Freshness. A change moves the complaint's updated_at (auto_now; a supporter's rating only
adds a Rating row). RefreshState keeps marks: the latest updated_at and Rating id counted.
- `read()` first runs the quick `refresh()`: MAX(updated_at) and MAX(Rating.id) against the
  marks (two index reads, no write when nothing changed); past them, it counts again the days
  of what changed (the day received, the day counted before, the days of its dispatches).
  So a figure includes every change committed before the call, in practice: the exception
  is a transaction that committed after a later one had been counted (its updated_at lies
  below the mark), which the worker's check picks up within a minute.
- The worker runs `refresh(thorough=True)` every minute: also every complaint updated, and
  every rating made, since MARGIN before its previous run, compared with Counted.
- Deleted complaints, dispatches and ratings mark their day dirty (signals.py).
- `rebuild()` counts everything from scratch (first use; more than FULL_REBUILD_FROM
  complaints changed at once, e.g. after `lalisa seed`).
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, Q, Subquery, Sum
from django.utils import timezone

from lalisa.complaints.models import (
    OPEN_STATUSES,
    Category,
    Complaint,
    Dispatch,
    Outcome,
    Rating,
    Status,
)
from lalisa.regions.models import Kecamatan
from lalisa.reports import figures as f
from lalisa.reports.models import (
    Counted,
    DirtyDay,
    DurationCount,
    Grain,
    MonthVersion,
    RefreshState,
    Tally,
)
from lalisa.teams.models import TrcTeam
from lalisa.timefmt import WITA

STATE = "tables"
# The worker's check finds a change written up to this long before it committed.
MARGIN = dt.timedelta(minutes=2)
# More changed complaints than this: count everything again (cheaper than day by day).
FULL_REBUILD_FROM = 20_000
HANDLED = (Status.DONE, Status.CLOSED)
_STAGE_FIELDS = [(stage, reached, due) for stage, (reached, due) in f.STAGES.items()]


def _bucket_edges() -> list[int]:
    """Lower edges of the duration buckets: single minutes up to 30, then ~8 % wider each."""
    edges = list(range(30))
    x = 30
    while x < 10**8:
        edges.append(x)
        x = max(x + 1, math.ceil(x * 1.08))
    return edges


EDGES = _bucket_edges()


def bucket_of(minutes: int) -> int:
    return bisect.bisect_right(EDGES, minutes) - 1


def bucket_range(bucket: int) -> tuple[int, int | None]:
    """[low, high) minutes of a bucket; high None for the last."""
    high = EDGES[bucket + 1] if bucket + 1 < len(EDGES) else None
    return EDGES[bucket], high


# --- days ------------------------------------------------------------------------------


def wita_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(WITA).date()


def day_start(day: dt.date) -> dt.datetime:
    """00:00 WITA of the day (aware)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=WITA)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def _period_q(start: dt.date, end: dt.date) -> Q:
    """Tally rows that add up to the WITA days start..end: whole months from the month rows,
    the rest from day rows."""
    first = start if start.day == 1 else next_month(start)
    months = []
    m = first
    while next_month(m) - dt.timedelta(days=1) <= end:
        months.append(m)
        m = next_month(m)
    if not months:
        return Q(grain=Grain.DAY, day__gte=start, day__lte=end)
    after = next_month(months[-1])
    q = Q(grain=Grain.MONTH, day__in=months)
    if start < months[0]:
        q |= Q(grain=Grain.DAY, day__gte=start, day__lt=months[0])
    if after <= end:
        q |= Q(grain=Grain.DAY, day__gte=after, day__lte=end)
    return q


# --- counting --------------------------------------------------------------------------

_COMPLAINT_FIELDS = [
    "pk",
    "updated_at",
    "received_at",
    "status",
    "category_id",
    "kecamatan_id",
    "outcome_id",
    *[name for _, reached, due in _STAGE_FIELDS for name in (reached, due)],
]


class _Counts:
    """Day rows being built: tallies, minute histograms, and what was counted."""

    def __init__(self):
        self.tally: Counter = Counter()  # (day, dim, key) -> n
        self.minutes: Counter = Counter()  # (day, stage, minutes) -> n
        self.counted: list[tuple] = []  # (complaint id, updated_at, day, ratings)

    def add_complaint(self, row: tuple, ratings: list[int]) -> None:
        pk, updated_at, received_at, status, category_id, kecamatan_id, outcome_id = row[:7]
        local = received_at.astimezone(WITA)
        day = local.date()
        t = self.tally
        t[day, "received", ""] += 1
        t[day, "status", status] += 1
        t[day, "category", str(category_id)] += 1
        t[day, "kecamatan", str(kecamatan_id) if kecamatan_id else ""] += 1
        if outcome_id:
            t[day, "outcome", str(outcome_id)] += 1
        t[day, "hour", f"{local.weekday()}:{local.hour}"] += 1
        if status in HANDLED:
            t[day, "handled", ""] += 1
        times = row[7:]
        for i, (stage, _, _) in enumerate(_STAGE_FIELDS):
            reached, due = times[2 * i], times[2 * i + 1]
            if reached is None:
                continue
            minutes = f.whole_minutes(received_at, reached)
            self.minutes[day, stage, minutes] += 1
            t[day, f"bucket:{stage}", str(bucket_of(minutes))] += 1
            if due is not None:
                t[day, f"sla:{stage}", "within" if reached <= due else "late"] += 1
        for score in ratings:
            t[day, "rating", str(score)] += 1
        self.counted.append((pk, updated_at, day, len(ratings)))

    def add_dispatch(self, team_id: int, dispatched_at: dt.datetime, completed: bool) -> None:
        day = wita_day(dispatched_at)
        self.tally[day, "team", str(team_id)] += 1
        if completed:
            self.tally[day, "team_done", str(team_id)] += 1


def _chunks(days: list[dt.date]) -> list[list[dt.date]]:
    """Sorted days grouped by month (one query per month)."""
    groups: dict[dt.date, list[dt.date]] = defaultdict(list)
    for day in sorted(days):
        groups[month_start(day)].append(day)
    return list(groups.values())


def _count_days(days: list[dt.date], *, fresh: bool = False) -> None:
    """Count the given days again from the complaints, ratings and dispatches.
    `fresh`: the tables are empty (full rebuild), nothing to compare with."""
    month_changes: Counter = Counter()  # (month, dim, key) -> difference
    for chunk in _chunks(days):
        wanted = set(chunk)
        lo, hi = day_start(chunk[0]), day_start(chunk[-1] + dt.timedelta(days=1))
        counts = _Counts()
        ratings: dict[int, list[int]] = defaultdict(list)
        rows = Complaint.objects.filter(received_at__gte=lo, received_at__lt=hi).order_by()
        # Through the complaints' ids: a join would read every rating on SQLite.
        for complaint_id, score in Rating.objects.filter(
            complaint_id__in=Subquery(rows.values("pk"))
        ).values_list("complaint_id", "score"):
            ratings[complaint_id].append(score)
        for row in rows.values_list(*_COMPLAINT_FIELDS).iterator(chunk_size=5000):
            if fresh or wita_day(row[2]) in wanted:
                counts.add_complaint(row, ratings.get(row[0], []))
        dispatches = Dispatch.objects.filter(dispatched_at__gte=lo, dispatched_at__lt=hi)
        for team_id, at, completed_at in dispatches.values_list(
            "team_id", "dispatched_at", "completed_at"
        ):
            if fresh or wita_day(at) in wanted:
                counts.add_dispatch(team_id, at, completed_at is not None)
        if fresh:
            _insert_all(counts)
        else:
            _write_changes(chunk, counts, month_changes)
    if month_changes:
        _apply_to_months(month_changes)


def _insert_all(counts: _Counts) -> None:
    date = connection.ops.adapt_datefield_value
    moment = connection.ops.adapt_datetimefield_value
    _insert(
        Tally,
        ["grain", "day", "dim", "key", "n"],
        [(Grain.DAY.value, date(d), dim, key, n) for (d, dim, key), n in counts.tally.items()],
    )
    _insert(
        DurationCount,
        ["day", "stage", "minutes", "n"],
        [(date(d), stage, m, n) for (d, stage, m), n in counts.minutes.items()],
    )
    _insert(
        Counted,
        ["complaint_id", "updated_at", "day", "ratings"],
        [(pk, moment(at), date(d), n) for pk, at, d, n in counts.counted],
    )


def _sync(model, old: dict, new: dict, names: list[str], value: str = "n") -> None:
    """Make the rows `old` ({key: (pk, value)}) into `new` ({key: value}): delete, update
    and insert only what differs. Keys are the row's `names` but the value."""
    gone = [pk for key, (pk, _) in old.items() if key not in new]
    changed = [(v, old[k][0]) for k, v in new.items() if k in old and old[k][1] != v]
    added = [(*k, v) for k, v in new.items() if k not in old]
    for start in range(0, len(gone), 5000):
        model.objects.filter(pk__in=gone[start : start + 5000]).delete()
    if changed:
        q = connection.ops.quote_name
        pk = q(model._meta.pk.column)
        sql = f"UPDATE {q(model._meta.db_table)} SET {q(value)} = %s WHERE {pk} = %s"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.executemany(sql, changed)
    _insert(model, [*names, value], added)


def _write_changes(chunk: list[dt.date], counts: _Counts, month_changes: Counter) -> None:
    """Write the days' new counts where they differ from what is stored, and note the
    differences for the month rows (a change to one complaint rewrites a handful of rows)."""
    date = connection.ops.adapt_datefield_value
    old = {
        (day, dim, key): (pk, n)
        for pk, day, dim, key, n in Tally.objects.filter(
            grain=Grain.DAY, day__in=chunk
        ).values_list("pk", "day", "dim", "key", "n")
    }
    for (day, dim, key), (_, n) in old.items():
        month_changes[month_start(day), dim, key] -= n
    for (day, dim, key), n in counts.tally.items():
        month_changes[month_start(day), dim, key] += n
    _sync(
        Tally,
        {(Grain.DAY.value, date(d), dim, key): v for (d, dim, key), v in old.items()},
        {(Grain.DAY.value, date(d), dim, key): n for (d, dim, key), n in counts.tally.items()},
        ["grain", "day", "dim", "key"],
    )
    old_minutes = {
        (date(day), stage, m): (pk, n)
        for pk, day, stage, m, n in DurationCount.objects.filter(day__in=chunk).values_list(
            "pk", "day", "stage", "minutes", "n"
        )
    }
    _sync(
        DurationCount,
        old_minutes,
        {(date(d), stage, m): n for (d, stage, m), n in counts.minutes.items()},
        ["day", "stage", "minutes"],
    )
    # Counted: one row per complaint, as counted now.
    moment = connection.ops.adapt_datetimefield_value
    known = {
        pk: (at, day, n)
        for pk, at, day, n in Counted.objects.filter(day__in=chunk).values_list(
            "complaint_id", "updated_at", "day", "ratings"
        )
    }
    now_counted = {pk: (at, day, n) for pk, at, day, n in counts.counted}
    stale = sorted(pk for pk, row in known.items() if now_counted.get(pk) != row)
    for start in range(0, len(stale), 5000):
        Counted.objects.filter(complaint_id__in=stale[start : start + 5000]).delete()
    _insert(
        Counted,
        ["complaint_id", "updated_at", "day", "ratings"],
        [
            (pk, moment(at), date(d), n)
            for pk, (at, d, n) in now_counted.items()
            if known.get(pk) != (at, d, n)
        ],
    )


def _apply_to_months(changes: Counter) -> None:
    """Add the day rows' differences to the month rows."""
    changes = {k: v for k, v in changes.items() if v}
    if not changes:
        return
    date = connection.ops.adapt_datefield_value
    months = sorted({month for month, _, _ in changes})
    old = {
        (month, dim, key): (pk, n)
        for pk, month, dim, key, n in Tally.objects.filter(
            grain=Grain.MONTH, day__in=months
        ).values_list("pk", "day", "dim", "key", "n")
    }
    new = {k: v for k, (_, v) in old.items()}
    for key, delta in changes.items():
        new[key] = new.get(key, 0) + delta
    _sync(
        Tally,
        {(Grain.MONTH.value, date(m), dim, key): v for (m, dim, key), v in old.items()},
        {(Grain.MONTH.value, date(m), dim, key): n for (m, dim, key), n in new.items() if n},
        ["grain", "day", "dim", "key"],
    )


def _insert(model, names: list[str], rows: list[tuple]) -> None:
    """Plain INSERTs of ready values: bulk_create spends most of its time on model instances
    (hundreds of thousands of rows in a full rebuild)."""
    if not rows:
        return
    q = connection.ops.quote_name
    columns = ", ".join(q(model._meta.get_field(name).column) for name in names)
    one = "(" + ", ".join(["%s"] * len(names)) + ")"
    head = f"INSERT INTO {q(model._meta.db_table)} ({columns}) VALUES "  # noqa: S608
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: psycopg would otherwise parse thousands of placeholders per statement.
            with cursor.cursor.copy(
                f"COPY {q(model._meta.db_table)} ({columns}) FROM STDIN"  # noqa: S608
            ) as copy:
                for row in rows:
                    copy.write_row(row)
            return
        cursor.executemany(head + one, rows)


def _roll_up(months: set[dt.date]) -> None:
    """Month rows as the sums of their day rows."""
    table = connection.ops.quote_name(Tally._meta.db_table)
    q = connection.ops.quote_name
    adapt = connection.ops.adapt_datefield_value
    with connection.cursor() as cursor:
        for month in sorted(months):
            cursor.execute(
                f"DELETE FROM {table} WHERE {q('grain')} = %s AND {q('day')} = %s",  # noqa: S608
                [Grain.MONTH.value, adapt(month)],
            )
            cursor.execute(
                f"INSERT INTO {table} ({q('grain')}, {q('day')}, {q('dim')}, {q('key')}, {q('n')})"  # noqa: S608
                f" SELECT %s, %s, {q('dim')}, {q('key')}, SUM({q('n')}) FROM {table}"
                f" WHERE {q('grain')} = %s AND {q('day')} >= %s AND {q('day')} < %s"
                f" GROUP BY {q('dim')}, {q('key')}",
                [
                    Grain.MONTH.value,
                    adapt(month),
                    Grain.DAY.value,
                    adapt(month),
                    adapt(next_month(month)),
                ],
            )


# --- keeping fresh ---------------------------------------------------------------------


def _marks() -> tuple[dt.datetime | None, int]:
    """The latest Complaint.updated_at and Rating id there are now."""
    high = Complaint.objects.aggregate(m=Max("updated_at"))["m"]
    return high, Rating.objects.aggregate(m=Max("pk"))["m"] or 0


def rebuild() -> int:
    """Count everything again from scratch. Returns the number of days counted."""
    with transaction.atomic():
        state, _ = RefreshState.objects.select_for_update().get_or_create(name=STATE)
        _rebuild(state)
        return len(_all_days())


def _rebuild(state: RefreshState) -> None:
    started = timezone.now()
    # Read before counting: what changes meanwhile is past the marks, counted next time.
    high, rating_id = _marks()
    for model in (Tally, DurationCount, Counted, DirtyDay):
        model.objects.all().delete()
    days = _all_days()
    _count_days(days, fresh=True)
    _roll_up({month_start(d) for d in days})
    state.high, state.rating_id, state.since = high, rating_id, started
    state.built_at = timezone.now()
    state.save()
    if connection.vendor == "postgresql":
        # Fresh statistics for the planner: the tables were just filled.
        tables = ", ".join(
            connection.ops.quote_name(m._meta.db_table) for m in (Tally, DurationCount, Counted)
        )
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {tables}")


def _all_days() -> list[dt.date]:
    """Every WITA day from the first complaint or dispatch to the last."""
    span = Complaint.objects.aggregate(lo=Min("received_at"), hi=Max("received_at"))
    spans = Dispatch.objects.aggregate(lo=Min("dispatched_at"), hi=Max("dispatched_at"))
    moments = [m for m in (*span.values(), *spans.values()) if m is not None]
    if not moments:
        return []
    first, last = wita_day(min(moments)), wita_day(max(moments))
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _in_chunks(ids: list[int], size: int = 5000):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _counted(ids: list[int]) -> dict[int, tuple[dt.datetime, dt.date, int]]:
    out = {}
    for chunk in _in_chunks(ids):
        for pk, at, day, n in Counted.objects.filter(complaint_id__in=chunk).values_list(
            "complaint_id", "updated_at", "day", "ratings"
        ):
            out[pk] = (at, day, n)
    return out


@dataclass
class _Changes:
    ids: set = field(default_factory=set)
    days: set = field(default_factory=set)
    high: dt.datetime | None = None
    rating_id: int = 0

    def add(self, rows, counted) -> None:
        """rows: (pk, received_at); the day counted before is dirty as well."""
        for pk, received_at in rows:
            self.ids.add(pk)
            self.days.add(wita_day(received_at))
            if pk in counted:
                self.days.add(counted[pk][1])


def _past_marks(state: RefreshState) -> _Changes:
    """Complaints updated after the last one counted, and ratings made after it."""
    found = _Changes(high=state.high, rating_id=state.rating_id)
    complaints = Complaint.objects.order_by()
    if state.high is not None:
        complaints = complaints.filter(updated_at__gt=state.high)
    rows = list(complaints.values_list("pk", "received_at", "updated_at"))
    rated = list(Rating.objects.filter(pk__gt=state.rating_id).values_list("pk", "complaint_id"))
    if rated:
        found.rating_id = max(pk for pk, _ in rated)
        more = {c for _, c in rated} - {r[0] for r in rows}
        for chunk in _in_chunks(sorted(more)):
            rows += list(
                Complaint.objects.filter(pk__in=chunk).values_list(
                    "pk", "received_at", "updated_at"
                )
            )
    if rows:
        latest = max(r[2] for r in rows)
        found.high = latest if found.high is None else max(found.high, latest)
    found.add([(pk, at) for pk, at, _ in rows], _counted([r[0] for r in rows]))
    return found


def _since(after: dt.datetime, found: _Changes) -> None:
    """Add what changed from `after` on but is not counted as it is now: a transaction that
    committed after a later one had been counted (its updated_at is below the mark)."""
    rows = list(
        Complaint.objects.filter(updated_at__gte=after)
        .order_by()
        .values_list("pk", "received_at", "updated_at")
    )
    counted = _counted([r[0] for r in rows])
    found.add([(pk, r) for pk, r, at in rows if counted.get(pk, (None,))[0] != at], counted)
    rated = set(
        Rating.objects.filter(created_at__gte=after).values_list("complaint_id", flat=True)
    )
    if rated:
        numbers = Counter()
        for chunk in _in_chunks(sorted(rated)):
            numbers.update(
                Rating.objects.filter(complaint_id__in=chunk).values_list(
                    "complaint_id", flat=True
                )
            )
        counted = _counted(sorted(rated))
        stale = [pk for pk in rated if counted.get(pk, (None, None, 0))[2] != numbers[pk]]
        for chunk in _in_chunks(stale):
            found.add(
                Complaint.objects.filter(pk__in=chunk).values_list("pk", "received_at"), counted
            )


def _dispatch_days(ids: list[int]) -> set[dt.date]:
    out = set()
    for chunk in _in_chunks(ids):
        out |= {
            wita_day(at)
            for at in Dispatch.objects.filter(complaint_id__in=chunk)
            .order_by()
            .values_list("dispatched_at", flat=True)
        }
    return out


def _touch(days: set[dt.date], ids: list[int]) -> None:
    """Count a change against every month it shows in: the months of the days counted
    again, the month after each (its "previous month" figure), and the months the changed
    complaints were completed in."""
    months = {month_start(d) for d in days}
    months |= {next_month(m) for m in months}
    for chunk in _in_chunks(ids):
        done = Complaint.objects.filter(pk__in=chunk, done_at__isnull=False)
        months |= {month_start(wita_day(at)) for at in done.values_list("done_at", flat=True)}
    for month in months:
        if not MonthVersion.objects.filter(month=month).update(version=F("version") + 1):
            MonthVersion.objects.create(month=month, version=1)


def month_version(month: dt.date) -> str:
    """A word that changes whenever what the tables hold of the month (its 1st) does: from
    the quick refresh, or when the tables are built again."""
    refresh()
    built_at = RefreshState.objects.get(name=STATE).built_at
    version = MonthVersion.objects.filter(month=month).values_list("version", flat=True)
    return f"{built_at.timestamp():.6f}:{version.first() or 0}"


def refresh(*, thorough: bool = False) -> int:
    """Bring the tables up to date; returns the number of days counted again.

    Quick (before every read): what lies past the marks, and days marked dirty; three
    indexed queries and no write when nothing changed. Thorough (the worker, every minute):
    also what changed since MARGIN before the last thorough check began."""
    state = RefreshState.objects.filter(name=STATE).first()
    if state is None or state.built_at is None:
        return rebuild()
    if not thorough:
        # MAX() reads the end of an index whatever the planner's statistics say.
        high, rating_id = _marks()
        unchanged = high is None or (state.high is not None and high <= state.high)
        if unchanged and rating_id <= state.rating_id and not DirtyDay.objects.exists():
            return 0
    with transaction.atomic():
        # One refresh at a time (a row lock on PostgreSQL; SQLite writes one at a time).
        state = RefreshState.objects.select_for_update().get(name=STATE)
        started = timezone.now()
        found = _past_marks(state)
        if thorough and state.since is not None:
            _since(state.since - MARGIN, found)
        if len(found.ids) > FULL_REBUILD_FROM:
            _rebuild(state)
            return len(_all_days())
        dirty = list(DirtyDay.objects.values_list("day", flat=True))
        ids = sorted(found.ids)
        days = found.days | _dispatch_days(ids) | set(dirty)
        for chunk in _in_chunks(ids):
            Counted.objects.filter(complaint_id__in=chunk).delete()
        _count_days(sorted(days))
        _touch(days, ids)
        DirtyDay.objects.filter(day__in=dirty).delete()
        state.high, state.rating_id = found.high, found.rating_id
        if thorough:
            state.since = started
        state.save()
    return len(days)


# --- reading ---------------------------------------------------------------------------


def _percentiles(buckets: dict[str, dict[int, int]], start, end) -> dict[str, list]:
    """Per stage, the nearest-rank median and p90 in whole minutes (None when no values).

    The coarse histogram says which bucket holds each rank; one query then reads the
    minute counts of just those buckets."""
    targets = []  # (stage, index, low, high, rank within the bucket)
    out: dict[str, list] = {stage: [None, None] for stage in buckets}
    for stage, counts in buckets.items():
        total = sum(counts.values())
        for index, p in enumerate((0.5, 0.9)):
            if not total:
                continue
            rank = max(1, math.ceil(p * total))
            before = 0
            for bucket in sorted(counts):
                if before + counts[bucket] >= rank:
                    break
                before += counts[bucket]
            low, high = bucket_range(bucket)
            targets.append((stage, index, low, high, rank - before))
    if not targets:
        return out
    q = connection.ops.quote_name
    table = q(DurationCount._meta.db_table)
    date = connection.ops.adapt_datefield_value
    parts, params = [], []
    for number, (stage, _, low, high, _) in enumerate(targets):
        parts.append(
            f"SELECT {number} AS t, {q('minutes')} AS m, SUM({q('n')}) AS c FROM {table}"  # noqa: S608
            f" WHERE {q('stage')} = %s AND {q('minutes')} >= %s AND {q('minutes')} < %s"
            f" AND {q('day')} >= %s AND {q('day')} <= %s GROUP BY {q('minutes')}"
        )
        params += [stage, low, high if high is not None else 2**31 - 1, date(start), date(end)]
    # Names from the models' metadata, quoted; every value goes as a parameter.
    sql = " UNION ALL ".join(
        f"SELECT * FROM ({part}) AS p{i}"  # noqa: S608
        for i, part in enumerate(parts)
    )
    rows: dict[int, list] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(sql + " ORDER BY 1, 2", params)
        for number, minutes, n in cursor.fetchall():
            rows[number].append((minutes, n))
    for number, (stage, index, _, _, rank) in enumerate(targets):
        seen = 0
        for minutes, n in rows[number]:
            seen += n
            if seen >= rank:
                out[stage][index] = minutes
                break
    return out


def read(start: dt.date, end: dt.date) -> f.Summary:
    """The figures of WITA days start..end from the tables (refreshed first)."""
    refresh()
    now = timezone.now()
    tallies: dict[str, dict[str, int]] = defaultdict(dict)
    for dim, key, n in (
        Tally.objects.filter(_period_q(start, end))
        .values("dim", "key")
        .annotate(t=Sum("n"))
        .order_by()
        .values_list("dim", "key", "t")
    ):
        tallies[dim][key] = n
    prev_start, prev_end = f.previous_period(start, end)
    previous = (
        Tally.objects.filter(_period_q(prev_start, prev_end), dim="received").aggregate(
            t=Sum("n")
        )["t"]
        or 0
    )

    by_status = [f.Row(s.value, s.label, tallies["status"].get(s.value, 0)) for s in Status]
    categories = {
        str(pk): (code, name)
        for pk, code, name in Category.objects.filter(
            pk__in=[int(k) for k in tallies["category"]]
        ).values_list("pk", "code", "name")
    }
    by_category = _rows(
        (categories[k][0], categories[k][1], n) for k, n in tallies["category"].items()
    )
    places = dict(
        Kecamatan.objects.filter(pk__in=[int(k) for k in tallies["kecamatan"] if k]).values_list(
            "pk", "name"
        )
    )
    by_kecamatan = _rows(
        (k, places[int(k)] if k else "Tanpa kecamatan", n) for k, n in tallies["kecamatan"].items()
    )
    outcomes = {
        str(pk): (code, name)
        for pk, code, name in Outcome.objects.filter(
            pk__in=[int(k) for k in tallies["outcome"]]
        ).values_list("pk", "code", "name")
    }
    by_outcome = _rows((outcomes[k][0], outcomes[k][1], n) for k, n in tallies["outcome"].items())
    grid = [[0] * 24 for _ in range(7)]
    for key, n in tallies["hour"].items():
        weekday, hour = key.split(":")
        grid[int(weekday)][int(hour)] = n

    durations = {}
    buckets = {
        stage: {int(k): n for k, n in tallies[f"bucket:{stage}"].items()} for stage in f.STAGES
    }
    ranks = _percentiles(buckets, start, end)
    for stage in f.STAGES:
        median, p90 = ranks[stage]
        durations[stage] = f.Duration(
            sum(buckets[stage].values()),
            None if median is None else float(median),
            None if p90 is None else float(p90),
        )

    # Open complaints past a due time they have not reached: late, counted live.
    lo, hi = day_start(start), day_start(end + dt.timedelta(days=1))
    waiting = Complaint.objects.filter(
        received_at__gte=lo, received_at__lt=hi, status__in=OPEN_STATUSES
    ).aggregate(
        **{
            stage: Count("pk", filter=Q(**{f"{reached}__isnull": True, f"{due}__lt": now}))
            for stage, reached, due in _STAGE_FIELDS
        }
    )
    sla = {}
    for stage in f.STAGES:
        reached = tallies[f"sla:{stage}"]
        within = reached.get("within", 0)
        measured = within + reached.get("late", 0) + (waiting[stage] or 0)
        sla[stage] = f.Sla(measured, within)

    scores = tuple(tallies["rating"].get(str(s), 0) for s in range(1, 6))
    count = sum(scores)
    ratings = f.Ratings(
        count=count,
        average=(sum(s * n for s, n in zip(range(1, 6), scores, strict=True)) / count)
        if count
        else None,
        distribution=scores,
        satisfied=sum(scores[f.SATISFIED_FROM - 1 :]),
    )

    names = dict(
        TrcTeam.objects.filter(pk__in=[int(k) for k in tallies["team"]]).values_list("pk", "name")
    )
    by_team = sorted(
        (
            f.TeamRow(int(k), names.get(int(k), f"Tim {k}"), n, tallies["team_done"].get(k, 0))
            for k, n in tallies["team"].items()
        ),
        key=lambda r: (-r.dispatches, r.name),
    )
    return f.Summary(
        start=start,
        end=end,
        received=tallies["received"].get("", 0),
        previous_received=previous,
        by_status=by_status,
        by_category=by_category,
        by_kecamatan=by_kecamatan,
        by_outcome=by_outcome,
        by_weekday_hour=tuple(tuple(row) for row in grid),
        handled=tallies["handled"].get("", 0),
        durations=durations,
        sla=sla,
        ratings=ratings,
        by_team=by_team,
        computed_at=now,
    )


def _rows(items) -> list[f.Row]:
    """Rows with a count, the largest first (then by label)."""
    rows = [f.Row(code, label, n) for code, label, n in items if n]
    return sorted(rows, key=lambda r: (-r.n, r.label))
