"""The monthly report page (/laporan/): pick a month and a format, the file is made in the
background, the page follows its progress and offers the download.

Open to every role with `view_reports` (admin, kabid, pimpinan); every file made is the same
whoever asked for it (see lalisa.monthly.data on what a file shows), so they share the list.
"""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from lalisa import access
from lalisa.monthly import current, jobs, numbers
from lalisa.monthly.formats import CONTENT_TYPES, Format
from lalisa.monthly.models import MonthlyReportFile
from lalisa.monthly.period import default_month, parse_month, year_choices
from lalisa.timefmt import MONTHS, format_wita
from lalisa.web.middleware import background

RECENT = 15
REFUSED = "Laporan bulanan hanya untuk admin, Kabid dan pimpinan."


def _refused(request, *, json: bool = False):
    if json:
        return JsonResponse({"error": REFUSED}, status=403)
    return render(request, "web/forbidden.html", {"message": REFUSED}, status=403)


def _size(size: int | None) -> str:
    if not size:
        return ""
    if size < 1024 * 1024:
        return f"{numbers.integer(max(1, round(size / 1024)))} KB"
    return f"{numbers.decimal(size / 1024 / 1024)} MB"


def status_of(row: MonthlyReportFile) -> dict:
    """What the page's script shows of one file."""
    return {
        "id": row.pk,
        "status": row.status,
        "status_label": row.get_status_display(),
        "progress": row.progress,
        "pending": row.is_pending,
        "error": row.error,
        "name": row.download_name,
        "size": _size(row.size),
        "download_url": (
            reverse("monthly:download", args=[row.pk]) if row.status == row.Status.DONE else ""
        ),
    }


@login_required
@require_http_methods(["GET", "POST"])
def reports_page(request):
    if not access.has_perm(request.user, "view_reports"):
        return _refused(request)
    year, month = default_month()
    chosen = {"year": year, "month": month, "format": Format.PDF.value}
    error = ""
    if request.method == "POST":
        fmt = request.POST.get("format", "")
        try:
            year, month = parse_month(request.POST.get("year"), request.POST.get("month"))
            if fmt not in Format.values:
                raise ValueError("Pilih format: PDF, Excel atau CSV.")
        except ValueError as exc:
            error = str(exc)
            chosen.update(
                year=request.POST.get("year", ""),
                month=request.POST.get("month", ""),
                format=fmt,
            )
        else:
            row = jobs.request_report(year, month, fmt, request.user)
            return redirect(f"{reverse('monthly:page')}?berkas={row.pk}")
    jobs.fail_stale()
    recent = list(MonthlyReportFile.objects.select_related("requested_by")[:RECENT])
    for row in recent:
        row.state = status_of(row)
        row.requested_label = format_wita(row.created_at)
    ready_year, ready_month = default_month()
    made = current.find_all(ready_year, ready_month)
    ready = [made[fmt] for fmt in Format.values if fmt in made]
    for row in ready:
        row.made_label = format_wita(row.finished_at)
    context = {
        "ready": ready,
        "ready_label": numbers.month_label(ready_year, ready_month),
        "chosen": {k: str(v) for k, v in chosen.items()},
        "years": [str(y) for y in year_choices()],
        "months": [(str(i), name) for i, name in enumerate(MONTHS, 1)],
        "formats": Format.choices,
        "error": error,
        "recent": recent,
        "highlight": request.GET.get("berkas", ""),
    }
    return render(request, "monthly/page.html", context, status=400 if error else 200)


@background  # polled while a file is being made
@login_required
@require_GET
def file_status(request, pk):
    if not access.has_perm(request.user, "view_reports"):
        return _refused(request, json=True)
    jobs.fail_stale()
    row = get_object_or_404(MonthlyReportFile, pk=pk)
    response = JsonResponse(status_of(row))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def download(request, pk):
    if not access.has_perm(request.user, "view_reports"):
        return _refused(request)
    row = get_object_or_404(MonthlyReportFile, pk=pk, status=MonthlyReportFile.Status.DONE)
    try:
        handle = row.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404("Berkas laporan tidak ditemukan.") from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=row.download_name,
        content_type=CONTENT_TYPES[row.format],
    )
    response["Cache-Control"] = "private, no-store"
    return response
