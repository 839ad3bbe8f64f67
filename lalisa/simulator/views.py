"""The phone simulator at /simulator/: the page, and the small JSON API its JS calls.
Anyone may play a citizen (or a staff member's phone), so nothing here needs a login; it
all answers 404 unless LALISA_SIMULATOR is on and the site is local only."""

import functools
import json

from django.contrib.auth import get_user_model
from django.db.models import Max, Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST

from lalisa.phones import InvalidPhone, normalize_phone, wa_id_of
from lalisa.simulator import chat, emulator, meta, phone
from lalisa.simulator.graph_views import simulator_only
from lalisa.simulator.limits import BSUID_RE
from lalisa.simulator.models import EmulatedContact, EmulatedMedia, EmulatedMessage

PHOTO_TYPES = {"image/jpeg", "image/png"}
PHOTO_MAX = 5 * 1024 * 1024
# Citizens of the payload fixtures (tests/fixtures/whatsapp/NOTES.md §12). Those with a
# phone get their BSUID from it (the one the service already knows, or a derived one).
CITIZENS = [
    {"name": "Ahmad Fauzi", "phone": "081251234567"},
    {"name": "Siti Rahmah", "phone": "082154321098"},
    {"name": "Nor Aini", "phone": "085248765432"},
    {"name": "Hj. Masitah", "phone": "081349876501"},
    {
        "name": "Muhammad Rizky",
        "phone": "",
        "user_id": "ID.3920174635281947",
        "username": "rizky.paringin",
        "hide_phone": True,
    },
]
PLACES = [
    {
        "name": "Pasar Paringin",
        "address": "Jl. Ahmad Yani, Paringin",
        "lat": -2.3330,
        "lng": 115.4660,
    },
    {
        "name": "Masjid Agung Al-Akbar Paringin",
        "address": "Paringin",
        "lat": -2.3352,
        "lng": 115.4688,
    },
    {"name": "Kantor Satpol PP Balangan", "address": "Paringin", "lat": -2.3156, "lng": 115.4937},
    {
        "name": "Simpang Tiga Juai",
        "address": "Jl. Jend. A. Yani, Juai",
        "lat": -2.2252,
        "lng": 115.6583,
    },
    {"name": "Pasar Batumandi", "address": "Batu Mandi", "lat": -2.3740, "lng": 115.3790},
    {"name": "Terminal Lampihong", "address": "Lampihong", "lat": -2.3910, "lng": 115.3310},
    {"name": "Pasar Awayan", "address": "Awayan", "lat": -2.4550, "lng": 115.4200},
    {"name": "Halong", "address": "Halong", "lat": -2.1050, "lng": 115.5800},
]
REACTIONS = ["👍", "❤️", "😂", "😮", "😢", "🙏"]


def api(view):
    """A simulator API view: 404 when off; PhoneError and bad JSON become a 400 message."""
    inner = simulator_only(view)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return inner(request, *args, **kwargs)
        except phone.PhoneError as error:
            return JsonResponse({"ok": False, "error": str(error)}, status=400)
        except json.JSONDecodeError:
            return JsonResponse({"ok": False, "error": "Permintaan tidak terbaca."}, status=400)

    return wrapper


def _body(request) -> dict:
    data = json.loads(request.body or b"{}")
    if not isinstance(data, dict):
        raise phone.PhoneError("Permintaan tidak terbaca.")
    return data


def _contact(user_id) -> EmulatedContact:
    contact = EmulatedContact.objects.filter(user_id=user_id or "").first()
    if contact is None:
        raise phone.PhoneError("Pilih dulu siapa Anda.")
    return contact


def contact_json(contact: EmulatedContact) -> dict:
    return {
        "user_id": contact.user_id,
        "wa_id": contact.wa_id,
        "name": contact.name,
        "username": contact.username,
        "hide_phone": contact.phone_hidden,
    }


def _staff_picks() -> list[dict]:
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(whatsapp__isnull=False) | Q(whatsapp_user_id__isnull=False))
        .select_related("team")
        .order_by("role", "team__name", "username")
    )
    picks = []
    for user in users[:40]:
        role = user.get_role_display() or "Petugas"
        picks.append(
            {
                "name": user.get_full_name() or user.username,
                "phone": user.whatsapp or "",
                "user_id": user.whatsapp_user_id or "",
                "note": f"{role} · {user.team.name}" if user.team_id else role,
                "hide_phone": not user.whatsapp,
            }
        )
    return picks


def _reporter_picks() -> list[dict]:
    """Citizens of the demo data who filed complaints: play them to ask about their case."""
    from lalisa.complaints.models import Reporter

    reporters = (
        Reporter.objects.filter(user_id__isnull=False)
        .annotate(last=Max("complaints__received_at"))
        .filter(last__isnull=False)
        .order_by("-last")[:8]
    )
    return [
        {
            "name": r.profile_name or r.name or r.user_id,
            "phone": r.phone if r.wa_id else "",
            "user_id": r.user_id,
            "hide_phone": not r.wa_id,
            "note": "Pelapor di data demo",
        }
        for r in reporters
    ]


def _places() -> list[dict]:
    from lalisa.regions.models import Kecamatan

    centres = [
        {
            "name": f"Kecamatan {k.name}",
            "address": f"{k.name}, Kabupaten Balangan",
            "lat": float(k.lat),
            "lng": float(k.lng),
        }
        for k in Kecamatan.objects.exclude(lat=None).exclude(lng=None).order_by("name")
    ]
    return PLACES + centres


