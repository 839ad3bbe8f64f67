"""Complaints, teams and their parts as JSON. What a caller may see comes from lalisa.access."""

from datetime import UTC, datetime

from django.urls import reverse

from lalisa import access
from lalisa.accounts.models import Role
from lalisa.complaints.flow import STEP_LABELS
from lalisa.complaints.models import Complaint, Event, Status
from lalisa.whatsapp.models import InboundMessage, OutboundMessage
from lalisa.whatsapp.sender import template_text

# Timeline entries that are not steps of the flow.
EVENT_LABELS = {**STEP_LABELS, "merged": "aduan lain digabung ke sini"}


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def number(value) -> float | None:
    return None if value is None else float(value)


def _place(obj) -> dict | None:
    return None if obj is None else {"id": obj.pk, "name": obj.name}


def _team(dispatch) -> dict | None:
    return None if dispatch is None else {"id": dispatch.team_id, "name": dispatch.team.name}


def complaint_summary(complaint: Complaint) -> dict:
    return {
        "code": complaint.code,
        "status": complaint.status,
        "status_label": Status(complaint.status).label,
        "category": {"code": complaint.category.code, "name": complaint.category.name},
        "priority": complaint.priority,
        "confidentiality": complaint.confidentiality,
        "description": complaint.description,
        "kecamatan": _place(complaint.kecamatan),
        "received_at": iso(complaint.received_at),
        "due_at": iso(complaint.due_at),
        "overdue": complaint.is_overdue,
        "url": reverse("api:complaint", args=[complaint.code]),
    }


def complaint_detail(user, complaint: Complaint) -> dict:
    dispatches = list(complaint.dispatches.select_related("team", "outcome"))
    active = next((d for d in reversed(dispatches) if d.replaced_at is None), None)
    sees_reporter = access.can_see_reporter(user, complaint)
    sees_place = access.can_see_place(user, complaint)
    return {
        **complaint_summary(complaint),
        "source": complaint.source,
        "location": _location(complaint, sees_place),
        "verified_at": iso(complaint.verified_at),
        "dispatched_at": iso(complaint.dispatched_at),
        "accepted_at": iso(complaint.accepted_at),
        "on_site_at": iso(complaint.on_site_at),
        "done_at": iso(complaint.done_at),
        "closed_at": iso(complaint.closed_at),
        "due": {
            "verify": iso(complaint.due_verify_at),
            "dispatch": iso(complaint.due_dispatch_at),
            "on_site": iso(complaint.due_on_site_at),
            "done": iso(complaint.due_done_at),
        },
        "reporter": _reporter(complaint) if sees_reporter else None,
        "reporter_label": access.reporter_label(user, complaint),
        "team": _team(active),
        "dispatches": [_dispatch(d) for d in dispatches],
        "outcome": complaint.outcome.code if complaint.outcome_id else None,
        "referred_to": complaint.referred_to,
        "final_reason": complaint.final_reason,
        "duplicate_of": complaint.duplicate_of.code if complaint.duplicate_of_id else None,
        "timeline": [
            _event(e, complaint, sees_place) for e in complaint.events.select_related("actor_user")
        ],
        # The chat can name the citizen: only those who may see the reporter read it.
        "messages": _messages(complaint) if sees_reporter else [],
        "media": [_media(m) for m in complaint.media.all()],
        "available_steps": access.available_steps(user, complaint),
    }


def _location(complaint: Complaint, sees_place: bool) -> dict:
    # A *rahasia* complaint's street address and pin, only to those who act on it.
    return {
        "lat": number(complaint.lat) if sees_place else None,
        "lng": number(complaint.lng) if sees_place else None,
        "address": complaint.address if sees_place else None,
        "withheld": not sees_place,
        "kecamatan": _place(complaint.kecamatan),
        "desa": _place(complaint.desa),
    }


def _reporter(complaint: Complaint) -> dict | None:
    person = complaint.reporter
    if person is None:
        return None
    return {"name": person.display_name, "phone": person.phone}


