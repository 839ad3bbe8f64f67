"""Staff pages: the complaints a user may see, and one complaint with its timeline; and the
public privacy page the WhatsApp bot links to.

Every decision about who sees what comes from lalisa.access; views never check roles or
print reporter fields themselves. The step forms are in lalisa.web.actions.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth.decorators import login_not_required, login_required
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_safe

from lalisa import access
from lalisa.accounts.models import Role
from lalisa.api import serialize
from lalisa.api.limits import SEARCH_MAX_CHARS
from lalisa.api.views import ApiError, _filter, _phone_visible
from lalisa.bot import replies
from lalisa.complaints import serving
from lalisa.complaints.flow import STEP_LABELS
from lalisa.complaints.models import (
    Category,
    Complaint,
    Dispatch,
    Event,
    Media,
    Outcome,
    Priority,
    Source,
    Status,
)
from lalisa.phones import InvalidPhone, normalize_phone, wa_id_of
from lalisa.regions.models import Kecamatan
from lalisa.reports import dayrange
from lalisa.reports import links as inbox_links
from lalisa.service.models import EmergencyNumber, ServiceProfile
from lalisa.teams.models import TrcTeam
from lalisa.teams.suggest import BUSY
from lalisa.timefmt import WITA, format_wita
from lalisa.web.actions import CANNED_REPLIES, forms_for, images_of
from lalisa.web.middleware import background
from lalisa.whatsapp.models import InboundMessage, OutboundMessage

PAGE_SIZE = 50
REPLY_WINDOW = timedelta(hours=24)
FILTERS = ("status", "category", "kecamatan", "priority", "overdue", "team", "dari", "sampai", "q")
# The dashboard's links (weekday, hour, SLA, rating…): lalisa.reports.links.
FILTERS += inbox_links.FILTERS

# Timeline entries that are not steps of the flow.
EVENT_LABELS = {**STEP_LABELS, "merged": "aduan lain digabung ke sini"}


def _label(kind: str) -> str:
    text = EVENT_LABELS.get(kind, kind)
    return text[:1].upper() + text[1:]


@login_required
def home(request):
    user = request.user
    if not access.has_perm(user, "view_complaints"):
        context = {"is_setup": access.has_perm(user, "setup")}
        return render(request, "web/no_access.html", context)

    visible = access.visible_complaints(user)
    counts = dict(visible.order_by().values_list("status").annotate(n=Count("pk")))
    chosen, notices = _chosen_filters(request.GET)
    complaints = _filtered(user, visible, chosen)
    complaints = complaints.select_related("category", "kecamatan")
    is_trc = access.role_of(user) == Role.TRC
    if is_trc:
        # TRC keep seeing what their team handled; mark what went to another team since.
        current = Dispatch.objects.filter(
            complaint=OuterRef("pk"), team_id=user.team_id, replaced_at__isnull=True
        )
        complaints = complaints.annotate(for_my_team=Exists(current))
    page = Paginator(complaints.order_by("-received_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for complaint in page:
        complaint.received_wita = format_wita(complaint.received_at)
        complaint.due_wita = format_wita(complaint.due_at) if complaint.due_at else ""
    status = chosen.get("status", "")
    context = {
        "page": page,
        "status": status,
        "status_label": Status(status).label if status else "",
        "statuses": [(s.value, s.label, counts.get(s.value, 0)) for s in Status],
        "total": sum(counts.values()),
        "is_trc": is_trc,
        "f": chosen,
        "filtered": any(k != "status" for k in chosen),
        "filter_notices": notices,
        "categories": Category.objects.order_by("order", "name"),
        "kecamatans": Kecamatan.objects.order_by("name"),
        "priorities": Priority.choices,
        "teams": TrcTeam.objects.filter(active=True).order_by("name") if not is_trc else [],
        "since": timezone.now().isoformat(),
        "notices": _notices(user),
    }
    return render(request, "web/home.html", context)


# The warnings of the last week (late stages, reminders to accept), shown in the app as
# well as sent on WhatsApp.
NOTICE_DAYS = 7


def _notices(user) -> list:
    from lalisa.escalation import rules
    from lalisa.notifications.models import Notification

    kinds = [
        rules.VERIFY_LATE,
        rules.DISPATCH_LATE,
        rules.DONE_LATE,
        rules.ACCEPT_REMINDER,
        rules.NOT_ACCEPTED,
    ]
    since = timezone.now() - timedelta(days=NOTICE_DAYS)
    rows = list(
        Notification.objects.filter(to_user=user, kind__in=kinds, created_at__gte=since)
        .select_related("complaint")
        .order_by("-created_at")[:8]
    )
    for row in rows:
        row.when = format_wita(row.created_at)
    return rows


# A search reads at most this many words (each one more condition for the database; some
# thousand words overflow SQLite's expression depth): the rest is left out, and said.
SEARCH_MAX_WORDS = 10


def _is_id(value: str, model) -> bool:
    return value.isascii() and value.isdigit() and model.objects.filter(pk=int(value)).exists()


def _chosen_filters(params) -> tuple[dict, list[str]]:
    """The inbox filters as given. A value nobody could have picked (a hand-made or stale
    link) is left out, and the page says which: the rest of the filters still apply."""
    given = {k: params.get(k, "").strip() for k in FILTERS if params.get(k, "").strip()}
    checks = {
        "status": lambda v: v in Status.values,
        "priority": lambda v: v in Priority.values,
        "kecamatan": lambda v: v == inbox_links.NO_KECAMATAN or _is_id(v, Kecamatan),
        "team": lambda v: _is_id(v, TrcTeam),
        "overdue": lambda v: v == "1",
    }
    chosen = {k: v for k, v in given.items() if k not in checks or checks[k](v)}
    chosen = inbox_links.clean(chosen, params)
    dropped = [f"{k} «{v[:30]}»" for k, v in given.items() if k not in chosen]
    notices = ["Filter tidak dikenal diabaikan: " + ", ".join(dropped) + "."] if dropped else []
    for name in ("dari", "sampai"):
        if name in chosen:
            try:
                dayrange.parse_day(chosen[name])
            except ValueError as exc:
                del chosen[name]
                notices.append(f"Filter «{name}» diabaikan: {exc}")
    q = chosen.get("q", "")
    if len(q) > SEARCH_MAX_CHARS or len(q.split()) > SEARCH_MAX_WORDS:
        chosen["q"] = " ".join(q[:SEARCH_MAX_CHARS].split()[:SEARCH_MAX_WORDS])
        notices.append(
            f"Pencarian terlalu panjang: hanya {SEARCH_MAX_WORDS} kata pertama "
            f"(paling banyak {SEARCH_MAX_CHARS} karakter) yang dicari."
        )
    return chosen, notices


def _filtered(user, qs, chosen: dict):
    # Status, category, kecamatan, team and overdue as the JSON API filters them.
    names = ("status", "category", "kecamatan", "team", "overdue")
    api_params = {k: chosen[k] for k in names if k in chosen}
    if api_params.get("kecamatan") == inbox_links.NO_KECAMATAN:
        del api_params["kecamatan"]
    try:
        qs = _filter(user, qs, api_params)
    except ApiError:
        return qs.none()
    qs = inbox_links.apply(qs, chosen)
    if chosen.get("priority"):
        qs = qs.filter(priority=chosen["priority"])
    if chosen.get("dari"):
        start = datetime.combine(date.fromisoformat(chosen["dari"]), time.min, WITA)
        qs = qs.filter(received_at__gte=start)
    if chosen.get("sampai"):
        end = datetime.combine(date.fromisoformat(chosen["sampai"]), time.min, WITA)
        qs = qs.filter(received_at__lt=end + timedelta(days=1))
    q = chosen.get("q", "")
    if q:
        words = Q()
        # An address is searched only where the user may read it: a search must not probe a
        # *rahasia* complaint's street.
        in_address = access.place_visible(user)
        for word in q.split():
            words &= Q(description__icontains=word) | (Q(address__icontains=word) & in_address)
        found = Q(code__icontains=q) | words
        try:
            phone = normalize_phone(q)
        except InvalidPhone:
            phone = None
        if phone:
            # Only where the user may see the reporter: a search must not tell who filed.
            found |= Q(reporter__phone=phone) & _phone_visible(user)
        qs = qs.filter(found)
    return qs


SINCE_ERROR = (
    "Parameter «since» harus waktu ISO 8601 (mis. 2026-11-30T14:05:00+08:00) "
    f"antara tahun {dayrange.FIRST_DAY.year} dan {dayrange.LAST_DAY.year}."
)


@background  # polled every 20 seconds while the inbox is open
@login_required
def new_items(request):
    """Counts for the inbox's live badge: complaints received and citizens' messages since."""
    user = request.user
    if not access.has_perm(user, "view_complaints"):
        return JsonResponse({"error": "Peran Anda tidak dapat melihat aduan."}, status=403)
    try:
        since = parse_datetime(request.GET.get("since", "").replace(" ", "+"))
    except ValueError:  # well-formed but no such time: month 13, offset +99:00
        since = None
    # Inside the periods' days, where no offset can push the time past year 1 or 9999.
    if since is None or not dayrange.FIRST_DAY.year <= since.year <= dayrange.LAST_DAY.year:
        return JsonResponse({"error": SINCE_ERROR}, status=400)
    if timezone.is_naive(since):
        since = timezone.make_aware(since, WITA)
    visible = access.visible_complaints(user)
    complaints = visible.filter(received_at__gt=since).count()
    chats = visible.filter(_phone_visible(user)).values("pk")
    citizen_messages = InboundMessage.objects.filter(
        complaint__in=chats, reporter__isnull=False, received_at__gt=since
    ).count()
    return JsonResponse(
        {
            "complaints": complaints,
            "messages": citizen_messages,
            "total": complaints + citizen_messages,
            "now": timezone.now().isoformat(),
        }
    )


@dataclass
class Milestone:
    label: str
    due_at: datetime | None
    reached_at: datetime | None

    @property
    def due(self) -> str:
        return format_wita(self.due_at) if self.due_at else "–"

    @property
    def reached(self) -> str:
        return format_wita(self.reached_at) if self.reached_at else ""

    @property
    def late(self) -> bool:
        if self.due_at is None:
            return False
        return (self.reached_at or timezone.now()) > self.due_at


@login_required
def complaint_detail(request, code):
    complaint = access.get_complaint_for(request.user, code)  # 404 when not visible
    return render_complaint(request, complaint)


def render_complaint(request, complaint: Complaint, *, error: str = "", status: int = 200):
    """The complaint page; a refused step shows it again with the refusal and its status."""
    user = request.user
    complaint.refresh_from_db()
    dispatches = list(
        complaint.dispatches.select_related(
            "team", "dispatched_by", "accepted_by", "completed_by", "outcome"
        )
    )
    for d in dispatches:
        d.dispatched_wita = format_wita(d.dispatched_at)
        d.accepted_wita = format_wita(d.accepted_at) if d.accepted_at else ""
        d.arrived_wita = format_wita(d.arrived_at) if d.arrived_at else ""
        d.completed_wita = format_wita(d.completed_at) if d.completed_at else ""
        d.replaced_wita = format_wita(d.replaced_at) if d.replaced_at else ""
    active = next((d for d in reversed(dispatches) if d.replaced_at is None), None)

    # A *rahasia* complaint's street address and pin: not for every role (lalisa.access).
    place_shown = access.can_see_place(user, complaint)
    outcome_names = dict(Outcome.objects.values_list("code", "name"))
    events = list(complaint.events.select_related("actor_user"))
    for event in events:
        event.label = (
            "Aduan masuk lewat WhatsApp"
            if event.kind == "file" and event.actor_kind == Event.Actor.CITIZEN
            else _label(event.kind)
        )
        event.actor = _actor_label(event, complaint)
        event.when = format_wita(event.created_at)
        event.detail = _event_detail(event, outcome_names, place_shown=place_shown)
        event.moved = (
            f"{Status(event.from_status).label} → {Status(event.to_status).label}"
            if event.from_status and event.to_status and event.from_status != event.to_status
            else ""
        )

    milestones = [
        Milestone("Verifikasi", complaint.due_verify_at, complaint.verified_at),
        Milestone("Penugasan tim", complaint.due_dispatch_at, complaint.dispatched_at),
        Milestone("Tim tiba di lokasi", complaint.due_on_site_at, complaint.on_site_at),
        Milestone("Selesai ditangani", complaint.due_done_at, complaint.done_at),
    ]
    is_trc = access.role_of(user) == Role.TRC
    context = {
        "complaint": complaint,
        "received": format_wita(complaint.received_at, weekday=True),
        "closed": format_wita(complaint.closed_at) if complaint.closed_at else "",
        "next_due": format_wita(complaint.due_at) if complaint.due_at else "",
        "reporter": access.reporter_label(user, complaint),
        "place_shown": place_shown,
        "withheld_place": access.WITHHELD_PLACE,
        "coordinates": _coordinates(complaint) if place_shown else "",
        "map_url": _map_url(complaint) if place_shown else "",
        "dispatches": dispatches,
        "moved_away": is_trc and (active is None or active.team_id != user.team_id),
        "events": events,
        "milestones": milestones,
        "steps": [STEP_LABELS[s] for s in access.available_steps(user, complaint)],
        "forms": forms_for(user, complaint),
        "media_count": complaint.media.count(),
        "images": images_of(complaint),
        "osm_url": _osm_url(complaint) if place_shown else "",
        "error": error,
    }
    reporter = complaint.reporter
    # Only the admin blocks a number, and only one she may see.
    context["can_block"] = (
        reporter is not None
        and access.role_of(user) == Role.ADMIN
        and access.can_see_reporter(user, complaint)
    )
    context["blocked"] = reporter is not None and reporter.blocked_at is not None
    if access.can_see_reporter(user, complaint):
        context["chat"] = _chat(complaint)
        # Someone without a WhatsApp address can only be phoned: no form that must fail.
        context["can_reply"] = (
            access.can_reply(user, complaint)
            and complaint.reporter is not None
            and replies.address(complaint.reporter) is not None
        )
        context["canned_replies"] = CANNED_REPLIES
        last = complaint.reporter.last_inbound_at if complaint.reporter else None
        context["window_closed"] = last is None or timezone.now() - last > REPLY_WINDOW
    return render(request, "web/complaint.html", context, status=status)


@dataclass
class ChatLine:
    incoming: bool
    kind: str
    text: str
    at: datetime
    state: str = ""

    @property
    def when(self) -> str:
        return format_wita(self.at)

    @property
    def kind_label(self) -> str:
        return CHAT_KINDS.get(self.kind, "") if self.kind != "text" else ""


# How a message that is not plain text is named in the chat.
CHAT_KINDS = {
    "interactive": "dengan tombol/daftar",
    "template": "templat resmi",
    "image": "foto",
    "video": "video",
    "audio": "pesan suara",
    "document": "dokumen",
    "sticker": "stiker",
    "location": "titik lokasi",
    "reaction": "reaksi",
}


def _chat(complaint: Complaint) -> list[ChatLine]:
    """The citizen's messages about this complaint and what was sent, oldest first."""
    lines = [
        ChatLine(True, m.type, _inbound_text(m), m.sent_at)
        for m in InboundMessage.objects.filter(complaint=complaint, reporter__isnull=False)
    ]
    lines += [
        ChatLine(
            False,
            (m.payload or {}).get("type", ""),
            serialize._outbound_text(m),
            m.sent_at or m.created_at,
            m.get_state_display(),
        )
        for m in OutboundMessage.objects.filter(complaint=complaint, reporter__isnull=False)
    ]
    return sorted(lines, key=lambda line: line.at)


