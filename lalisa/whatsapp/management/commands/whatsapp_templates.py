"""`lalisa whatsapp_templates --sync | --list`: the service's message templates at Meta."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lalisa.whatsapp import templates
from lalisa.whatsapp.models import MessageTemplate

ACTIONS = {
    "created": "diajukan",
    "new_version": "teks berubah, versi baru diajukan",
    "resubmitted": "diajukan ulang",
    "refreshed": "status diperbarui dari Meta",
    "unchanged": "tidak berubah",
    "error": "GAGAL",
}


class Command(BaseCommand):
    help = "Mengajukan templat pesan WhatsApp ke Meta (--sync) atau menampilkannya (--list)."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument(
            "--sync",
            action="store_true",
            help="Ajukan templat baru atau yang teksnya berubah (sebagai versi baru), "
            "dan perbarui status templat yang menunggu persetujuan.",
        )
        group.add_argument("--list", action="store_true", help="Tampilkan templat dan statusnya.")

    def handle(self, *args, **options):
        if options["sync"]:
            self.sync()
        else:
            self.list()

    def sync(self):
        missing = [
            name
            for name in ("WHATSAPP_BUSINESS_ACCOUNT_ID", "WHATSAPP_ACCESS_TOKEN")
            if not getattr(settings, name)
        ]
        if missing:
            raise CommandError(f"Belum diatur: {', '.join(missing)}.")
        results = templates.sync()
        for result in results:
            row = result.row
            line = f"{row.name}: {ACTIONS[result.action]} — {row.get_status_display()}"
            if result.error:
                line += f" ({result.error})"
            if row.status != MessageTemplate.Status.APPROVED:
                current = templates.approved_template(row.key)
                line += (
                    f"; sementara dipakai {current.name}"
                    if current
                    else "; belum ada versi yang disetujui"
                )
            style = self.style.ERROR if result.action == "error" else self.style.SUCCESS
            self.stdout.write(style(line) if result.action in ("error", "created") else line)
        errors = [r for r in results if r.action == "error"]
        approved = sum(1 for r in results if r.row.status == MessageTemplate.Status.APPROVED)
        self.stdout.write(
            f"{len(results)} templat: {approved} disetujui, "
            f"{len(results) - approved} belum, {len(errors)} gagal diajukan."
        )
        if errors:
            raise CommandError(f"{len(errors)} templat gagal diajukan; lihat pesan di atas.")

    def list(self):
        rows = list(MessageTemplate.objects.order_by("key", "version"))
        if not rows:
            self.stdout.write("Belum ada templat. Jalankan `lalisa whatsapp_templates --sync`.")
            return
        in_use = {
            key: t.pk
            for key in {r.key for r in rows}
            if (t := templates.approved_template(key)) is not None
        }
        width = max(len(r.name) for r in rows)
        for row in rows:
            mark = "*" if in_use.get(row.key) == row.pk else " "
            self.stdout.write(f"{mark} {row.name:<{width}}  {row.get_status_display()}")
        self.stdout.write("* = versi yang dikirim saat ini")
        unknown = sorted(set(templates.DEFINITIONS) - {r.key for r in rows})
        if unknown:
            self.stdout.write("Belum diajukan: " + ", ".join(unknown))
