from django.db import models


class Kecamatan(models.Model):
    code = models.CharField("kode Kemendagri", max_length=13, unique=True)
    name = models.CharField("nama", max_length=100)
    # An approximate centre: the superadmin may correct it.
    lat = models.DecimalField("lintang", max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField("bujur", max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        verbose_name = "kecamatan"
        verbose_name_plural = "kecamatan"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Desa(models.Model):
    class Kind(models.TextChoices):
        DESA = "desa", "Desa"
        KELURAHAN = "kelurahan", "Kelurahan"

    code = models.CharField("kode Kemendagri", max_length=13, unique=True)
    name = models.CharField("nama", max_length=100)
    kind = models.CharField("jenis", max_length=10, choices=Kind.choices, default=Kind.DESA)
    kecamatan = models.ForeignKey(
        Kecamatan, verbose_name="kecamatan", related_name="desa", on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = "desa/kelurahan"
        verbose_name_plural = "desa/kelurahan"
        ordering = ["kecamatan__name", "name"]

    def __str__(self):
        return f"{self.name}, {self.kecamatan.name}"