MEDIA_LABELS = {
    "image": "Foto",
    "video": "Video",
    "audio": "Pesan suara",
    "document": "Dokumen",
    "sticker": "Stiker",
}


def _inbound_text(message: InboundMessage) -> str:
    """What the citizen sent, as staff read it: a pin as its coordinates, a file by kind."""
    if message.type == "location":
        loc = (message.payload or {}).get("location") or {}
        where = f"Titik lokasi {loc.get('latitude')}, {loc.get('longitude')}"
        return f"{where} — {message.text}" if message.text else where
    if message.type in MEDIA_LABELS:
        label = f"[{MEDIA_LABELS[message.type]}]"
        return f"{label} {message.text}" if message.text else label
    return message.text or f"[pesan jenis {message.type}]"


@serving.sandboxed
@login_required
@require_safe
def media(request, code, pk):
    """A file of a complaint, only to those who may see the complaint (404 otherwise)."""
    complaint = access.get_complaint_for(request.user, code)
    return serving.serve(Media.objects.filter(pk=pk, complaint=complaint).first())


def _forbidden(request, message: str):
    return render(request, "web/forbidden.html", {"message": message}, status=403)


@login_required
def review(request):
    """The Kabid's queue: verified complaints, oldest first, each with the suggested team."""
    user = request.user
    if access.role_of(user) != Role.KABID:
        return _forbidden(request, "Halaman tinjauan hanya untuk Kabid.")
    rows = (
        access.visible_complaints(user)
        .filter(status=Status.VERIFIED)
        .select_related("category", "kecamatan")
        .order_by("received_at", "pk")
    )
    items = []
    for complaint in rows:
        complaint.received_wita = format_wita(complaint.received_at)
        forms = forms_for(user, complaint, back="/tinjau/")
        choices = forms.get("choices") or []
        items.append({"c": complaint, "a": forms, "suggested": choices[0] if choices else None})
    return render(request, "web/review.html", {"items": items})


