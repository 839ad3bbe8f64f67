from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "lalisa.teams"
    verbose_name = "Tim Reaksi Cepat"
