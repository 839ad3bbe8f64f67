"""Which TRC team to send: the one whose post is nearest the pin, else the one covering the
kecamatan; each with its open load (dispatches not yet finished)."""

from dataclasses import dataclass

from django.db.models import Count, Q

from lalisa.complaints.models import Complaint, Status
from lalisa.teams.models import TrcTeam

BUSY = (Status.DISPATCHED, Status.ACCEPTED, Status.ON_SITE)


@dataclass
class Choice:
    team: TrcTeam
    distance_km: float | None
    covers: bool
    open_load: int


def choices(complaint: Complaint) -> list[Choice]:
    """Every active team, the suggested one first."""
    teams = TrcTeam.objects.filter(active=True).annotate(
        load=Count(
            "dispatches",
            filter=Q(dispatches__replaced_at__isnull=True, dispatches__complaint__status__in=BUSY),
        )
    )
    covering = set()
    if complaint.kecamatan_id:
        covering = set(
            TrcTeam.kecamatan.through.objects.filter(
                kecamatan_id=complaint.kecamatan_id
            ).values_list("trcteam_id", flat=True)
        )
    has_pin = complaint.lat is not None and complaint.lng is not None
    out = [
        Choice(
            team=t,
            distance_km=t.distance_km(complaint.lat, complaint.lng) if has_pin else None,
            covers=t.pk in covering,
            open_load=t.load,
        )
        for t in teams
    ]
    if has_pin:
        out.sort(key=lambda c: (c.distance_km, not c.covers, c.open_load, c.team.name))
    else:
        out.sort(key=lambda c: (not c.covers, c.open_load, c.team.name))
    return out


def suggested(complaint: Complaint) -> TrcTeam | None:
    ranked = choices(complaint)
    return ranked[0].team if ranked else None