@login_required
def tasks(request):
    """A TRC member's page: their team's active dispatches with the next step's form."""
    user = request.user
    if access.role_of(user) != Role.TRC or not user.team_id:
        return _forbidden(request, "Halaman tugas hanya untuk anggota tim TRC.")
    active = (
        Dispatch.objects.filter(
            team_id=user.team_id, replaced_at__isnull=True, complaint__status__in=BUSY
        )
        .select_related("complaint__category", "complaint__kecamatan")
        .order_by("dispatched_at", "pk")
    )
    items = []
    for d in active:
        complaint = d.complaint
        complaint.received_wita = format_wita(complaint.received_at)
        items.append(
            {
                "c": complaint,
                "d": d,
                "dispatched": format_wita(d.dispatched_at),
                "osm_url": _osm_url(complaint),
                "a": forms_for(user, complaint, back="/tugas/"),
            }
        )
    return render(request, "web/tasks.html", {"items": items, "team": user.team})


def _coordinates(complaint: Complaint) -> str:
    # Not localised: "-2.332100, 115.465400" pastes into any map app (Indonesian
    # number format would write decimal commas).
    if complaint.lat is None or complaint.lng is None:
        return ""
    return f"{complaint.lat}, {complaint.lng}"


def _map_url(complaint: Complaint) -> str:
    if complaint.lat is None or complaint.lng is None:
        return ""
    return f"https://www.google.com/maps/search/?api=1&query={complaint.lat},{complaint.lng}"


