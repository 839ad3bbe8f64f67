from django.core.management.base import BaseCommand

from lalisa.complaints import demo


def login_table(logins: list[demo.Login]) -> list[str]:
    """The logins as a small aligned table, for people to copy from the terminal."""
    rows = [("Nama pengguna", "Peran", "Nama", "Kata sandi")]
    rows += [
        (x.username, x.role, x.name, x.password or f"(dari {demo.PASSWORD_ENV})") for x in logins
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


class Command(BaseCommand):
    help = (
        "Memuat data demo: pengguna demo-admin, demo-kabid, demo-trc, demo-pimpinan, "
        "demo-superadmin, tim TRC, dan aduan di setiap status. Aman dijalankan berulang. "
        f"Kata sandi dari {demo.PASSWORD_ENV}; tanpa itu dibuat acak dan dicetak."
    )

    def handle(self, **options):
        result = demo.load()
        teams = len(demo.TEAMS)
        self.stdout.write(f"Tim TRC: {teams} tim, {len(result.logins)} akun petugas demo.")
        if result.complaints:
            self.stdout.write(f"Aduan demo dibuat: {result.complaints}.")
        else:
            self.stdout.write("Aduan demo sudah ada; tidak ada aduan yang ditambahkan.")
        self.stdout.write("")
        self.stdout.write("Akun untuk masuk:")
        for line in login_table(result.logins):
            self.stdout.write("  " + line)
        if any(x.password for x in result.logins):
            self.stdout.write(
                "\nKata sandi ini dibuat acak dan diganti setiap kali loaddemo dijalankan; "
                f"tetapkan {demo.PASSWORD_ENV} agar tidak berubah."
            )
