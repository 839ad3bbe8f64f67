"""Who may see and do what. Every page, API call, export and WhatsApp command asks here.

Fails closed: an unknown role, an inactive user or an unknown action gets nothing.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from lalisa.accounts.models import Role, User
from lalisa.complaints import flow
from lalisa.complaints.models import Complaint, Confidentiality, Dispatch, Reporter

# What each role may do beyond the workflow steps (those come from the flow table).
PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({"view_complaints", "file_complaint", "block_number", "view_reports"}),
    Role.KABID: frozenset({"view_complaints", "view_reports"}),
    Role.TRC: frozenset({"view_complaints"}),
    Role.PIMPINAN: frozenset({"view_complaints", "view_reports"}),
    Role.SUPERADMIN: frozenset({"setup"}),
}

# Who sees the reporter's identity, per confidentiality (DESIGN.md's table).
IDENTITY_ROLES: dict[str, frozenset[str]] = {
    Confidentiality.BIASA: frozenset({Role.ADMIN, Role.KABID, Role.PIMPINAN, Role.TRC}),
    Confidentiality.ANONIM: frozenset({Role.ADMIN}),
    Confidentiality.RAHASIA: frozenset({Role.ADMIN}),
}


# Who sees where a complaint happened (its street address and its pin), per confidentiality.
# A *rahasia* complaint's place can point to whoever reported it: it is seen by those who act
# on it — the admin who verifies, the Kabid who picks the team (the suggested team comes from
# the pin), the team sent there — and not by leadership, who read numbers (the monthly report
# leaves it out the same way). Kecamatan and desa stay for everyone, so every count adds up.
PLACE_ROLES: dict[str, frozenset[str]] = {
    Confidentiality.BIASA: frozenset({Role.ADMIN, Role.KABID, Role.PIMPINAN, Role.TRC}),
    Confidentiality.ANONIM: frozenset({Role.ADMIN, Role.KABID, Role.PIMPINAN, Role.TRC}),
    Confidentiality.RAHASIA: frozenset({Role.ADMIN, Role.KABID, Role.TRC}),
}
# The complaint's fields that say where it is, to the metre.
PLACE_FIELDS = frozenset({"address", "lat", "lng"})
WITHHELD_PLACE = "(dirahasiakan)"
HIDDEN_IDENTITY = "Identitas tidak ditampilkan"


def role_of(user) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user.role if user.role in Role.values else None


def has_perm(user, permission: str) -> bool:
    role = role_of(user)
    return role is not None and permission in PERMISSIONS.get(role, frozenset())


def visible_complaints(user, queryset: QuerySet | None = None) -> QuerySet:
    """The complaints this user may see."""
    qs = Complaint.objects.all() if queryset is None else queryset
    role = role_of(user)
    if role is None or not has_perm(user, "view_complaints"):
        return qs.none()
    if role == Role.TRC:
        if not user.team_id:
            return qs.none()
        # Any dispatch to the team, current or replaced: they keep seeing what they handled.
        return qs.filter(
            pk__in=Dispatch.objects.filter(team_id=user.team_id).values("complaint_id")
        )
    return qs


def can_view(user, complaint: Complaint) -> bool:
    return visible_complaints(user, Complaint.objects.filter(pk=complaint.pk)).exists()


def get_complaint_for(user, code: str) -> Complaint:
    """The complaint by ticket code, or 404 when it does not exist or may not be seen."""
    complaint = visible_complaints(user).filter(code=code).first()
    if complaint is None:
        raise Http404("Aduan tidak ditemukan.")
    return complaint


def can_see_reporter(user, complaint: Complaint) -> bool:
    role = role_of(user)
    if role is None or role not in IDENTITY_ROLES.get(complaint.confidentiality, frozenset()):
        return False
    if role == Role.TRC:
        # Only the team currently sent to it.
        dispatch = complaint.active_dispatch
        return dispatch is not None and dispatch.team_id == user.team_id
    return can_view(user, complaint)


# Who writes to the reporter in a complaint's chat (the workflow's `reply`).
REPLY_ROLES = frozenset({Role.ADMIN, Role.KABID})


def can_reply(user, complaint: Complaint) -> bool:
    """Only to a reporter whose identity the user may see: a Kabid never writes to an
    *anonim* or *rahasia* reporter, on any surface."""
    return role_of(user) in REPLY_ROLES and can_see_reporter(user, complaint)


def place_visible(user) -> Q:
    """A filter for the complaints whose place this user may see (searches, map pins)."""
    role = role_of(user)
    levels = [c for c, roles in PLACE_ROLES.items() if role in roles]
    q = Q(confidentiality__in=levels)
    if role == Role.TRC:
        # Of a *rahasia* complaint, only the team sent to it now: a replaced team has gone.
        current = Dispatch.objects.filter(
            complaint=OuterRef("pk"), team_id=user.team_id, replaced_at__isnull=True
        )
        q &= ~Q(confidentiality=Confidentiality.RAHASIA) | Exists(current)
    return q


def can_see_place(user, complaint: Complaint) -> bool:
    """Whether this user may see the complaint's street address and pin."""
    mine = visible_complaints(user, Complaint.objects.filter(pk=complaint.pk))
    return mine.filter(place_visible(user)).exists()


