"""Background jobs of the monthly report."""

from datetime import timedelta

from django_tasks import task

from lalisa.monthly import current, jobs
from lalisa.worker.scheduler import periodic

# Below WhatsApp sends (0 and up): a citizen's reply never waits behind a report.
REPORT_PRIORITY = -10


@task(priority=REPORT_PRIORITY)
def generate_monthly_report(file_id: int) -> str:
    return jobs.build(file_id)


@periodic("monthly.tidy", timedelta(hours=1))
@task()
def tidy_report_files() -> dict[str, int]:
    """Fail jobs whose worker died, and delete files older than 90 days."""
    return {"stale": jobs.fail_stale(), "pruned": jobs.prune()}


@periodic("monthly.keep", timedelta(minutes=1))
@task(priority=REPORT_PRIORITY)
def keep_last_month() -> dict[str, str]:
    """Make the last full month's PDF, Excel and CSV again once they are not current."""
    return current.keep()
