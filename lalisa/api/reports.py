"""GET /api/v1/reports/monthly: the monthly report file. A current one is handed out at once
(the worker keeps the last full month's ready); otherwise it is made while the caller waits
and kept for the next request, listed on /laporan/ like the page's own.

Same refusals as the rest of the API (lalisa.api.views): 401 no or bad token, 403 a role
without `view_reports`, 400 a bad year, month or format, 404 a month not begun yet.
"""

from django.http import FileResponse

from lalisa import access
from lalisa.api.views import ApiError, bad, endpoint
from lalisa.monthly import current, jobs
from lalisa.monthly.formats import CONTENT_TYPES, Format, filename
from lalisa.monthly.models import MonthlyReportFile
from lalisa.monthly.period import NotBegun, parse_month

PARAMS = {"year", "month", "format"}


def _open(row):
    if row is None:
        return None
    try:
        return row.file.open("rb")
    except FileNotFoundError:  # removed from the disk: made again
        return None


@endpoint("GET")
def monthly(request):
    user = request.api_user
    if not access.has_perm(user, "view_reports"):
        raise ApiError(403, "Peran Anda tidak dapat melihat laporan bulanan.")
    unknown = set(request.GET) - PARAMS
    if unknown:
        raise bad(
            "Parameter tidak dikenal: " + ", ".join(sorted(unknown)) + ". "
            "Pakai year, month dan format."
        )
    fmt = request.GET.get("format", Format.PDF).strip().lower()
    if fmt not in Format.values:
        raise bad(f"Format «{fmt}» tidak dikenal. Pilihan: pdf, xlsx, csv.")
    try:
        year, month = parse_month(request.GET.get("year"), request.GET.get("month"))
    except NotBegun as exc:
        # Like a page past the last: a month the document allows, whose report cannot exist yet.
        raise ApiError(404, str(exc)) from exc
    except ValueError as exc:
        raise bad(str(exc)) from exc
    out = _open(current.find(year, month, fmt))
    if out is None:
        row = MonthlyReportFile.objects.create(
            year=year, month=month, format=fmt, requested_by=user
        )
        jobs.build(row.pk)  # a failure is raised, and the row marked failed
        row.refresh_from_db()
        out = row.file.open("rb")
    response = FileResponse(
        out,
        as_attachment=True,
        filename=filename(year, month, fmt),
        content_type=CONTENT_TYPES[fmt],
    )
    response["Cache-Control"] = "private, no-store"
    return response
