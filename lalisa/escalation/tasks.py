"""Background jobs of the escalation app."""

from datetime import timedelta

from lalisa.escalation import rules
from lalisa.worker.scheduler import periodic


@periodic("escalation.escalate", timedelta(minutes=5))
def escalate() -> list[str]:
    """Warn the Kabid, the leadership and the teams about late complaints, once each."""
    return rules.escalate()
