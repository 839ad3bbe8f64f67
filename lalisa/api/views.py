"""The JSON API (/api/v1/): bearer tokens, no cookies.

Thin views: parse → lalisa.access (404 when not visible) → the workflow function. Refusals
are answered in this order: 401 no or bad token, 403 a read-only token asked to write, 404
not visible, 403 wrong role, 409 wrong state, 400 bad input.
"""

import functools
import json
from decimal import Decimal

from django.core.exceptions import RequestDataTooBig
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, JsonResponse
from django.utils import timezone
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt

from lalisa import access
from lalisa.accounts.models import ApiToken, Role
from lalisa.api import serialize
from lalisa.api.limits import (
    ADDRESS_MAX_CHARS,
    AGENCY_MAX_CHARS,
    FALSE_WORDS,
    MAX_ID,
    SEARCH_MAX_CHARS,
    TRUE_WORDS,
)
from lalisa.api.openapi import document
from lalisa.complaints import serving, workflow
from lalisa.complaints.errors import StepRefused
from lalisa.complaints.models import (
    Category,
    Complaint,
    Dispatch,
    Media,
    Outcome,
    Priority,
    Status,
)
from lalisa.phones import InvalidPhone, normalize_phone
from lalisa.regions.models import Desa, Kecamatan
from lalisa.teams.models import TrcTeam

PAGE_SIZE = 50


class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def bad(message: str) -> ApiError:
    return ApiError(400, message)


def _error(http_status: int, message: str, **extra) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=http_status)


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _bearer_token(request) -> ApiToken | None:
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        return None
    # Revoked, expired, older than the password, or an inactive user's: none (ApiToken.find).
    return ApiToken.find(key.strip())


def endpoint(*methods: str, auth: bool = True):
    """Method check (405), bearer token (401), its scope (403: a read token only reads),
    and every refusal as a JSON answer."""

    def wrap(view):
        @csrf_exempt  # token auth, no cookies: CSRF cannot ride on a bearer token
        @functools.wraps(view)
        def run(request, *args, **kwargs):
            if request.method not in methods:
                response = _error(405, "Metode tidak diizinkan.")
                response["Allow"] = ", ".join(methods)
                return response
            if auth:
                token = _bearer_token(request)
                if token is None:
                    response = _error(401, "Token API tidak ada atau tidak berlaku.")
                    response["WWW-Authenticate"] = 'Bearer realm="api"'
                    return response
                if token.is_read_only and request.method not in READ_METHODS:
                    return _error(403, "Token API ini hanya untuk membaca.")
                request.api_user = token.user
            try:
                return view(request, *args, **kwargs)
            except Http404:
                return _error(404, "Aduan tidak ditemukan.")
            except ApiError as exc:
                return _error(exc.status, exc.message)
            except StepRefused as exc:
                return _error(exc.http_status, str(exc), step=exc.step, status=exc.state)

        return run

    return wrap


def server_error(request):
    """Django's handler500: under /api/v1/ the answer stays JSON, as the document says;
    elsewhere Django's own page."""
    if request.path.startswith("/api/"):
        return _error(500, "Terjadi kesalahan di server. Silakan coba lagi nanti.")
    return defaults.server_error(request)


def _no_constant(name: str):
    # Python's json reads NaN and Infinity, which JSON itself does not have.
    raise ValueError(f"{name} is not JSON")


def _strings(value):
    """Every text in a JSON value, keys too (without recursion: the value may be deep)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _body(request) -> dict:
    try:
        data = json.loads(request.body or b"{}", parse_constant=_no_constant)
    except RequestDataTooBig as exc:
        raise bad("Isi permintaan terlalu besar.") from exc
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise bad("Isi permintaan bukan JSON yang sah.") from exc
    if not isinstance(data, dict):
        raise bad("Isi permintaan harus berupa objek JSON.")
    # PostgreSQL neither stores nor compares text holding NUL (lalisa.web.nul for the rest).
    if any("\x00" in text for text in _strings(data)):
        raise bad("Isi permintaan memuat karakter NUL.")
    return data


def _text(data: dict, name: str, *, required: bool = False, max_length: int = 0) -> str | None:
    if name not in data:
        # The workflow says which field is missing, after its role and state checks.
        return None if required else ""
    value = data[name]
    if not isinstance(value, str):  # null too: the document says text
        raise bad(f"Kolom «{name}» harus berupa teks.")
    if max_length and len(value.strip()) > max_length:
        raise bad(f"Kolom «{name}» paling panjang {max_length} karakter.")
    return value


def _int(value, what: str) -> int:
    """A whole number from the JSON body: a JSON integer, not text, not true or false."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad(f"{what} harus berupa angka bulat.")
    if not -MAX_ID <= value <= MAX_ID:
        raise bad(f"{what} terlalu besar.")
    return value


