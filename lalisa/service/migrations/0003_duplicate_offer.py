from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("service", "0002_reference_data")]

    operations = [
        migrations.AddField(
            model_name="serviceprofile",
            name="duplicate_radius_m",
            field=models.PositiveIntegerField(
                default=200,
                help_text="Bot menawari warga bergabung pada aduan terbuka berkategori sama "
                "yang berada dalam jarak ini dari lokasi yang dikirimnya.",
                verbose_name="radius aduan serupa (meter)",
            ),
        ),
        migrations.AddField(
            model_name="serviceprofile",
            name="duplicate_window_hours",
            field=models.PositiveIntegerField(
                default=24,
                help_text="Hanya aduan serupa yang diterima dalam sekian jam terakhir yang "
                "ditawarkan.",
                verbose_name="jangka aduan serupa (jam)",
            ),
        ),
    ]
