from django.db import models


class LookupTurn(models.Model):
    """One ticket lookup by a client address: counted in the database so every web process
    (gunicorn runs several) holds the same limit."""

    address = models.CharField(max_length=45)  # an IPv6 address at most
    at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["address", "at"], name="lookup_turn_address_idx"),
            models.Index(fields=["at"], name="lookup_turn_at_idx"),
        ]
