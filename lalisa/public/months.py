"""The public page's figures: this month (so far) and last month, WITA.

Totals (received, handled, time to done, satisfaction) count every complaint; the
breakdowns by category and kecamatan leave out *rahasia* complaints (DESIGN.md: counted
only in totals). lalisa.reports.figures.summary() counts them everywhere, so their share is
taken off its breakdowns here.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.cache import cache
from django.db.models import Count

from lalisa.complaints.models import Complaint, Confidentiality
from lalisa.monthly.numbers import month_label
from lalisa.regions.models import Kecamatan
from lalisa.reports import dayrange
from lalisa.reports.figures import Summary, summary

# Anonymous visitors must not recount the tables on every request.
CACHE_SECONDS = 60
NO_KECAMATAN = "Tanpa kecamatan"


@dataclass(frozen=True)
class Month:
    first: date
    last: date  # the last day counted: today for the current month
    whole: bool  # False: the month is not over yet
    figures: Summary
    by_category: dict[str, tuple[str, int]]  # code -> (label, n), without rahasia
    by_kecamatan: dict[str, tuple[str, int]]  # kecamatan pk ("" none) -> (label, n)

    @property
    def label(self) -> str:
        return month_label(self.first.year, self.first.month)

    @property
    def handled_share(self) -> float | None:
        received = self.figures.received
        return self.figures.handled / received if received else None


def months(today: date | None = None) -> tuple[Month, Month]:
    """(this month up to today, last month), WITA."""
    today = today or dayrange.today()
    first = today.replace(day=1)
    before_last = first - timedelta(days=1)
    return _month(first, today, whole=False), _month(
        before_last.replace(day=1), before_last, whole=True
    )


def _month(first: date, last: date, *, whole: bool) -> Month:
    key = f"public:month:{first.isoformat()}:{last.isoformat()}"
    found = cache.get(key)
    if found is None:
        found = _count(first, last, whole)
        cache.set(key, found, CACHE_SECONDS)
    return found


def _count(first: date, last: date, whole: bool) -> Month:
    figures = summary(first, last)
    period = dayrange.DayRange(first, last)
    secret = (
        Complaint.objects.filter(
            received_at__gte=period.start,
            received_at__lt=period.end,
            confidentiality=Confidentiality.RAHASIA,
        )
        .order_by()
        .values_list("category__code", "kecamatan_id")
        .annotate(n=Count("pk"))
    )
    secret_category, secret_kecamatan = Counter(), Counter()
    for category, kecamatan_id, n in secret:
        secret_category[category] += n
        secret_kecamatan[str(kecamatan_id) if kecamatan_id else ""] += n
    by_category = {
        row.code: (row.label, row.n - secret_category[row.code]) for row in figures.by_category
    }
    by_kecamatan = {
        row.code: (row.label, row.n - secret_kecamatan[row.code]) for row in figures.by_kecamatan
    }
    return Month(first, last, whole, figures, by_category, by_kecamatan)


@dataclass(frozen=True)
class Line:
    label: str
    now: int
    before: int


def category_lines(now: Month, before: Month) -> list[Line]:
    """Categories with complaints in either month, the most now first."""
    codes = {c for c, (_, n) in now.by_category.items() if n} | {
        c for c, (_, n) in before.by_category.items() if n
    }
    lines = [
        Line(
            (now.by_category.get(c) or before.by_category[c])[0],
            now.by_category.get(c, ("", 0))[1],
            before.by_category.get(c, ("", 0))[1],
        )
        for c in codes
    ]
    return sorted(lines, key=lambda x: (-x.now, -x.before, x.label))


def kecamatan_lines(now: Month, before: Month) -> list[Line]:
    """Every kecamatan (zeros too, by name), then complaints without one if any."""
    lines = [
        Line(
            k.name,
            now.by_kecamatan.get(str(k.pk), ("", 0))[1],
            before.by_kecamatan.get(str(k.pk), ("", 0))[1],
        )
        for k in Kecamatan.objects.order_by("name")
    ]
    nowhere = Line(
        NO_KECAMATAN, now.by_kecamatan.get("", ("", 0))[1], before.by_kecamatan.get("", ("", 0))[1]
    )
    return lines + ([nowhere] if nowhere.now or nowhere.before else [])
