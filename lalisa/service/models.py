from django.db import models


class ServiceProfile(models.Model):
    """The public face of the service number. One row; credentials stay in the environment."""

    agency_name = models.CharField(
        "nama instansi", max_length=150, default="Satpol PP Kabupaten Balangan"
    )
    service_name = models.CharField("nama layanan", max_length=100, default="LA-LISA")
    whatsapp_number = models.CharField(
        "nomor WhatsApp layanan",
        max_length=20,
        blank=True,
        help_text="Nomor yang diberitahukan kepada warga. Nomor pengirim pesan diatur di server "
        "(WHATSAPP_PHONE_NUMBER_ID).",
    )
    address = models.CharField(
        "alamat kantor", max_length=300, default="Paringin, Kabupaten Balangan, Kalimantan Selatan"
    )
    service_hours = models.CharField(
        "jam layanan",
        max_length=200,
        default="Aduan diterima 24 jam; diverifikasi Senin–Jumat 08.00–16.00 WITA, "
        "aduan mendesak kapan saja.",
    )
    privacy_url = models.CharField(
        "alamat halaman privasi", max_length=300, default="/publik/privasi/"
    )
    office_lat = models.DecimalField(
        "lintang kantor", max_digits=9, decimal_places=6, null=True, blank=True
    )
    office_lng = models.DecimalField(
        "bujur kantor", max_digits=9, decimal_places=6, null=True, blank=True
    )
    duplicate_radius_m = models.PositiveIntegerField(
        "radius aduan serupa (meter)",
        default=200,
        help_text="Bot menawari warga bergabung pada aduan terbuka berkategori sama yang "
        "berada dalam jarak ini dari lokasi yang dikirimnya.",
    )
    duplicate_window_hours = models.PositiveIntegerField(
        "jangka aduan serupa (jam)",
        default=24,
        help_text="Hanya aduan serupa yang diterima dalam sekian jam terakhir yang ditawarkan.",
    )
    # The monthly report's signature block.
    head_name = models.CharField("nama Kepala Satuan (Kasat)", max_length=150, blank=True)
    head_nip = models.CharField("NIP Kepala Satuan", max_length=30, blank=True)
    signing_place = models.CharField(
        "tempat penandatanganan", max_length=100, default="Paringin", blank=True
    )

    class Meta:
        verbose_name = "profil layanan"
        verbose_name_plural = "profil layanan"

    def __str__(self):
        return f"{self.service_name} — {self.agency_name}"

    @classmethod
    def get(cls) -> "ServiceProfile":
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class EmergencyNumber(models.Model):
    name = models.CharField("nama", max_length=100)
    number = models.CharField("nomor", max_length=30)
    order = models.PositiveSmallIntegerField("urutan", default=0)

    class Meta:
        verbose_name = "nomor darurat"
        verbose_name_plural = "nomor darurat"
        ordering = ["order", "name"]

    def __str__(self):
        return f"{self.name}: {self.number}"
