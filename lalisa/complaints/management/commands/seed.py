import argparse
import datetime as dt
import os
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from lalisa.complaints import demo
from lalisa.complaints import seed as seeding
from lalisa.complaints.management.commands.loaddemo import login_table
from lalisa.complaints.models import Status
from lalisa.timefmt import WITA

PROGRESS_EVERY = 20_000


def _moment(text: str) -> dt.datetime:
    moment = parse_datetime(text)
    if moment is None:
        raise argparse.ArgumentTypeError(f"bukan tanggal dan jam ISO 8601: {text!r}")
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=WITA)


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


class Command(BaseCommand):
    help = (
        "Membuat aduan sintetis yang realistis di seluruh alur (untuk uji beban dan laporan). "
        "Benih yang sama pada saat yang sama (--now) memberi hasil yang sama."
    )

    def add_arguments(self, parser):
        parser.add_argument("--complaints", type=int, required=True, help="jumlah aduan")
        parser.add_argument(
            "--months", type=int, default=12, help="rentang waktu ke belakang (bulan)"
        )
        parser.add_argument("--seed", type=int, default=None, help="benih acak")
        parser.add_argument(
            "--now",
            type=_moment,
            default=None,
            help="anggap sekarang pukul ini (ISO 8601, mis. 2026-06-10T10:00+08:00), agar "
            "hasilnya sama pada hari lain",
        )

    def handle(self, *, complaints, months, seed, now, **options):
        if complaints < 1 or months < 1:
            raise CommandError("--complaints dan --months harus minimal 1.")
        if now is not None and now > timezone.now():
            raise CommandError("--now tidak boleh di masa depan.")
        if seed is None:
            seed = random.SystemRandom().randrange(10**6)
        if not seeding.staff_ready():
            # Complaints need someone to verify, dispatch and handle them.
            logins = demo.ensure_staff(os.environ.get(demo.PASSWORD_ENV) or None)
            self.stdout.write("Belum ada admin, Kabid, atau tim TRC; akun dan tim demo dibuat:")
            for line in login_table(logins):
                self.stdout.write("  " + line)

        shown = [0]

        def progress(result):
            if result.complaints - shown[0] >= PROGRESS_EVERY:
                shown[0] = result.complaints
                self.stdout.write(f"  {_number(result.complaints)} aduan…")

        self.stdout.write(
            f"Membuat {_number(complaints)} aduan dalam {months} bulan terakhir (benih {seed})."
        )
        result = seeding.seed(complaints, months=months, seed=seed, now=now, progress=progress)
        self.stdout.write(
            f"Selesai dalam {result.seconds:.1f} detik: {_number(result.rows)} baris — "
            f"{_number(result.complaints)} aduan, {_number(result.events)} riwayat, "
            f"{_number(result.dispatches)} penugasan, {_number(result.ratings)} penilaian, "
            f"{_number(result.supporters)} pendukung, {_number(result.reporters)} pelapor baru."
        )
        # Counted now, so that no dashboard request pays for the first count of a bulk load.
        started = time.monotonic()
        from lalisa.reports import summary

        summary.rebuild()
        self.stdout.write(
            f"Tabel ringkasan dasbor dihitung ulang dalam {time.monotonic() - started:.1f} detik."
        )
        summary = ", ".join(
            f"{Status(status).label} {_number(count)}"
            for status, count in result.statuses.most_common()
        )
        self.stdout.write(f"Status: {summary}.")
