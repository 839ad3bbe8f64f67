from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from lalisa.accounts.models import ApiToken
from lalisa.timefmt import format_wita


class Command(BaseCommand):
    help = (
        "Mencetak token API baru (Authorization: Bearer <token>) untuk pengguna itu; masa "
        "berlakunya tercetak di stderr."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"masa berlaku dalam hari (paling lama LALISA_API_TOKEN_DAYS, "
            f"sekarang {ApiToken.max_days()})",
        )
        parser.add_argument(
            "--scope",
            choices=ApiToken.Scope.values,
            default=ApiToken.Scope.WRITE,
            help="read: hanya membaca (POST dan PATCH ditolak); write: membaca dan mengubah",
        )

    def handle(self, *, username, days, scope, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Pengguna '{username}' tidak ditemukan.")
        if not user.is_active:
            raise CommandError(f"Pengguna '{username}' tidak aktif; token tidak dibuat.")
        longest = ApiToken.max_days()
        days = longest if days is None else days
        if not 1 <= days <= longest:
            raise CommandError(
                f"Masa berlaku harus 1 sampai {longest} hari (LALISA_API_TOKEN_DAYS)."
            )
        # Only the hash is stored: this is the one time the token can be seen. The token alone
        # goes to stdout, so `TOKEN=$(lalisa apitoken …)` keeps working.
        key = ApiToken.issue(user, days=days, scope=scope)
        token = ApiToken.objects.get(key_hash=ApiToken.hash(key))
        self.stdout.write(key)
        self.stderr.write(
            f"Berlaku sampai {format_wita(token.expires_at)} ({days} hari), "
            f"{token.get_scope_display().lower()}; berakhir lebih awal bila sandi "
            f"{user.get_username()} diubah."
        )
