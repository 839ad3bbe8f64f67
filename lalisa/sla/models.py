from django.db import models
from django.utils import timezone

from lalisa.complaints.models import Priority


class Stage(models.TextChoices):
    VERIFY = "verify", "Verifikasi"
    DISPATCH = "dispatch", "Penugasan tim"
    ON_SITE = "on_site", "Tim tiba di lokasi"
    DONE = "done", "Selesai ditangani"


class Unit(models.TextChoices):
    MINUTES = "minutes", "menit (jam berapa pun)"
    WORKING_DAYS = "working_days", "hari kerja"


class SlaTarget(models.Model):
    """How long a stage may take from receipt, for one priority.

    Targets are versioned by `effective_from`: a change applies to complaints received
    after it, so a complaint's due times never move under it.
    """

    priority = models.CharField("prioritas", max_length=10, choices=Priority.choices)
    stage = models.CharField("tahap", max_length=10, choices=Stage.choices)
    amount = models.PositiveIntegerField("jumlah")
    unit = models.CharField("satuan", max_length=16, choices=Unit.choices)
    effective_from = models.DateTimeField("berlaku sejak", default=timezone.now)

    class Meta:
        verbose_name = "target waktu"
        verbose_name_plural = "target waktu"
        ordering = ["priority", "stage", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["priority", "stage", "effective_from"], name="one_target_per_version"
            )
        ]

    def __str__(self):
        what = f"{self.get_priority_display()} · {self.get_stage_display()}"
        return f"{what}: {self.amount} {self.get_unit_display()}"


class DayOff(models.Model):
    """A day off beyond the national holidays and cuti bersama the calendar already knows."""

    date = models.DateField("tanggal", unique=True)
    name = models.CharField("keterangan", max_length=100)

    class Meta:
        verbose_name = "hari libur tambahan"
        verbose_name_plural = "hari libur tambahan"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%d-%m-%Y} {self.name}"
