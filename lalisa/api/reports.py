"""GET /api/v1/reports/monthly: the monthly report file, made while the caller waits.

Same refusals as the rest of the API (lalisa.api.views): 401 no or bad token, 403 a role
without `view_reports`, 400 a bad year, month or format.
"""

import tempfile

from django.http import FileResponse

from lalisa import access
from lalisa.api.views import ApiError, bad, endpoint
from lalisa.monthly import export
from lalisa.monthly.data import month_report
from lalisa.monthly.formats import CONTENT_TYPES, Format, filename
from lalisa.monthly.period import parse_month

PARAMS = {"year", "month", "format"}


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
    except ValueError as exc:
        raise bad(str(exc)) from exc
    out = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    try:
        export.write(month_report(year, month), fmt, out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    response = FileResponse(
        out,
        as_attachment=True,
        filename=filename(year, month, fmt),
        content_type=CONTENT_TYPES[fmt],
    )
    response["Cache-Control"] = "private, no-store"
    return response