def _param_int(text: str, what: str) -> int:
    """A whole number from the query string: the digits 0-9 only (int() also reads "²",
    "١٢", " 1" and "1_000")."""
    if not (text.isascii() and text.isdigit()):
        raise bad(f"{what} harus berupa angka bulat.")
    if len(text) > len(str(MAX_ID)) or int(text) > MAX_ID:
        raise bad(f"{what} terlalu besar.")
    return int(text)


# --- list ---------------------------------------------------------------------------------


def _truth(value: str, name: str) -> bool:
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise bad(f"Parameter «{name}» harus 1/true atau 0/false.")


def _phone_visible(user) -> Q:
    """Complaints whose reporter this user may see: only those are found by phone number, so
    a search cannot tell who filed a confidential complaint."""
    role = access.role_of(user)
    levels = [c for c, roles in access.IDENTITY_ROLES.items() if role in roles]
    q = Q(confidentiality__in=levels)
    if role == Role.TRC:
        q &= Exists(
            Dispatch.objects.filter(
                complaint=OuterRef("pk"), team_id=user.team_id, replaced_at__isnull=True
            )
        )
    return q


def _filter(user, qs, params):
    status = params.get("status", "")
    if status:
        if status not in Status.values:
            raise bad(f"Status «{status}» tidak dikenal.")
        qs = qs.filter(status=status)
    category = params.get("category", "")
    if category:
        if not Category.objects.filter(code=category).exists():
            raise bad(f"Kategori «{category}» tidak dikenal.")
        qs = qs.filter(category__code=category)
    kecamatan = params.get("kecamatan", "")
    if kecamatan:
        by_id = kecamatan.isascii() and kecamatan.isdigit()
        place = Kecamatan.objects.filter(
            Q(pk=_param_int(kecamatan, "Parameter «kecamatan»"))
            if by_id
            else Q(name__iexact=kecamatan)
        ).first()
        if place is None:
            raise bad(f"Kecamatan «{kecamatan[:40]}» tidak dikenal.")
        qs = qs.filter(kecamatan=place)
    team = params.get("team", "")
    if team:
        team_id = _param_int(team, "Parameter «team»")
        if not TrcTeam.objects.filter(pk=team_id).exists():
            raise bad(f"Tim {team_id} tidak dikenal.")
        # The team sent to it now (a replaced dispatch no longer counts).
        qs = qs.filter(
            Exists(
                Dispatch.objects.filter(
                    complaint=OuterRef("pk"), team_id=team_id, replaced_at__isnull=True
                )
            )
        )
    overdue = params.get("overdue", "")
    if overdue:
        late = Q(due_at__lt=timezone.now())
        qs = qs.filter(late) if _truth(overdue, "overdue") else qs.exclude(late)
    q = params.get("q", "").strip()
    if len(q) > SEARCH_MAX_CHARS:
        raise bad(f"Parameter «q» paling panjang {SEARCH_MAX_CHARS} karakter.")
    if q:
        found = Q(code__icontains=q) | Q(description__icontains=q)
        try:
            phone = normalize_phone(q)
        except InvalidPhone:
            phone = None
        if phone:
            found |= Q(reporter__phone=phone) & _phone_visible(user)
        qs = qs.filter(found)
    return qs


@endpoint("GET")
def complaints(request):
    user = request.api_user
    if not access.has_perm(user, "view_complaints"):
        raise ApiError(403, "Peran Anda tidak dapat melihat aduan.")
    qs = _filter(user, access.visible_complaints(user), request.GET)
    qs = qs.select_related("category", "kecamatan").order_by("-received_at", "-pk")
    paginator = Paginator(qs, PAGE_SIZE)
    page_no = _param_int(request.GET.get("page") or "1", "Parameter «page»")
    if page_no < 1 or page_no > paginator.num_pages:
        raise ApiError(404, f"Halaman {page_no} tidak ada (ada {paginator.num_pages}).")
    page = paginator.page(page_no)
    return JsonResponse(
        {
            "count": paginator.count,
            "page": page_no,
            "pages": paginator.num_pages,
            "results": [serialize.complaint_summary(c) for c in page],
        }
    )


# --- one complaint ------------------------------------------------------------------------


def _detail(user, complaint: Complaint) -> JsonResponse:
    complaint.refresh_from_db()
    return JsonResponse(serialize.complaint_detail(user, complaint))


