"""Who wrote: a member of staff or a citizen (Reporter), from whatever WhatsApp gives.

Since 2026 WhatsApp names a user by a business-scoped user id (BSUID, `user_id`) and only
sometimes by the phone (`wa_id`). Staff are matched first, by their registered BSUID or
number. Citizens are matched by BSUID, then by wa_id, then by phone; records that turn out
to be one person are merged into the older one.

A reporter holding the number but with a *different* BSUID is someone else (a recycled
number): the number leaves that record instead of merging two citizens, since showing one
citizen another's complaints is worse than keeping one citizen as two records.
"""

import logging

from django.db import IntegrityError, transaction
from django.db.models import Q

from lalisa.accounts.models import User
from lalisa.complaints.models import Reporter, Supporter
from lalisa.phones import InvalidPhone, normalize_phone

log = logging.getLogger(__name__)


def e164(wa_id: str | None) -> str | None:
    """The phone of a wa_id, or None when WhatsApp gave none (or nothing dialable)."""
    try:
        return normalize_phone(wa_id)
    except InvalidPhone:
        return None


def find_staff(*, user_id: str = "", wa_id: str = "") -> User | None:
    users = User.objects.filter(is_active=True)
    if user_id and (user := users.filter(whatsapp_user_id=user_id).first()):
        return user
    phone = e164(wa_id)
    if phone:
        return users.filter(whatsapp=phone).first()
    return None


def resolve(
    *, user_id: str = "", wa_id: str = "", profile_name: str = "", username: str = ""
) -> Reporter | User | None:
    """The staff member or citizen behind these ids; a citizen seen first is created.
    None when neither id is given. `username` is accepted for when a field holds it."""
    user_id, wa_id = (user_id or "").strip(), (wa_id or "").strip()
    if not (user_id or wa_id):
        return None
    staff = find_staff(user_id=user_id, wa_id=wa_id)
    if staff is not None:
        if user_id and not staff.whatsapp_user_id and not _staff_id_taken(user_id, staff):
            User.objects.filter(pk=staff.pk).update(whatsapp_user_id=user_id)
            staff.whatsapp_user_id = user_id
        return staff
    with transaction.atomic():
        try:
            with transaction.atomic():
                return _resolve_reporter(user_id, wa_id, profile_name)
        except IntegrityError:
            # Another worker recorded the same new person a moment ago: theirs is used.
            return _resolve_reporter(user_id, wa_id, profile_name)


def _resolve_reporter(user_id: str, wa_id: str, profile_name: str) -> Reporter:
    phone = e164(wa_id)
    by_id = _locked(user_id=user_id)
    by_wa = _locked(wa_id=wa_id)
    if by_wa and by_wa != by_id and not _compatible(by_wa, {user_id}):
        _release_number(by_wa)
        by_wa = None
    reporter = unify([by_id, by_wa])
    if reporter is None and phone:
        # Recorded by staff from a phone call or a visit: a number and nothing else.
        reporter = (
            Reporter.objects.select_for_update()
            .filter(phone=phone, user_id=None, wa_id=None)
            .order_by("created_at", "pk")
            .first()
        )
    if reporter is None:
        return Reporter.objects.create(
            user_id=user_id or None, wa_id=wa_id or None, phone=phone, profile_name=profile_name
        )
    _apply(reporter, user_id=user_id, wa_id=wa_id, phone=phone, profile_name=profile_name)
    return reporter


def follow_change(
    *,
    previous_user_id: str = "",
    user_id: str = "",
    previous_wa_id: str = "",
    wa_id: str = "",
    profile_name: str = "",
) -> Reporter | User | None:
    """A user's BSUID and/or number changed (system message `user_changed_number` or
    `user_changed_user_id`, or a `user_id_update` webhook). The record moves to the new
    ids; if the new ids already had a record of their own, the two are merged. Applying
    the same change again changes nothing. None when nobody with these ids is known."""
    staff = _follow_staff(previous_user_id, user_id, previous_wa_id, wa_id)
    if staff is not None:
        return staff
    ids = {previous_user_id, user_id} - {""}
    with transaction.atomic():
        candidates = [
            _locked(user_id=previous_user_id),
            # The old number names the person whatever BSUID it carried.
            _locked(wa_id=previous_wa_id),
            _locked(user_id=user_id),
        ]
        holder = _locked(wa_id=wa_id)
        if holder and holder not in candidates and not _compatible(holder, ids):
            _release_number(holder)
            holder = None
        reporter = unify([*candidates, holder])
        if reporter is None:
            log.info("identity change for an unknown user ignored")
            return None
        _apply(
            reporter,
            user_id=user_id,
            wa_id=wa_id,
            phone=e164(wa_id),
            profile_name=profile_name,
        )
        return reporter


