import django.db.models.deletion
from django.db import migrations, models


def fill_keywords(apps, schema_editor):
    # Read here, not at import: later edits of the reference list reach fresh installs only.
    from lalisa.complaints.reference import CATEGORY_KEYWORDS

    Category = apps.get_model("complaints", "Category")
    for code, words in CATEGORY_KEYWORDS.items():
        if words:
            Category.objects.filter(code=code, keywords="").update(keywords=words)


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0003_widen_bsuid"),
        ("whatsapp", "0003_indonesian_labels"),
    ]

    operations = [
        migrations.AddField(
            model_name="category",
            name="keywords",
            field=models.CharField(
                blank=True,
                help_text="Kata yang dipakai warga untuk kategori ini, dipisah koma.",
                max_length=500,
                verbose_name="kata kunci",
            ),
        ),
        migrations.AddField(
            model_name="media",
            name="inbound",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="complaint_media",
                to="whatsapp.inboundmedia",
            ),
        ),
        migrations.AddConstraint(
            model_name="media",
            constraint=models.UniqueConstraint(
                condition=models.Q(("inbound__isnull", False)),
                fields=("complaint", "inbound"),
                name="one_media_per_inbound",
            ),
        ),
        migrations.RunPython(fill_keywords, migrations.RunPython.noop),
    ]