@endpoint("GET", "PATCH")
def complaint(request, code):
    user = request.api_user
    found = access.get_complaint_for(user, code)  # 404 when not visible
    if request.method == "PATCH":
        data = _body(request)
        _precheck("correct", found, user)
        changes, reason = _corrections(data)
        workflow.correct(found, actor=user, reason=reason, **changes)
    return _detail(user, found)


LOCATION_FIELDS = {"lat", "lng", "address", "kecamatan", "desa"}


def _coordinate(value, name: str, limit: int) -> Decimal | None:
    if value is None:
        return None
    # A JSON number (the staff form's text comes as a Decimal), never text or true/false.
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise bad(f"«{name}» harus berupa angka.")
    number = Decimal(str(value))
    if not number.is_finite():  # NaN or infinity: a comparison with them raises
        raise bad(f"«{name}» harus berupa angka.")
    if not -limit <= number <= limit:
        raise bad(f"«{name}» di luar rentang ±{limit}.")
    return number.quantize(Decimal("0.000001"))


def _corrections(data: dict) -> tuple[dict, str]:
    unknown = set(data) - {"category", "priority", "location", "reason"}
    if unknown:
        raise bad("Kolom tidak dikenal: " + ", ".join(sorted(unknown)) + ".")
    changes = {}
    if "category" in data:
        category = Category.objects.filter(code=data["category"], active=True).first()
        if category is None:
            raise bad(f"Kategori «{data['category']}» tidak dikenal.")
        changes["category"] = category
    if "priority" in data:
        if data["priority"] not in Priority.values:
            raise bad("Prioritas harus salah satu dari: " + ", ".join(Priority.values) + ".")
        changes["priority"] = data["priority"]
    location = data.get("location", {})
    if not isinstance(location, dict):
        raise bad("«location» harus berupa objek.")
    if "location" in data and not location:
        raise bad("«location» kosong: kirim lat dan lng, address, kecamatan atau desa.")
    unknown = set(location) - LOCATION_FIELDS
    if unknown:
        raise bad("Kolom lokasi tidak dikenal: " + ", ".join(sorted(unknown)) + ".")
    if ("lat" in location) != ("lng" in location):
        raise bad("«lat» dan «lng» diubah bersama.")
    if "lat" in location:
        changes["lat"] = _coordinate(location["lat"], "lat", 90)
        changes["lng"] = _coordinate(location["lng"], "lng", 180)
    if "address" in location:
        if not isinstance(location["address"], str):
            raise bad("«address» harus berupa teks.")
        if len(location["address"].strip()) > ADDRESS_MAX_CHARS:
            raise bad(f"«address» paling panjang {ADDRESS_MAX_CHARS} karakter.")
        changes["address"] = location["address"].strip()
    if "kecamatan" in location:
        pk = _int(location["kecamatan"], "«kecamatan»")
        changes["kecamatan"] = Kecamatan.objects.filter(pk=pk).first()
        if changes["kecamatan"] is None:
            raise bad(f"Kecamatan {pk} tidak dikenal.")
    if "desa" in location:
        desa = None
        if location["desa"] is not None:
            pk = _int(location["desa"], "«desa»")
            desa = Desa.objects.filter(pk=pk).first()
            if desa is None:
                raise bad(f"Desa {pk} tidak dikenal.")
            # A desa names its kecamatan: no need to send both.
            changes.setdefault("kecamatan", desa.kecamatan)
        changes["desa"] = desa
    if not changes:
        raise bad("Tidak ada yang diubah: kirim category, priority atau location.")
    return changes, _text(data, "reason")


# --- actions ------------------------------------------------------------------------------


def _precheck(step: str, complaint: Complaint, user) -> None:
    # The workflow's own role and state check, run before the input is read: a caller who
    # may not take the step hears 403 or 409, not what was wrong with the input.
    workflow._check(step, complaint, workflow._actor(user))


def _team(data) -> TrcTeam:
    if data.get("team") is None:
        raise bad("Kolom «team» wajib diisi (id tim dari /api/v1/teams).")
    team = TrcTeam.objects.filter(pk=_int(data["team"], "«team»")).first()
    if team is None:
        raise bad(f"Tim {data['team']} tidak dikenal.")
    return team


def _original(user, data) -> Complaint:
    code = data.get("of")
    if not isinstance(code, str) or not code.strip():
        raise bad("Kolom «of» wajib diisi dengan kode tiket aduan asal.")
    original = access.visible_complaints(user).filter(code=code.strip()).first()
    if original is None:
        raise bad(f"Aduan {code} tidak ditemukan.")
    return original


