"""The step forms on the staff pages: what each form needs, and the POST views that take a step.

A view: parse the form → access.get_complaint_for (404) → the workflow's own role and state
check (403, 409) → the input (400) → the workflow function → redirect back with a message.
The input is read with the JSON API's parsers, so both ask the same questions.
"""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from lalisa import access, filetypes
from lalisa.api.views import ACTIONS, ApiError, _corrections, _precheck
from lalisa.complaints import uploads, workflow
from lalisa.complaints.errors import RoleRefused, StepRefused
from lalisa.complaints.models import Category, Complaint, Media, Outcome, Priority
from lalisa.regions.models import Kecamatan
from lalisa.teams import suggest

REASON_CODES = [
    ("bukan_kewenangan", "Bukan kewenangan Satpol PP"),
    ("tidak_lengkap", "Keterangan tidak lengkap"),
    ("tidak_benar", "Laporan tidak benar"),
    ("lainnya", "Lainnya"),
]

AGENCIES = [
    "SP4N-LAPOR!",
    "Polres Balangan",
    "Dinas Perhubungan",
    "DLH (Dinas Lingkungan Hidup)",
    "Dinas PUPR",
    "Dinas Sosial",
    "BPBD Balangan",
    "Kecamatan setempat",
]

CANNED_REPLIES = [
    "Terima kasih, aduan Anda sedang kami proses.",
    "Mohon kirim titik lokasi (share location) agar tim dapat menemukan tempatnya.",
    "Mohon kirim foto kejadian bila ada.",
    "Tim kami sedang menuju lokasi.",
    "Aduan Anda sudah ditangani. Terima kasih atas laporannya.",
]

DONE_MESSAGES = {
    "verify": "Aduan {code} diverifikasi.",
    "request_info": "Permintaan keterangan untuk aduan {code} dikirim kepada pelapor.",
    "reject": "Aduan {code} ditolak.",
    "refer": "Aduan {code} dialihkan.",
    "mark_duplicate": "Aduan {code} digabung sebagai duplikat.",
    "dispatch": "Tim ditugaskan untuk aduan {code}.",
    "decline": "Aduan {code} tidak ditindaklanjuti.",
    "accept": "Tugas aduan {code} diterima.",
    "arrive": "Tiba di lokasi aduan {code} dicatat.",
    "complete": "Penanganan aduan {code} selesai dicatat.",
    "close": "Aduan {code} ditutup.",
    "correct": "Data aduan {code} dikoreksi.",
}

# Where a form may send the user back to, besides the complaint page.
RETURN_PATHS = ("/tinjau/", "/tugas/", "/")


def images_of(complaint: Complaint):
    # Shown as thumbnails: only what its content showed to be an image (lalisa.filetypes).
    return [
        m
        for m in complaint.media.all()
        if m.kind in (Media.Kind.IMAGE, Media.Kind.STICKER)
        and m.file
        and m.mime_type in filetypes.IMAGE_TYPES
    ]


def forms_for(user, complaint: Complaint, *, back: str = "") -> dict:
    """What the step forms on a page need for this complaint and user."""
    steps = access.available_steps(user, complaint)
    steps = [s for s in steps if s in DONE_MESSAGES]
    data = {"complaint": complaint, "steps": steps, "back": back}
    if "dispatch" in steps:
        active = complaint.active_dispatch
        data["choices"] = [
            c for c in suggest.choices(complaint) if active is None or c.team.pk != active.team_id
        ]
    if "complete" in steps:
        data["outcomes"] = Outcome.objects.filter(active=True)
        # The team's own photos (sent on WhatsApp or taken here), not the citizen's.
        data["images"] = [m for m in images_of(complaint) if m.uploaded_by_id is not None]
    if "reject" in steps:
        data["reason_codes"] = REASON_CODES
    if "refer" in steps:
        data["agencies"] = AGENCIES
    if "correct" in steps:
        data["categories"] = Category.objects.filter(active=True)
        data["priorities"] = Priority.choices
        data["kecamatans"] = Kecamatan.objects.order_by("name").prefetch_related("desa")
    return data


def _form_id(value):
    """A form's id as the JSON API carries it (a number); anything else stays text, which
    the API's parser refuses with its own message."""
    return int(value) if value.isascii() and value.isdigit() else value


def _form_number(value: str):
    """A form's coordinate as the JSON API carries it (a number, here a Decimal)."""
    try:
        return Decimal(value)
    except InvalidOperation:
        return value


def _form_data(step: str, post) -> dict:
    data = {k: post.get(k) for k in post if k not in ("csrfmiddlewaretoken", "back")}
    if step == "dispatch" and not data.get("team"):
        raise ApiError(400, "Pilih tim TRC yang ditugaskan.")
    if "team" in data:
        data["team"] = _form_id(data["team"])
    if step == "complete":
        data["photos"] = [_form_id(p) for p in post.getlist("photos")]
        data.pop("upload", None)
        if data.get("citizen_photo") == "":
            del data["citizen_photo"]  # none chosen
        elif "citizen_photo" in data:
            data["citizen_photo"] = _form_id(data["citizen_photo"])
    if step == "reject":
        codes = dict(REASON_CODES)
        code = data.get("reason_code") or ""
        if code and code not in codes:
            raise ApiError(400, "Pilih alasan penolakan dari daftar.")
        if not (data.get("reason") or "").strip() and code and code != "lainnya":
            data["reason"] = codes[code]
    return data


