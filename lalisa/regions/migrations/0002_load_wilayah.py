from django.db import migrations


def load(apps, schema_editor):
    from lalisa.regions.loader import load_regions

    load_regions(apps.get_model("regions", "Kecamatan"), apps.get_model("regions", "Desa"))


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