def _outcome(data) -> Outcome:
    code = data.get("outcome")
    if not isinstance(code, str) or not code.strip():
        raise bad("Kolom «outcome» wajib diisi dengan kode hasil penanganan.")
    outcome = Outcome.objects.filter(code=code, active=True).first()
    if outcome is None:
        raise bad(f"Hasil penanganan «{code}» tidak dikenal.")
    return outcome


def _citizen_photo(data) -> int | None:
    return _int(data["citizen_photo"], "«citizen_photo»") if "citizen_photo" in data else None


def _photos(data) -> list[int]:
    photos = data.get("photos", [])
    if not isinstance(photos, list):
        raise bad("«photos» harus berupa daftar id media.")
    return [_int(p, "Id foto") for p in photos]


def _reply(complaint: Complaint, user, data: dict) -> Complaint:
    # Who may write to this reporter is refused (403) before the text is read (400).
    workflow.check_reply(complaint, actor=user)
    return workflow.reply(complaint, actor=user, text=_text(data, "text", required=True))


# Each action: how to read its input and call its workflow function.
ACTIONS = {
    "verify": lambda c, u, d: workflow.verify(c, actor=u, reason=_text(d, "reason")),
    "request_info": lambda c, u, d: workflow.request_info(
        c, actor=u, question=_text(d, "question", required=True)
    ),
    "reject": lambda c, u, d: workflow.reject(
        c,
        actor=u,
        reason=_text(d, "reason", required=True),
        reason_code=_text(d, "reason_code"),
    ),
    "refer": lambda c, u, d: workflow.refer(
        c,
        actor=u,
        agency=_text(d, "agency", required=True, max_length=AGENCY_MAX_CHARS),
        reason=_text(d, "reason"),
    ),
    "mark_duplicate": lambda c, u, d: workflow.mark_duplicate(
        c, actor=u, of=_original(u, d), reason=_text(d, "reason")
    ),
    "dispatch": lambda c, u, d: workflow.dispatch(
        c, actor=u, team=_team(d), reason=_text(d, "reason")
    ),
    "decline": lambda c, u, d: workflow.decline(
        c, actor=u, reason=_text(d, "reason", required=True)
    ),
    "accept": lambda c, u, d: workflow.accept(c, actor=u, reason=_text(d, "reason")),
    "arrive": lambda c, u, d: workflow.arrive(c, actor=u, reason=_text(d, "reason")),
    "complete": lambda c, u, d: workflow.complete(
        c,
        actor=u,
        note=_text(d, "note", required=True),
        outcome=_outcome(d),
        photos=_photos(d),
        citizen_photo=_citizen_photo(d),
    ),
    "close": lambda c, u, d: workflow.close(c, actor=u, reason=_text(d, "reason")),
    "reply": _reply,
}


@endpoint("POST")
def actions(request, code):
    user = request.api_user
    found = access.get_complaint_for(user, code)  # 404 when not visible
    data = _body(request)
    action = data.get("action")
    if not isinstance(action, str) or action not in ACTIONS:
        raise bad("Aksi tidak dikenal. Pilihan: " + ", ".join(ACTIONS) + ".")
    if action != "reply":  # reply is no step of the flow: workflow.reply checks the role
        _precheck(action, found, user)
    ACTIONS[action](found, user, data)
    return _detail(user, found)


# --- media, teams, the document -----------------------------------------------------------


@serving.sandboxed
@endpoint("GET")
def media(request, pk):
    user = request.api_user
    item = Media.objects.filter(
        pk=pk, complaint__in=access.visible_complaints(user).values("pk")
    ).first()
    try:
        return serving.serve(item)
    except serving.FileMissing as exc:
        raise ApiError(404, str(exc)) from exc


TEAM_ROLES = frozenset({Role.ADMIN, Role.KABID, Role.PIMPINAN, Role.TRC})


@endpoint("GET")
def teams(request):
    user = request.api_user
    if access.role_of(user) not in TEAM_ROLES:
        raise ApiError(403, "Peran Anda tidak dapat melihat daftar tim.")
    rows = TrcTeam.objects.prefetch_related("kecamatan", "members")
    return JsonResponse({"results": [serialize.team(t, user) for t in rows]})


@endpoint("GET", auth=False)
def openapi(request):
    return JsonResponse(document())


# Every method: an unknown address is 404 (after the token check) whatever was asked.
ALL_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")


@endpoint(*ALL_METHODS)
def unknown(request, path=""):
    """Anything under /api/v1/ that no route takes (a mistyped path, an id that is no number)
    is answered in JSON like every other refusal, not with the site's HTML page."""
    raise ApiError(404, "Alamat API tidak dikenal. Lihat /api/v1/openapi.json.")
