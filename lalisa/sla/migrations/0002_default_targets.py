import datetime

from django.db import migrations

EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def load(apps, schema_editor):
    from lalisa.sla.defaults import DEFAULT_TARGETS

    SlaTarget = apps.get_model("sla", "SlaTarget")
    if SlaTarget.objects.exists():
        return
    for priority, stage, amount, unit in DEFAULT_TARGETS:
        SlaTarget.objects.create(
            priority=priority, stage=stage, amount=amount, unit=unit, effective_from=EPOCH
        )


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
