from django.conf import settings
from django.db import models
from django.utils import timezone

from lalisa.monthly.formats import Format, filename
from lalisa.monthly.numbers import month_label


def report_path(instance, name):
    # The id keeps two files of the same month apart; downloads get the plain name.
    return f"reports/monthly/{instance.year:04d}-{instance.month:02d}/{instance.pk}-{name}"


class MonthlyReportFile(models.Model):
    """A monthly report file made in the background, with its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Menunggu giliran"
        RUNNING = "running", "Sedang dibuat"
        DONE = "done", "Selesai"
        FAILED = "failed", "Gagal"

    year = models.PositiveSmallIntegerField("tahun")
    month = models.PositiveSmallIntegerField("bulan")
    format = models.CharField("format", max_length=4, choices=Format.choices)
    status = models.CharField(
        "status", max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField("kemajuan (%)", default=0)
    file = models.FileField("berkas", upload_to=report_path, blank=True)
    size = models.PositiveIntegerField("ukuran (bita)", null=True, blank=True)
    error = models.TextField("kesalahan", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="diminta oleh",
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    # What the data was when the file was made (lalisa.monthly.current): the same file
    # serves every request while the stamp holds and until `valid_until`.
    stamp = models.CharField("cap data", max_length=64, blank=True)
    valid_until = models.DateTimeField("berlaku sampai", null=True, blank=True)
    created_at = models.DateTimeField("diminta", default=timezone.now)
    started_at = models.DateTimeField("mulai", null=True, blank=True)
    finished_at = models.DateTimeField("selesai", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "berkas laporan bulanan"
        verbose_name_plural = "berkas laporan bulanan"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.download_name} ({self.get_status_display()})"

    @property
    def download_name(self) -> str:
        return filename(self.year, self.month, self.format)

    @property
    def period_label(self) -> str:
        return month_label(self.year, self.month)

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
