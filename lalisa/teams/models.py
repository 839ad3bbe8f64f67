from django.db import models

from lalisa import geo


class TrcTeam(models.Model):
    """A rapid-reaction team (Tim Reaksi Cepat) with its post and the kecamatan it covers."""

    name = models.CharField("nama tim", max_length=100, unique=True)
    post_name = models.CharField("nama pos", max_length=150)
    post_lat = models.DecimalField("lintang pos", max_digits=9, decimal_places=6)
    post_lng = models.DecimalField("bujur pos", max_digits=9, decimal_places=6)
    kecamatan = models.ManyToManyField(
        "regions.Kecamatan",
        verbose_name="kecamatan yang dicakup",
        related_name="teams",
        blank=True,
    )
    active = models.BooleanField("aktif", default=True)

    class Meta:
        verbose_name = "tim TRC"
        verbose_name_plural = "tim TRC"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def distance_km(self, lat, lng) -> float:
        """Great-circle distance from the post to a point."""
        return geo.distance_km(self.post_lat, self.post_lng, lat, lng)
