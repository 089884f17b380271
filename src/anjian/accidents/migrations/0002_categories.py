from django.db import migrations


def seed(apps, schema_editor):
    from anjian.accidents.categories import category_rows

    AccidentCategory = apps.get_model("accidents", "AccidentCategory")
    for order, (code, name) in enumerate(category_rows(), start=1):
        AccidentCategory.objects.get_or_create(code=code, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("accidents", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
