from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from lalisa.accounts.models import ApiToken


class Command(BaseCommand):
    help = "Mencetak token API baru (Authorization: Bearer <token>) untuk pengguna itu."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Pengguna '{username}' tidak ditemukan.")
        if not user.is_active:
            raise CommandError(f"Pengguna '{username}' tidak aktif; token tidak dibuat.")
        # Only the hash is stored: this is the one time the token can be seen.
        self.stdout.write(ApiToken.issue(user))
