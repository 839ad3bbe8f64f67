from django.db import migrations


def load(apps, schema_editor):
    from lalisa.complaints.reference import EMERGENCY_NUMBERS

    EmergencyNumber = apps.get_model("service", "EmergencyNumber")
    ServiceProfile = apps.get_model("service", "ServiceProfile")
    ServiceProfile.objects.get_or_create(pk=1)
    if not EmergencyNumber.objects.exists():
        for order, (name, number) in enumerate(EMERGENCY_NUMBERS):
            EmergencyNumber.objects.create(name=name, number=number, order=order)


class Migration(migrations.Migration):
    dependencies = [("service", "0001_initial"), ("complaints", "0002_reference_data")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