def _correct(complaint, user, post):
    data = {}
    if post.get("category"):
        data["category"] = post["category"]
    if post.get("priority"):
        data["priority"] = post["priority"]
    location = {}
    kecamatan = _form_id(post.get("kecamatan") or "")
    if isinstance(kecamatan, int) and kecamatan != complaint.kecamatan_id:
        location["kecamatan"] = kecamatan
    if "desa" in post:
        desa = _form_id(post["desa"])
        desa = desa if isinstance(desa, int) else None  # "(tidak diketahui)"
        if desa != complaint.desa_id:
            location["desa"] = desa
    if "address" in post and post["address"].strip() != complaint.address:
        location["address"] = post["address"]
    lat, lng = (post.get("lat") or "").strip(), (post.get("lng") or "").strip()
    if lat or lng:
        location["lat"] = _form_number(lat.replace(",", "."))
        location["lng"] = _form_number(lng.replace(",", "."))
    if "kecamatan" in location and "desa" not in location and complaint.desa_id:
        location["desa"] = None  # a desa belongs to the old kecamatan
    if location:
        data["location"] = location
    if post.get("reason"):
        data["reason"] = post["reason"]
    changes, reason = _corrections(data)
    workflow.correct(complaint, actor=user, reason=reason, **changes)


def _complete(complaint, user, request):
    """The team's report from the mobile page, with photos taken there and then."""
    files = request.FILES.getlist("upload")
    try:
        uploads.check(files)
    except uploads.UploadRefused as exc:
        raise ApiError(400, str(exc)) from exc
    data = _form_data("complete", request.POST)
    with transaction.atomic():
        stored = [uploads.store(complaint, f, user=user) for f in files]
        data["photos"] = [*data["photos"], *[m.pk for m in stored]]
        chosen = data.get("citizen_photo")
        if chosen == "upload":
            if stored:
                data["citizen_photo"] = stored[0].pk
            else:
                del data["citizen_photo"]
        elif chosen and chosen not in data["photos"]:
            data["photos"].append(chosen)  # chosen for the citizen: part of the report too
        ACTIONS["complete"](complaint, user, data)


def _back(request, complaint: Complaint):
    back = request.POST.get("back", "")
    if back in RETURN_PATHS and url_has_allowed_host_and_scheme(back, None):
        return redirect(back)
    return redirect("web:complaint", code=complaint.code)


def _refused(request, complaint: Complaint, message: str, status: int):
    from lalisa.web.views import render_complaint

    return render_complaint(request, complaint, error=message, status=status)


@login_required
@require_POST
def take_step(request, code, step):
    user = request.user
    if step not in DONE_MESSAGES:
        raise Http404("Langkah tidak dikenal.")
    complaint = access.get_complaint_for(user, code)  # 404 when not visible
    try:
        _precheck(step, complaint, user)  # 403 wrong role, 409 wrong state
        if step == "correct":
            _correct(complaint, user, request.POST)
        elif step == "complete":
            _complete(complaint, user, request)
        else:
            ACTIONS[step](complaint, user, _form_data(step, request.POST))
    except StepRefused as exc:
        return _refused(request, complaint, str(exc), exc.http_status)
    except ApiError as exc:
        return _refused(request, complaint, exc.message, exc.status)
    messages.success(request, DONE_MESSAGES[step].format(code=complaint.code))
    return _back(request, complaint)


@login_required
@require_POST
def reply(request, code):
    user = request.user
    complaint = access.get_complaint_for(user, code)  # 404 when not visible
    text = (request.POST.get("text") or "").strip() or request.POST.get("canned", "")
    try:
        workflow.reply(complaint, actor=user, text=text)
    except StepRefused as exc:
        return _refused(request, complaint, str(exc), exc.http_status)
    messages.success(request, f"Balasan untuk pelapor aduan {complaint.code} diantrekan.")
    return redirect("web:complaint", code=complaint.code)


@login_required
@require_POST
def block(request, code):
    """Block (or unblock) the reporter's number: abuse or pranks, with a reason, logged."""
    from lalisa.complaints import blocking

    user = request.user
    complaint = access.get_complaint_for(user, code)  # 404 when not visible
    try:
        if complaint.reporter is None or not access.can_see_reporter(user, complaint):
            raise RoleRefused("block", complaint.status, "identitas pelapor tidak untuk Anda.")
        if request.POST.get("unblock"):
            blocking.unblock(complaint.reporter, actor=user)
            messages.success(request, "Blokir nomor pelapor dibuka.")
        else:
            blocking.block(complaint.reporter, actor=user, reason=request.POST.get("reason", ""))
            messages.success(request, "Nomor pelapor diblokir; satu pemberitahuan dikirim.")
    except StepRefused as exc:
        return _refused(request, complaint, str(exc), exc.http_status)
    return redirect("web:complaint", code=complaint.code)