def _dispatch(d) -> dict:
    return {
        "team": {"id": d.team_id, "name": d.team.name},
        "dispatched_at": iso(d.dispatched_at),
        "accepted_at": iso(d.accepted_at),
        "arrived_at": iso(d.arrived_at),
        "completed_at": iso(d.completed_at),
        "replaced_at": iso(d.replaced_at),
        "outcome": d.outcome.code if d.outcome_id else None,
        "report": d.report_text,
    }


def _actor(event: Event, complaint: Complaint) -> str:
    # Citizens are never named in the timeline: the reporter field alone applies
    # confidentiality.
    if event.actor_kind == Event.Actor.CITIZEN:
        return "Pelapor" if event.actor_reporter_id == complaint.reporter_id else "Warga pendukung"
    if event.actor_kind == Event.Actor.SYSTEM or event.actor_user is None:
        return "Sistem"
    person = event.actor_user
    return f"{person} ({person.get_role_display()})" if person.role else str(person)


def _event(event: Event, complaint: Complaint, sees_place: bool) -> dict:
    data = event.data or {}
    changes = data.get("changes")
    if not sees_place and isinstance(changes, dict):
        # A correction of the place says that it changed, not from where to where.
        hidden = [access.WITHHELD_PLACE] * 2
        changes = {k: hidden if k in access.PLACE_FIELDS else v for k, v in changes.items()}
        data = {**data, "changes": changes}
    return {
        "kind": event.kind,
        "label": EVENT_LABELS.get(event.kind, event.kind),
        "actor": _actor(event, complaint),
        "from_status": event.from_status or None,
        "to_status": event.to_status or None,
        "reason": event.reason,
        "data": data,
        "created_at": iso(event.created_at),
    }


def _outbound_text(msg: OutboundMessage) -> str:
    payload = msg.payload or {}
    kind = payload.get("type")
    if kind == "text":
        return payload.get("text", {}).get("body", "")
    if kind == "template":
        return template_text(msg)
    if kind == "interactive":
        return payload.get("interactive", {}).get("body", {}).get("text", "")
    if kind in ("image", "video", "document"):
        return payload.get(kind, {}).get("caption", "")
    return ""


def _messages(complaint: Complaint) -> list[dict]:
    inbound = [
        (m.sent_at, {"direction": "in", "type": m.type, "text": m.text, "sent_at": iso(m.sent_at)})
        for m in InboundMessage.objects.filter(complaint=complaint)
    ]
    outbound = [
        (
            m.sent_at or m.created_at,
            {
                "direction": "out",
                "kind": m.kind,
                "state": m.state,
                "text": _outbound_text(m),
                "sent_at": iso(m.sent_at),
            },
        )
        for m in OutboundMessage.objects.filter(complaint=complaint)
    ]
    # One conversation in time order; an unsent message sorts by when it was queued.
    return [body for _, body in sorted(inbound + outbound, key=lambda pair: pair[0])]


def _media(m) -> dict:
    return {
        "id": m.pk,
        "kind": m.kind,
        "caption": m.caption,
        "mime_type": m.mime_type,
        "size": m.size,
        "created_at": iso(m.created_at),
        "url": reverse("api:media", args=[m.pk]),
    }


def team(t, user) -> dict:
    # Members' numbers: everyone but TRC, who see only their own team's.
    numbers = access.role_of(user) != Role.TRC or user.team_id == t.pk
    return {
        "id": t.pk,
        "name": t.name,
        "active": t.active,
        "post": {"name": t.post_name, "lat": number(t.post_lat), "lng": number(t.post_lng)},
        "kecamatan": [_place(k) for k in t.kecamatan.all()],
        "members": [
            {
                "name": str(u),
                "username": u.username,
                "whatsapp": u.whatsapp if numbers else None,
            }
            for u in t.members.all()
            if u.is_active
        ],
    }