def reporter_label(user, complaint: Complaint) -> str:
    """The reporter's identity as this user may see it."""
    if not can_see_reporter(user, complaint):
        if complaint.confidentiality == Confidentiality.RAHASIA:
            return "Dirahasiakan"
        if complaint.confidentiality == Confidentiality.ANONIM:
            return "Anonim"
        return HIDDEN_IDENTITY
    if complaint.reporter is None:
        return "Tanpa identitas"
    return _identity(complaint.reporter)


def _identity(reporter: Reporter) -> str:
    parts = [reporter.display_name]
    if reporter.phone and reporter.phone != reporter.display_name:
        parts.append(reporter.phone)
    return " · ".join(parts)


def can_see_citizen(user, reporter: Reporter, complaint: Complaint | None = None) -> bool:
    """Whether the user may see who this citizen is where a record names them (a message to
    them, a call that carried their number): on the terms of the complaint the record is
    about when it is theirs, else only if the user sees them on every complaint they filed;
    a citizen who filed none counts as the strictest confidentiality."""
    role = role_of(user)
    if role is None or not any(role in roles for roles in IDENTITY_ROLES.values()):
        return False
    if complaint is not None and complaint.reporter_id == reporter.pk:
        return can_see_reporter(user, complaint)
    filed = list(reporter.complaints.all())
    if not filed:
        return all(role in roles for roles in IDENTITY_ROLES.values())
    return all(can_see_reporter(user, c) for c in filed)


def citizen_label(user, reporter: Reporter, complaint: Complaint | None = None) -> str:
    """The citizen as this user may see them: as `reporter_label` on their own complaint;
    elsewhere their name and number, or that their identity is not shown."""
    if complaint is not None and complaint.reporter_id == reporter.pk:
        return reporter_label(user, complaint)
    if not can_see_citizen(user, reporter):
        return HIDDEN_IDENTITY
    return _identity(reporter)


def can_take_step(user, step: str, complaint: Complaint | None = None) -> bool:
    """Whether the user's role may take the step (in the complaint's current state, if given)."""
    role = role_of(user)
    if role is None or step not in flow.STEPS:
        return False
    if complaint is None:
        return role in flow.roles_for(step)
    rule = flow.rule_for(step, complaint.status)
    if rule is None or role not in rule.roles or not can_view(user, complaint):
        return False
    if step in flow.TEAM_STEPS:
        dispatch = complaint.active_dispatch
        return dispatch is not None and dispatch.team_id == user.team_id
    return True


def available_steps(user, complaint: Complaint) -> list[str]:
    return [s for s in flow.steps_from(complaint.status) if can_take_step(user, s, complaint)]


def is_staff_user(user) -> bool:
    return isinstance(user, User) and role_of(user) is not None
