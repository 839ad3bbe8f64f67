"""Sending OutboundMessage rows in the background (DESIGN.md reliability rules 3, 6 and 7).

`send_outbound(id)` is the task. One run:
1. does nothing if the row is no longer queued (sent, failed, or a duplicate task);
2. waits behind an earlier message to the same person that is still queued and due soon
   (never tried, in flight, or retrying within a minute): it re-enqueues itself to run just
   after that one, and the earlier one wakes it when it is done. An earlier message in
   long backoff (next try over a minute away), or stuck (tried, due 5 minutes ago and
   still queued: its worker died), holds nothing back;
3. claims the row with a conditional update (attempts + 1, a 30-second lease in
   `next_attempt_at`), so two runs of the same task cannot both send;
4. sends once. Success → sent, with the wamid. A transient error → retried after
   RETRY_DELAYS (5 s … 12 h, about a day in all), then failed. A permanent error → failed,
   with Meta's code and an Indonesian explanation for staff. 131047 (the 24-hour window is
   closed) → this row fails with that reason and a new row, the approved template for the
   same notification, takes its place in the queue (same created_at, same notification).

At least once: a send that timed out may have reached Meta and is tried again.
"""

import datetime as dt
import logging
import random

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from lalisa.notifications.models import Notification
from lalisa.whatsapp import client, messages, templates
from lalisa.whatsapp.graph import GraphError
from lalisa.whatsapp.models import MessageTemplate, OutboundMessage
from lalisa.worker.scheduler import periodic

log = logging.getLogger(__name__)

State = OutboundMessage.State

