"""From a dashboard number to the complaints behind it: the staff inbox's extra filters.

The inbox (lalisa.web.views) already filters by status, category, kecamatan, overdue and
received date (dari/sampai, WITA days). The dashboard's numbers need a few more, defined
here the way lalisa.reports.figures counts:

    hari=1..7      received on that ISO weekday (1 = Senin), WITA
    jam=0..23      received in that WITA hour
    selesai=1      handled: done or closed
    hasil=CODE     with that outcome
    tercapai=STAGE reached the stage (verify, dispatch, arrive, finish)
    sla=STAGE-ok   reached the stage by its due time
    sla=STAGE-late reached it after its due time, or open, not reached and past it now
    rating=1..5    has a rating with that score; "puas" 4 or 5; "ada" any
    kecamatan=tanpa  without a kecamatan
"""

from urllib.parse import urlencode

from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay
from django.urls import reverse
from django.utils import timezone

from lalisa.complaints.models import OPEN_STATUSES, Rating, Status
from lalisa.reports.figures import STAGE_LABELS, STAGES
from lalisa.timefmt import DAYS, WITA

FILTERS = ("hari", "jam", "selesai", "hasil", "tercapai", "sla", "rating")
NO_KECAMATAN = "tanpa"
RATINGS = {str(n): (n, n) for n in range(1, 6)} | {"puas": (4, 5), "ada": (1, 5)}
RATING_LABELS = {str(n): f"Nilai {n}" for n in range(1, 6)} | {
    "puas": "Puas (nilai 4–5)",
    "ada": "Ada penilaian",
}
SLA_RESULTS = {"ok": "tepat waktu", "late": "terlambat"}
ALLOWED = {
    "hari": {str(n) for n in range(1, 8)},
    "jam": {str(n) for n in range(24)},
    "selesai": {"1"},
    "tercapai": set(STAGES),
    "sla": {f"{stage}-{result}" for stage in STAGES for result in SLA_RESULTS},
    "rating": set(RATINGS),
}


def clean(chosen: dict, params) -> dict:
    """Drop values nobody could have picked; keep kecamatan=tanpa (the inbox drops non-ids)."""
    chosen = dict(chosen)
    if params.get("kecamatan", "").strip() == NO_KECAMATAN:
        chosen["kecamatan"] = NO_KECAMATAN
    for name, values in ALLOWED.items():
        if name in chosen and chosen[name] not in values:
            del chosen[name]
    if "hasil" in chosen and len(chosen["hasil"]) > 40:
        del chosen["hasil"]
    return chosen


def apply(qs, chosen: dict):
    """The complaints of `qs` that pass the filters above."""
    if chosen.get("kecamatan") == NO_KECAMATAN:
        qs = qs.filter(kecamatan__isnull=True)
    if chosen.get("hari"):
        qs = qs.annotate(_weekday=ExtractIsoWeekDay("received_at", tzinfo=WITA))
        qs = qs.filter(_weekday=int(chosen["hari"]))
    if chosen.get("jam"):
        qs = qs.annotate(_hour=ExtractHour("received_at", tzinfo=WITA))
        qs = qs.filter(_hour=int(chosen["jam"]))
    if chosen.get("selesai"):
        qs = qs.filter(status__in=[Status.DONE, Status.CLOSED])
    if chosen.get("hasil"):
        qs = qs.filter(outcome__code=chosen["hasil"])
    if chosen.get("tercapai"):
        reached, _ = STAGES[chosen["tercapai"]]
        qs = qs.filter(**{f"{reached}__isnull": False})
    if chosen.get("sla"):
        stage, result = chosen["sla"].split("-")
        reached, due = STAGES[stage]
        if result == "ok":
            qs = qs.filter(**{f"{reached}__lte": F(due)})
        else:
            late = Q(**{f"{reached}__gt": F(due)}) | Q(
                **{f"{reached}__isnull": True, f"{due}__lt": timezone.now()},
                status__in=OPEN_STATUSES,
            )
            qs = qs.filter(late, **{f"{due}__isnull": False})
    if chosen.get("rating"):
        low, high = RATINGS[chosen["rating"]]
        rated = Rating.objects.filter(complaint=OuterRef("pk"), score__gte=low, score__lte=high)
        qs = qs.filter(Exists(rated))
    return qs


def describe(chosen: dict) -> list[tuple[str, str]]:
    """(name, what it means) for the filters above that are set, for the inbox form."""
    out = []
    if chosen.get("hari"):
        out.append(("hari", f"Hari {DAYS[int(chosen['hari']) - 1]}"))
    if chosen.get("jam"):
        hour = int(chosen["jam"])
        out.append(("jam", f"Pukul {hour:02d}.00–{hour:02d}.59 WITA"))
    if chosen.get("selesai"):
        out.append(("selesai", "Sudah ditangani (selesai atau ditutup)"))
    if chosen.get("hasil"):
        from lalisa.complaints.models import Outcome

        outcome = Outcome.objects.filter(code=chosen["hasil"]).first()
        out.append(("hasil", f"Hasil: {outcome.name if outcome else chosen['hasil']}"))
    if chosen.get("tercapai"):
        out.append(("tercapai", f"Sudah sampai tahap {STAGE_LABELS[chosen['tercapai']]}"))
    if chosen.get("sla"):
        stage, result = chosen["sla"].split("-")
        out.append(("sla", f"{STAGE_LABELS[stage]} {SLA_RESULTS[result]}"))
    if chosen.get("rating"):
        out.append(("rating", RATING_LABELS[chosen["rating"]]))
    return out


def inbox_url(*, base: str | None = None, **filters) -> str:
    """The inbox with these filters (None and "" left out). `base`: the inbox's path, when
    the caller has it (reverse() costs more than the rest, a page makes hundreds)."""
    params = {k: v for k, v in filters.items() if v not in (None, "")}
    base = base or reverse("web:home")
    return f"{base}?{urlencode(params)}" if params else base
