"""Background jobs of the reports app."""

from datetime import timedelta

from lalisa.reports import summary
from lalisa.worker.scheduler import periodic


@periodic("reports.refresh", timedelta(minutes=1))
def refresh_summary() -> int:
    """Count again the days whose complaints changed, so the dashboard reads fresh tables."""
    return summary.refresh(thorough=True)
