from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "lalisa.accounts"
    verbose_name = "Pengguna dan peran"
