"""Blocking a number that sends abuse or pranks (issue: staff workspace). The number gets one
polite notice; afterwards its messages are still stored and shown, but the bot no longer
answers them or turns them into complaints. Every block and unblock is logged."""

from django.db import transaction
from django.utils import timezone

from lalisa.accounts.models import Role, User
from lalisa.complaints.errors import InvalidStep, RoleRefused
from lalisa.complaints.models import Reporter, ReporterBlock
from lalisa.notifications import notify


def _admin(actor) -> User:
    if not isinstance(actor, User) or not actor.is_active or actor.role != Role.ADMIN:
        raise RoleRefused("block", "", "hanya admin yang dapat memblokir nomor.")
    return actor


@transaction.atomic
def block(reporter: Reporter, *, actor, reason: str) -> ReporterBlock:
    user = _admin(actor)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidStep("block", "", "alasan pemblokiran wajib diisi.")
    locked = Reporter.objects.select_for_update().get(pk=reporter.pk)
    if locked.blocked_at is not None:
        raise InvalidStep("block", "", "nomor ini sudah diblokir.")
    locked.blocked_at = timezone.now()
    locked.save(update_fields=["blocked_at"])
    entry = ReporterBlock.objects.create(reporter=locked, blocked_by=user, reason=reason)
    if notify.reachable(locked):
        notify.queue("reporter_blocked", to_reporter=locked)
    reporter.blocked_at = locked.blocked_at
    return entry


@transaction.atomic
def unblock(reporter: Reporter, *, actor) -> None:
    user = _admin(actor)
    locked = Reporter.objects.select_for_update().get(pk=reporter.pk)
    if locked.blocked_at is None:
        raise InvalidStep("unblock", "", "nomor ini tidak diblokir.")
    locked.blocked_at = None
    locked.save(update_fields=["blocked_at"])
    ReporterBlock.objects.filter(reporter=locked, lifted_at__isnull=True).update(
        lifted_at=timezone.now(), lifted_by=user
    )
    reporter.blocked_at = None