def _follow_staff(previous_user_id, user_id, previous_wa_id, wa_id) -> User | None:
    users = User.objects.filter(is_active=True)
    lookups = [
        Q(whatsapp_user_id=previous_user_id) if previous_user_id else None,
        Q(whatsapp=e164(previous_wa_id)) if e164(previous_wa_id) else None,
        Q(whatsapp_user_id=user_id) if user_id else None,
        Q(whatsapp=e164(wa_id)) if e164(wa_id) else None,
    ]
    staff = next(
        (u for q in lookups if q is not None for u in users.filter(q)[:1]),
        None,
    )
    if staff is None:
        return None
    updates = {}
    if user_id and staff.whatsapp_user_id != user_id and not _staff_id_taken(user_id, staff):
        updates["whatsapp_user_id"] = user_id
    phone = e164(wa_id)
    number_changed = previous_wa_id and wa_id and previous_wa_id != wa_id
    if (
        number_changed
        and phone
        and staff.whatsapp != phone
        and not User.objects.filter(whatsapp=phone).exclude(pk=staff.pk).exists()
    ):
        updates["whatsapp"] = phone
    if updates:
        User.objects.filter(pk=staff.pk).update(**updates)
        for name, value in updates.items():
            setattr(staff, name, value)
        # The field names, not the new values: logs carry no numbers.
        log.warning("staff user %s: WhatsApp %s followed", staff.pk, ", ".join(sorted(updates)))
    return staff


def learn(reporter: Reporter, *, user_id: str = "", wa_id: str = "") -> None:
    """Fill in a reporter's missing ids (e.g. from a delivery status), when free."""
    fields = []
    if user_id and not reporter.user_id and not Reporter.objects.filter(user_id=user_id).exists():
        reporter.user_id = user_id
        fields.append("user_id")
    if wa_id and not reporter.wa_id and not Reporter.objects.filter(wa_id=wa_id).exists():
        reporter.wa_id = wa_id
        reporter.phone = reporter.phone or e164(wa_id)
        fields += ["wa_id", "phone"]
    if fields:
        reporter.save(update_fields=fields)


def unify(candidates: list[Reporter | None]) -> Reporter | None:
    """Merge the distinct reporters given into the oldest; return it (None if none)."""
    distinct = list({r.pk: r for r in candidates if r is not None}.values())
    if not distinct:
        return None
    distinct.sort(key=lambda r: (r.created_at, r.pk))
    keeper = distinct[0]
    for other in distinct[1:]:
        keeper = merge(keeper, other)
    return keeper


@transaction.atomic
def merge(keeper: Reporter, other: Reporter) -> Reporter:
    """Everything of `other` moves to `keeper` (complaints, supports, ratings, messages,
    events, notifications, and whatever else points at a reporter); `other` is deleted."""
    if keeper.pk == other.pk:
        return keeper
    for relation in _relations_to_reporter():
        _move(relation, keeper, other)
    # Supporting one's own complaint means nothing.
    Supporter.objects.filter(reporter=keeper, complaint__reporter=keeper).delete()
    other.delete()
    fields = []
    for name in ("user_id", "wa_id", "phone", "profile_name", "name"):
        if not getattr(keeper, name) and getattr(other, name):
            setattr(keeper, name, getattr(other, name))
            fields.append(name)
    if other.last_inbound_at and (
        keeper.last_inbound_at is None or other.last_inbound_at > keeper.last_inbound_at
    ):
        keeper.last_inbound_at = other.last_inbound_at
        fields.append("last_inbound_at")
    if other.created_at < keeper.created_at:
        keeper.created_at = other.created_at
        fields.append("created_at")
    if fields:
        keeper.save(update_fields=fields)
    log.info("reporter %s merged into %s", other.pk, keeper.pk)
    return keeper


def _relations_to_reporter():
    # Hidden ones too (related_name="+": events' actor, notifications' recipient).
    return [
        f
        for f in Reporter._meta.get_fields(include_hidden=True)
        if f.auto_created and not f.concrete and (f.one_to_many or f.one_to_one)
    ]


def _move(relation, keeper: Reporter, other: Reporter) -> None:
    manager = relation.related_model._base_manager
    name = relation.field.name
    rows = manager.filter(**{name: other})
    try:
        with transaction.atomic():
            rows.update(**{name: keeper})
        return
    except IntegrityError:
        pass
    # Row by row: where the keeper already has the same row (a rating or a support of the
    # same complaint), the other's copy goes.
    for pk in list(rows.values_list("pk", flat=True)):
        try:
            with transaction.atomic():
                manager.filter(pk=pk).update(**{name: keeper})
        except IntegrityError:
            manager.filter(pk=pk).delete()


def _locked(**lookup) -> Reporter | None:
    (value,) = lookup.values()
    if not value:
        return None
    return Reporter.objects.select_for_update().filter(**lookup).first()


def _compatible(reporter: Reporter, user_ids: set[str]) -> bool:
    """Can this reporter be the person with these BSUIDs?"""
    user_ids = user_ids - {""}
    return not reporter.user_id or not user_ids or reporter.user_id in user_ids


def _release_number(reporter: Reporter) -> None:
    log.warning("the WhatsApp number of reporter %s moved to another user", reporter.pk)
    reporter.wa_id = None
    reporter.save(update_fields=["wa_id"])


def _apply(reporter: Reporter, *, user_id, wa_id, phone, profile_name) -> None:
    fields = []
    for name, value in (
        ("user_id", user_id),
        ("wa_id", wa_id),
        ("phone", phone),
        ("profile_name", profile_name),
    ):
        if value and getattr(reporter, name) != value:
            setattr(reporter, name, value)
            fields.append(name)
    if fields:
        reporter.save(update_fields=fields)


def _staff_id_taken(user_id: str, staff: User) -> bool:
    return User.objects.filter(whatsapp_user_id=user_id).exclude(pk=staff.pk).exists()
