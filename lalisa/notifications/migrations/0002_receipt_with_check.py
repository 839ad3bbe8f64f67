"""The receipt a citizen gets when a complaint is filed now gives its check part (kode cek)
for the public lookup. Rows hold the text once written, so a receipt the superadmin never
edited is brought to the new default here; an edited one is left as it is (its editor sees
{check} and {lookup_url} among the placeholders offered)."""

from django.db import migrations

KEY = "complaint_received"
BEFORE = (
    "Terima kasih, aduan Anda sudah kami terima dengan nomor tiket *{code}* ({category}).\n"
    "Petugas akan memeriksanya paling lambat {due}, lalu Kepala Bidang memutuskan tindak "
    "lanjutnya dan menugaskan tim ke lokasi. Setiap perkembangan kami kabarkan di sini.\n"
    "Simpan nomor tiket ini; ketik nomornya kapan saja untuk cek status."
)
AFTER = (
    "Terima kasih, aduan Anda sudah kami terima dengan nomor tiket *{code}* ({category}).\n"
    "Kode cek: *{check}*\n"
    "Petugas akan memeriksanya paling lambat {due}, lalu Kepala Bidang memutuskan tindak "
    "lanjutnya dan menugaskan tim ke lokasi. Setiap perkembangan kami kabarkan di sini.\n"
    "Simpan nomor tiket dan kode cek ini. Ketik nomor tiket di sini kapan saja untuk cek "
    "status; di {lookup_url} status dapat dilihat dengan keduanya."
)
DESCRIPTION = "Warga: aduan tercatat (dengan kode cek untuk halaman cek status)"


def _replace(apps, old: str, new: str, description: str) -> None:
    MessageText = apps.get_model("notifications", "MessageText")
    for row in MessageText.objects.filter(key=KEY):
        # Saved unchanged from the admin's form, its lines end in \r\n.
        if row.text.replace("\r\n", "\n").strip() == old:
            row.text, row.description = new, description
            row.save(update_fields=["text", "description"])


def forward(apps, schema_editor):
    _replace(apps, BEFORE, AFTER, DESCRIPTION)


def backward(apps, schema_editor):
    _replace(apps, AFTER, BEFORE, "Warga: aduan tercatat")


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
