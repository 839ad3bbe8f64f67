from django.db import migrations


def load(apps, schema_editor):
    from lalisa.complaints.reference import CATEGORIES, OUTCOMES

    Category = apps.get_model("complaints", "Category")
    Outcome = apps.get_model("complaints", "Outcome")
    for order, (code, name, description, priority) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "description": description,
                "default_priority": priority,
                "order": order,
            },
        )
    for order, (code, name) in enumerate(OUTCOMES):
        Outcome.objects.get_or_create(code=code, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