RETRY_DELAYS = tuple(
    dt.timedelta(seconds=s)
    for s in (5, 20, 60, 5 * 60, 20 * 60, 3600, 3 * 3600, 6 * 3600, 12 * 3600)
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# An earlier message due within this long holds the later ones back (rule 7).
HOLD_WINDOW = dt.timedelta(seconds=60)
# ...unless it was tried and due this long ago, yet is still queued: its worker died, so
# don't wait for it (the sweep re-enqueues it).
STALE_AFTER = dt.timedelta(minutes=5)
# A message never tried waits its turn in the task queue, however long the queue is; only
# after this long is its task taken for lost.
STALE_NEVER_TRIED = dt.timedelta(hours=1)
# A held message runs again this long after the one it waits for is due.
HOLD_STEP = dt.timedelta(seconds=2)
# How long a claimed send may take before another run may try it (graph timeout is 10 s).
LEASE = dt.timedelta(seconds=30)
# The sweep re-enqueues queued messages due this long ago (a worker died mid-send).
SWEEP_AFTER = dt.timedelta(minutes=10)

REENGAGEMENT = 131047

# What staff read for Meta's codes (NOTES.md §10); Meta's own message follows.
EXPLANATIONS = {
    100: "Permintaan ditolak Meta: parameter tidak valid atau terlalu panjang.",
    190: "Token akses WhatsApp kedaluwarsa atau tidak sah; hubungi administrator sistem.",
    130429: "Batas kecepatan kirim Cloud API tercapai.",
    131000: "Kesalahan tak dikenal di pihak Meta.",
    131008: "Parameter wajib tidak ada dalam permintaan.",
    131009: "Nilai parameter tidak valid.",
    131026: "Pesan tidak dapat diantar: nomor tidak terdaftar di WhatsApp, penerima belum "
    "menerima ketentuan WhatsApp, atau aplikasinya terlalu lama.",
    131047: "Lebih dari 24 jam sejak pesan terakhir penerima (jendela 24 jam tertutup).",
    131048: "Dibatasi Meta karena banyak pesan ditandai spam.",
    131049: "Meta menahan pesan ini demi keterlibatan pengguna; coba lagi setelah 24 jam.",
    131051: "Jenis pesan tidak didukung.",
    131056: "Terlalu banyak pesan ke penerima yang sama dalam waktu singkat.",
    131062: "Jenis pesan ini tidak dapat dikirim ke ID WhatsApp (BSUID); perlu nomor telepon.",
    133010: "Nomor layanan belum terdaftar di Cloud API.",
}


def explain(exc: GraphError) -> str:
    """An error as staff read it: what it means, then Meta's words."""
    meta = " — ".join(p for p in (str(exc), exc.details) if p)
    meaning = EXPLANATIONS.get(exc.code or 0)
    if meaning is None:
        if exc.code is None and exc.status is None:
            return meta  # timeouts and connection errors: graph already says it in Indonesian
        meaning = f"Ditolak Meta (HTTP {exc.status})." if exc.permanent else "Gangguan sementara."
    code = f"#{exc.code}" if exc.code is not None else f"HTTP {exc.status}"
    return f"{meaning} [{code}: {meta}]"


# --- the task ---------------------------------------------------------------------------


@task()
def send_outbound(outbound_id: int) -> str:
    return send_now(outbound_id)


# A reply to someone waiting in the chat goes before news queued earlier
# (notify.WAITING_PRIORITY is the same for their notifications).
REPLY_PRIORITY = 50


def enqueue(
    outbound_id: int, run_after: dt.datetime | None = None, *, priority: int | None = None
) -> None:
    """Queue a send (in the caller's transaction, so it exists only if the row does)."""
    options = {}
    if run_after is not None:
        options["run_after"] = run_after
    if priority is not None:
        options["priority"] = priority
    (send_outbound.using(**options) if options else send_outbound).enqueue(outbound_id)


def send_now(outbound_id: int) -> str:
    """One run of the task; returns what happened (for the task result and the tests)."""
    msg = OutboundMessage.objects.filter(pk=outbound_id).first()
    if msg is None:
        return "missing"
    if msg.state != State.QUEUED or msg.wamid:
        return "skipped"
    now = timezone.now()
    wait_until = hold_until(msg, now)
    if wait_until is not None:
        enqueue(msg.pk, wait_until)
        return "held"
    if not _claim(msg, now):
        return "skipped"
    msg.refresh_from_db()
    try:
        wamid = client.send(msg)
    except GraphError as exc:
        return _on_error(msg, exc)
    except Exception as exc:  # a bug must not leave the row claimed and silent
        log.exception("sending outbound message %s failed", msg.pk)
        _fail(msg, None, f"Kesalahan internal saat mengirim: {type(exc).__name__}: {exc}")
        return "failed"
    _on_sent(msg, wamid)
    return "sent"


def same_person(msg: OutboundMessage) -> Q:
    """Messages to the same person: the same reporter or staff member, or address."""
    who = Q(to_phone=msg.to_phone) if msg.to_phone else Q(to_user_id=msg.to_user_id)
    if msg.reporter_id:
        who |= Q(reporter_id=msg.reporter_id)
    if msg.staff_id:
        who |= Q(staff_id=msg.staff_id)
    return who


def _before(msg: OutboundMessage) -> Q:
    return Q(created_at__lt=msg.created_at) | Q(created_at=msg.created_at, pk__lt=msg.pk)


def _after(msg: OutboundMessage) -> Q:
    return Q(created_at__gt=msg.created_at) | Q(created_at=msg.created_at, pk__gt=msg.pk)


def hold_until(msg: OutboundMessage, now: dt.datetime) -> dt.datetime | None:
    """When to try `msg` again because an earlier message to the same person goes first;
    None when nothing holds it back."""
    earlier = OutboundMessage.objects.filter(same_person(msg), _before(msg), state=State.QUEUED)
    due_times = []
    for next_at, created_at, attempts in earlier.values_list(
        "next_attempt_at", "created_at", "attempts"
    ):
        due = next_at or created_at
        stale = STALE_AFTER if attempts else STALE_NEVER_TRIED
        if now - stale <= due <= now + HOLD_WINDOW:
            due_times.append(due)
    if not due_times:
        return None
    return max(max(due_times), now) + HOLD_STEP


def _claim(msg: OutboundMessage, now: dt.datetime) -> bool:
    """Take the row for one send; False when another run has it or it is not due."""
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now + dt.timedelta(seconds=1))
    claimed = OutboundMessage.objects.filter(
        due, pk=msg.pk, state=State.QUEUED, wamid__isnull=True
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE)
    return claimed == 1