@simulator_only
@require_GET
@ensure_csrf_cookie
def page(request):
    from lalisa.service.models import ServiceProfile

    profile = ServiceProfile.objects.filter(pk=1).first() or ServiceProfile()
    config = {
        "business": {
            "name": profile.service_name,
            "agency": profile.agency_name.replace("Kabupaten", "Kab."),
            "number": "+" + meta.display_number(),
        },
        "citizens": CITIZENS,
        "reporters": _reporter_picks(),
        "staff": _staff_picks(),
        "places": _places(),
        "stickers": [
            {"name": name, "src": static(f"simulator/stickers/{name}.webp")}
            for name in phone.STICKERS
        ],
        "reactions": REACTIONS,
        "urls": {
            "identity": reverse("simulator:identity"),
            "chat": reverse("simulator:chat"),
            "send": reverse("simulator:send"),
            "upload": reverse("simulator:upload"),
            "read": reverse("simulator:read"),
            "resend": reverse("simulator:resend"),
            "failures": reverse("simulator:failures"),
        },
    }
    return render(request, "simulator/page.html", {"config": config})


@api
@require_POST
def identity(request):
    """Who the person plays: a phone (0812…) and/or a BSUID, a profile name."""
    data = _body(request)
    hide = bool(data.get("hide_phone"))
    name = str(data.get("name") or "").strip()[:200] or "Warga Balangan"
    user_id = str(data.get("user_id") or "").strip()
    if user_id and not BSUID_RE.match(user_id):
        raise phone.PhoneError(
            "BSUID harus berbentuk kode negara, titik, lalu angka/huruf, mis. ID.1410018717833190."
        )
    try:
        e164 = normalize_phone(str(data.get("phone") or ""))
    except InvalidPhone:
        raise phone.PhoneError("Nomor HP tidak dikenali. Contoh: 0812 5123 4567.") from None
    if not e164 and not hide:
        raise phone.PhoneError("Isi nomor HP, atau pilih «tanpa nomor (hanya BSUID)».")
    wa_id = wa_id_of(e164) if e164 else ""
    # The same person always has the same BSUID: the one the service already knows, if any.
    user_id = user_id or (emulator.bsuid_for(wa_id) if wa_id else "")
    contact = emulator.upsert_contact(
        wa_id=wa_id,
        user_id=user_id,
        name=name,
        username=str(data.get("username") or "").strip()[:64],
        phone_hidden=hide,
    )
    return JsonResponse({"ok": True, "contact": contact_json(contact)})


@api
@require_GET
def chat_view(request):
    contact = _contact(request.GET.get("user_id"))
    typing = bool(contact.typing_until and contact.typing_until > timezone.now())
    return JsonResponse(
        {
            "ok": True,
            "contact": contact_json(contact),
            "typing": typing,
            # The page labels days ("Hari ini") by the service's date, not the browser's.
            "today": timezone.localdate().isoformat(),
            "messages": chat.messages_for(contact.user_id),
        }
    )


@api
@require_POST
def send(request):
    data = _body(request)
    contact = _contact(data.get("user_id"))
    record = phone.send(request, contact, data)
    return JsonResponse(
        {"ok": record.status != "failed", "wamid": record.wamid, "error": _explain(record)}
    )


def _explain(record: EmulatedMessage) -> str:
    if record.status != "failed":
        return ""
    return f"Webhook layanan menolak pesan ini ({record.error or 'tanpa keterangan'})."


@api
@require_POST
def resend(request):
    """Post the same body again, same wamid: Meta's duplicate delivery."""
    data = _body(request)
    record = EmulatedMessage.objects.filter(
        wamid=str(data.get("wamid") or ""), direction=EmulatedMessage.Direction.IN
    ).first()
    if record is None:
        raise phone.PhoneError("Pesan tidak ditemukan.")
    record = phone.post(record)
    return JsonResponse({"ok": record.status != "failed", "error": _explain(record)})


@api
@require_POST
def upload(request):
    """A photo from the file input (already shrunk by the page) → a media id."""
    file = request.FILES.get("file")
    if file is None:
        raise phone.PhoneError("Tidak ada berkas foto.")
    mime = (file.content_type or "").split(";")[0]
    if mime not in PHOTO_TYPES:
        raise phone.PhoneError("Foto harus JPEG atau PNG.")
    if file.size > PHOTO_MAX:
        raise phone.PhoneError("Foto terlalu besar (maksimal 5 MB).")
    media = emulator.store_media(file.read(), mime, file.name or "")
    return JsonResponse(
        {"ok": True, "media_id": media.media_id, "mime_type": mime, "sha256": media.sha256}
    )


@api
@require_POST
def read(request):
    """The page showed the service's messages: read (blue ticks on the service's side)."""
    data = _body(request)
    contact = _contact(data.get("user_id"))
    wamids = [w for w in data.get("wamids") or [] if isinstance(w, str)][:100]
    outbound = EmulatedMessage.objects.filter(
        chat=contact.user_id, direction=EmulatedMessage.Direction.OUT, wamid__in=wamids
    ).values_list("wamid", flat=True)
    done = emulator.mark_shown_read(contact.user_id, list(outbound))
    return JsonResponse({"ok": True, "read": done})


@simulator_only
@require_GET
def media(request, media_id):
    """Media for the page's own <img> tags (the Graph download needs the token)."""
    item = get_object_or_404(EmulatedMedia, media_id=media_id)
    response = HttpResponse(bytes(item.content), content_type=item.mime_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response
