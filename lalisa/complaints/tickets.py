"""Ticket codes: LL-YYMM-NNNN, numbered per month in WITA, at least four digits."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F

from lalisa.complaints.models import TicketCounter
from lalisa.timefmt import to_wita


def next_code(received_at: datetime) -> str:
    """The next code for the month of `received_at`. Call inside the filing transaction:
    the counter row stays locked until it commits, so two filings never share a number."""
    period = to_wita(received_at).strftime("%y%m")
    updated = TicketCounter.objects.filter(period=period).update(last=F("last") + 1)
    if not updated:
        try:
            with transaction.atomic():
                TicketCounter.objects.create(period=period, last=1)
        except IntegrityError:
            # Another filing created the month's row first.
            TicketCounter.objects.filter(period=period).update(last=F("last") + 1)
    number = TicketCounter.objects.get(period=period).last
    return f"LL-{period}-{number:04d}"
