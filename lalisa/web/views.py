"""Staff pages: the complaints a user may see, and one complaint with its timeline; and the
public privacy page the WhatsApp bot links to.

Every decision about who sees what comes from lalisa.access; views never check roles or
print reporter fields themselves. The forms for the steps come later.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.decorators import login_not_required, login_required
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef
from django.shortcuts import render
from django.utils import timezone

from lalisa import access
from lalisa.accounts.models import Role
from lalisa.complaints.flow import STEP_LABELS
from lalisa.complaints.models import Complaint, Dispatch, Event, Outcome, Source, Status
from lalisa.phones import InvalidPhone, normalize_phone, wa_id_of
from lalisa.service.models import EmergencyNumber, ServiceProfile
from lalisa.timefmt import format_wita

PAGE_SIZE = 50

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
    status = request.GET.get("status", "")
    if status not in Status.values:
        status = ""
    complaints = (visible.filter(status=status) if status else visible).select_related(
        "category", "kecamatan"
    )
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
    context = {
        "page": page,
        "status": status,
        "status_label": Status(status).label if status else "",
        "statuses": [(s.value, s.label, counts.get(s.value, 0)) for s in Status],
        "total": sum(counts.values()),
        "is_trc": is_trc,
    }
    return render(request, "web/home.html", context)


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
    user = request.user
    complaint = access.get_complaint_for(user, code)  # 404 when not visible

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

    outcome_names = dict(Outcome.objects.values_list("code", "name"))
    events = list(complaint.events.select_related("actor_user"))
    for event in events:
        event.label = _label(event.kind)
        event.actor = _actor_label(event, complaint)
        event.when = format_wita(event.created_at)
        event.detail = _event_detail(event, outcome_names)
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
        "coordinates": _coordinates(complaint),
        "map_url": _map_url(complaint),
        "dispatches": dispatches,
        "moved_away": is_trc and (active is None or active.team_id != user.team_id),
        "events": events,
        "milestones": milestones,
        "steps": [STEP_LABELS[s] for s in access.available_steps(user, complaint)],
        "media_count": complaint.media.count(),
    }
    return render(request, "web/complaint.html", context)


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


def _actor_label(event: Event, complaint: Complaint) -> str:
    # Citizens are never named here: the reporter line alone applies confidentiality.
    if event.actor_kind == Event.Actor.CITIZEN:
        return "Pelapor" if event.actor_reporter_id == complaint.reporter_id else "Warga pendukung"
    if event.actor_kind == Event.Actor.SYSTEM or event.actor_user is None:
        return "Sistem"
    person = event.actor_user
    return f"{person} ({person.get_role_display()})" if person.role else str(person)


def _event_detail(event: Event, outcome_names: dict[str, str]) -> str:
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
