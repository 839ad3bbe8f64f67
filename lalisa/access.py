"""Who may see and do what. Every page, API call, export and WhatsApp command asks here.

Fails closed: an unknown role, an inactive user or an unknown action gets nothing.
"""

from django.db.models import QuerySet
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