def _osm_url(complaint: Complaint) -> str:
    if complaint.lat is None or complaint.lng is None:
        return ""
    lat, lng = complaint.lat, complaint.lng
    return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lng}#map=17/{lat}/{lng}"


def _actor_label(event: Event, complaint: Complaint) -> str:
    # Citizens are never named here: the reporter line alone applies confidentiality.
    if event.actor_kind == Event.Actor.CITIZEN:
        return "Pelapor" if event.actor_reporter_id == complaint.reporter_id else "Warga pendukung"
    if event.actor_kind == Event.Actor.SYSTEM or event.actor_user is None:
        return "Sistem"
    person = event.actor_user
    return f"{person} ({person.get_role_display()})" if person.role else str(person)


def _event_detail(event: Event, outcome_names: dict[str, str], *, place_shown: bool) -> str:
    data = event.data or {}
    parts = []
    if event.kind == "file" and data.get("source") in Source.values:
        parts.append(f"Sumber: {Source(data['source']).label}")
    if data.get("team"):
        parts.append(f"Tim: {data['team']}")
    if data.get("replaced_team"):
        parts.append(f"menggantikan tim {data['replaced_team']}")
    if data.get("outcome"):
        parts.append(f"Hasil: {outcome_names.get(data['outcome'], data['outcome'])}")
    if data.get("photos"):
        parts.append(f"{len(data['photos'])} foto")
    if data.get("agency"):
        parts.append(f"Dialihkan ke: {data['agency']}")
    if data.get("of"):
        parts.append(f"Digabung ke aduan {data['of']}")
    if data.get("duplicate"):
        parts.append(f"Aduan {data['duplicate']} digabung ke aduan ini")
    if data.get("score"):
        parts.append(f"Nilai: {data['score']} dari 5")
    for name, (old, new) in (data.get("changes") or {}).items():
        field = Complaint._meta.get_field(name.removesuffix("_id"))
        if name in access.PLACE_FIELDS and not place_shown:
            parts.append(f"{field.verbose_name}: diubah {access.WITHHELD_PLACE}")
            continue
        labels = dict(field.choices or ())
        old, new = labels.get(old, old), labels.get(new, new)
        parts.append(f"{field.verbose_name}: {_plain(old)} → {_plain(new)}")
    return " · ".join(parts)


def _plain(value) -> str:
    return "–" if value in (None, "") else str(value)


# Public: citizens open it from the bot's link. Marked so that it stays open should the
# project ever add Django's LoginRequiredMiddleware.
@login_not_required
def privacy(request):
    profile = ServiceProfile.get()
    try:
        number = normalize_phone(profile.whatsapp_number)
    except InvalidPhone:
        number = None
    context = {
        "profile": profile,
        "whatsapp_number": number or profile.whatsapp_number,
        "whatsapp_link": f"https://wa.me/{wa_id_of(number)}" if number else "",
        "emergency_numbers": EmergencyNumber.objects.all(),
    }
    return render(request, "web/privacy.html", context)
