from django.db import migrations

DOMAINS = [
    ("fire", "消防"),
    ("flood_fire", "防汛防火"),
    ("road", "道路交通"),
    ("mine", "矿山"),
    ("gas", "燃气"),
    ("construction", "建筑施工"),
    ("tourism", "旅游"),
    ("hazchem", "危化"),
    ("public", "公共领域"),
    ("special_equipment", "特种设备"),
    ("industry_trade", "工贸"),
    ("other", "其他"),
]


def seed(apps, schema_editor):
    HazardDomain = apps.get_model("hazards", "HazardDomain")
    for order, (code, name) in enumerate(DOMAINS, start=1):
        HazardDomain.objects.update_or_create(code=code, defaults={"name": name, "order": order})


def unseed(apps, schema_editor):
    apps.get_model("hazards", "HazardDomain").objects.filter(
        code__in=[c for c, _ in DOMAINS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("hazards", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