def _on_sent(msg: OutboundMessage, wamid: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        row = OutboundMessage.objects.select_for_update().get(pk=msg.pk)
        row.wamid = row.wamid or wamid
        if row.state == State.QUEUED:
            row.state = State.SENT
        row.sent_at = row.sent_at or now
        row.next_attempt_at = None
        row.error, row.error_code = "", None
        row.save(
            update_fields=["wamid", "state", "sent_at", "next_attempt_at", "error", "error_code"]
        )
        settle_notification(row.notification_id)
        wake_next(row)


def _on_error(msg: OutboundMessage, exc: GraphError) -> str:
    if exc.code == REENGAGEMENT:
        return replace_with_template(msg)
    reason = explain(exc)
    if exc.permanent:
        _fail(msg, exc.code, reason)
        return "failed"
    if msg.attempts >= MAX_ATTEMPTS:
        _fail(msg, exc.code, f"Gagal setelah {msg.attempts} percobaan. {reason}")
        return "failed"
    delay = RETRY_DELAYS[msg.attempts - 1]
    # A little spread so that messages throttled together do not all come back together.
    if delay >= HOLD_WINDOW:
        delay += dt.timedelta(seconds=random.uniform(0, delay.total_seconds() * 0.1))
    retry_at = timezone.now() + delay
    with transaction.atomic():
        updated = OutboundMessage.objects.filter(pk=msg.pk, state=State.QUEUED).update(
            next_attempt_at=retry_at, error=reason, error_code=exc.code
        )
        if updated:
            enqueue(msg.pk, retry_at)
            if delay > HOLD_WINDOW:
                wake_next(msg)  # long backoff: the ones behind it go ahead
    return "retry"


def _fail(msg: OutboundMessage, code: int | None, reason: str) -> None:
    with transaction.atomic():
        updated = OutboundMessage.objects.filter(pk=msg.pk, state=State.QUEUED).update(
            state=State.FAILED,
            failed_at=timezone.now(),
            next_attempt_at=None,
            error_code=code,
            error=reason,
        )
        if updated:
            settle_notification(msg.notification_id)
            wake_next(msg)


def wake_next(msg: OutboundMessage) -> None:
    """Enqueue, now, the next queued message to the same person if it was waiting behind
    `msg` (never tried, or held); one in its own backoff keeps its time."""
    nxt = (
        OutboundMessage.objects.filter(same_person(msg), _after(msg), state=State.QUEUED)
        .order_by("created_at", "pk")
        .values_list("pk", "next_attempt_at")
        .first()
    )
    now = timezone.now()
    if nxt is not None and (nxt[1] is None or nxt[1] <= now):
        # With a run_after it sorts before fresh tasks in the queue (django-tasks-db order).
        enqueue(nxt[0], now)


# --- 131047: the template instead ---------------------------------------------------------


def _template_row_for(msg: OutboundMessage) -> OutboundMessage | None:
    if not msg.notification_id:
        return None
    return (
        OutboundMessage.objects.filter(
            notification_id=msg.notification_id, payload__type="template"
        )
        .exclude(pk=msg.pk)
        .first()
    )


def replace_with_template(msg: OutboundMessage) -> str:
    """The person's 24-hour window is closed: fail this row with that reason and queue the
    approved template for it as a new row in its place. Also called by the inbound side
    when Meta reports 131047 in a `failed` status after accepting the send."""
    window = EXPLANATIONS[REENGAGEMENT]
    with transaction.atomic():
        row = OutboundMessage.objects.select_for_update().get(pk=msg.pk)
        if row.error_code == REENGAGEMENT and row.error.startswith(window):
            return "failed"  # already handled (a repeated status)
        if row.payload.get("type") == "template":
            return _fail_window(row, f"{window} Templat pun tidak diterima Meta.")
        already = _template_row_for(row)
        if already is not None:
            # A long text went in several parts: one template stands for all of them.
            return _fail_window(
                row, f"{window} Isi pesan disampaikan lewat templat (pesan keluar #{already.pk})."
            )
        if not row.fallback_template:
            return _fail_window(row, f"{window} Pesan ini tidak punya templat pengganti.")
        approved = templates.approved_template(row.fallback_template)
        if approved is None:
            return _fail_window(
                row,
                f"{window} Templat «{row.fallback_template}» belum disetujui Meta, jadi pesan "
                "tidak terkirim. Jalankan `lalisa whatsapp_templates --sync`.",
            )
        params = templates.params_for(approved, row.fallback_params)
        payload = messages.template(approved.name, approved.language, params, body=approved.body)
        replacement = OutboundMessage.objects.create(
            reporter_id=row.reporter_id,
            staff_id=row.staff_id,
            to_phone=row.to_phone,
            to_user_id=row.to_user_id,
            kind=row.kind,
            payload=payload,
            notification_id=row.notification_id,
            complaint_id=row.complaint_id,
            # Its place in the person's queue is the original's, and it is due now (so
            # the messages behind it wait for it).
            created_at=row.created_at,
            next_attempt_at=timezone.now(),
        )
        _fail_window(
            row,
            f"{window} Diganti templat {approved.name} (pesan keluar #{replacement.pk}).",
        )
        enqueue(replacement.pk)
    return "template"


def _fail_window(row: OutboundMessage, reason: str) -> str:
    """Fail a row for the closed window (whatever state the inbound side left it in)."""
    row.state = State.FAILED
    row.failed_at = row.failed_at or timezone.now()
    row.next_attempt_at = None
    row.error_code = REENGAGEMENT
    row.error = reason
    row.save(update_fields=["state", "failed_at", "next_attempt_at", "error_code", "error"])
    settle_notification(row.notification_id)
    wake_next(row)
    return "failed"


def template_text(msg: OutboundMessage) -> str:
    """What a template message said, filled in, for staff (empty for other messages)."""
    if msg.payload.get("type") != "template":
        return ""
    tpl = msg.payload.get("template", {})
    row = MessageTemplate.objects.filter(name=tpl.get("name")).first()
    if row is None:
        return ""
    params = [
        p.get("text", "")
        for c in tpl.get("components", [])
        if c.get("type") == "body"
        for p in c.get("parameters", [])
    ]
    return messages.fill_template(row.body, params)


# --- the notification a message carries --------------------------------------------------


def settle_notification(notification_id: int | None) -> None:
    """Mark the notification sent or failed from its messages: pending while any is
    queued; if a template stood in (131047), its fate decides; else failed if any part
    failed, sent otherwise. The inbound side may call this after a delivery status."""
    if not notification_id:
        return
    rows = list(
        OutboundMessage.objects.filter(notification_id=notification_id).order_by(
            "created_at", "pk"
        )
    )
    if not rows or any(r.state == State.QUEUED for r in rows):
        return
    template_rows = [r for r in rows if r.payload.get("type") == "template"]
    deciding = template_rows or rows
    failed = [r for r in deciding if r.state == State.FAILED]
    if failed:
        state, error, sent_at = Notification.State.FAILED, failed[0].error, None
    else:
        sent = [r.sent_at for r in deciding if r.sent_at]
        state, error, sent_at = Notification.State.SENT, "", min(sent) if sent else timezone.now()
    Notification.objects.filter(pk=notification_id).exclude(state=state).update(
        state=state, error=error, sent_at=sent_at
    )


# --- a worker that died mid-send -----------------------------------------------------------


@periodic("whatsapp.outbound_sweep", dt.timedelta(minutes=5))
@task()
def sweep_outbound() -> int:
    """Re-enqueue queued messages long past due: their task was lost with a dead worker.
    A duplicate is harmless: the claim lets only one run send."""
    cutoff = timezone.now() - SWEEP_AFTER
    stuck = OutboundMessage.objects.filter(state=State.QUEUED).filter(
        Q(next_attempt_at__lt=cutoff) | Q(next_attempt_at__isnull=True, created_at__lt=cutoff)
    )
    ids = list(stuck.order_by("created_at", "pk").values_list("pk", flat=True)[:500])
    for pk in ids:
        enqueue(pk)
    return len(ids)
