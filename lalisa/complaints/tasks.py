"""Background jobs of the complaint lifecycle."""

from datetime import timedelta

from lalisa.complaints import workflow
from lalisa.worker.scheduler import periodic


@periodic("complaints.close_unrated", timedelta(minutes=10))
def close_unrated() -> list[str]:
    """DESIGN.md: a complaint done 72 hours ago without a rating is closed by the system."""
    return workflow.close_unrated()
