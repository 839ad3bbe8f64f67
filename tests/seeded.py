"""Seeded data for the leadership tests: `lalisa seed` rows made once per module, outside the
per-test transaction, and removed again at the module's end (reference data stays)."""

from lalisa.accounts.models import User
from lalisa.complaints import demo
from lalisa.complaints import seed as seeding
from lalisa.complaints.models import (
    Complaint,
    Dispatch,
    Event,
    Rating,
    Reporter,
    Supporter,
    TicketCounter,
)
from lalisa.reports.models import Counted, DirtyDay, DurationCount, RefreshState, Tally
from lalisa.teams.models import TrcTeam


def seed(count: int, *, months: int, seed: int, now) -> None:
    """The demo staff and teams, then `count` complaints over `months` before `now`."""
    demo.ensure_staff("rahasia-uji-123")
    seeding.seed(count, months=months, seed=seed, now=now)


def wipe() -> None:
    """Everything `seed` and the tests made, the summary tables included."""
    for model in (Tally, DurationCount, Counted, DirtyDay, RefreshState):
        model.objects.all().delete()
    Complaint.objects.update(duplicate_of=None)
    for model in (Event, Rating, Supporter, Dispatch, Complaint, Reporter, TicketCounter):
        model.objects.all().delete()
    User.objects.filter(username__startswith="demo-").delete()
    TrcTeam.objects.all().delete()
