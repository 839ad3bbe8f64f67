"""Summary tables behind the figures (lalisa.reports.summary keeps them; nothing else writes).

Counts per WITA day, rolled up per month, so a year of figures reads a few thousand rows
instead of every complaint. Durations keep a histogram per whole minute, so percentiles stay
exact.
"""

from django.db import models


class Grain(models.TextChoices):
    DAY = "d", "hari"
    MONTH = "m", "bulan"


class Tally(models.Model):
    """How many complaints of one day (or month) have one value of one dimension.

    `dim` is e.g. "status", "category", "hour" (key "weekday:hour"), "sla:verify" (key
    "within"/"late"), "bucket:finish" (key: duration bucket); see summary.py. Month rows
    (`day` = the 1st) are sums of that month's day rows.
    """

    grain = models.CharField(max_length=1, choices=Grain.choices)
    day = models.DateField()
    dim = models.CharField(max_length=24)
    key = models.CharField(max_length=40)
    n = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["grain", "day", "dim", "key"], name="one_tally")
        ]


class DurationCount(models.Model):
    """How many complaints received on `day` took exactly `minutes` whole minutes to reach
    `stage`. Indexed by stage and minutes: a percentile reads one bucket's range."""

    day = models.DateField()
    stage = models.CharField(max_length=8)
    minutes = models.IntegerField()
    n = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "stage", "minutes"], name="one_duration")
        ]
        indexes = [models.Index(fields=["stage", "minutes", "day", "n"], name="duration_rank")]


class Counted(models.Model):
    """What the tables hold of one complaint: compared with the complaint to find changes."""

    complaint_id = models.BigIntegerField(primary_key=True)
    updated_at = models.DateTimeField()
    day = models.DateField(db_index=True)
    ratings = models.IntegerField(default=0)


class DirtyDay(models.Model):
    """A day to count again (a complaint, dispatch or rating of it was deleted)."""

    day = models.DateField(primary_key=True)


class RefreshState(models.Model):
    """One row: how far the tables have counted.

    `high` and `rating_id`: the latest Complaint.updated_at and Rating id counted; anything
    past them is new (the quick check before every read). `since`: when the last full check
    began; the worker looks again at what changed from a margin before it, for transactions
    that committed after a later one had been counted."""

    name = models.CharField(max_length=20, primary_key=True)
    high = models.DateTimeField(null=True)
    rating_id = models.BigIntegerField(default=0)
    since = models.DateTimeField(null=True)
    built_at = models.DateTimeField(null=True)


class MonthVersion(models.Model):
    """How often what the tables hold of a WITA month has changed: a file made from the
    month (the monthly report) is current while the number is the same."""

    month = models.DateField(primary_key=True)  # its 1st
    version = models.PositiveIntegerField(default=0)
