"""The default hazard domains (the data migration seeds the same list; this keeps a
database that was flushed, such as a test database, usable)."""

from anjian.hazards.models import HazardDomain

DEFAULT_DOMAINS = [
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


def ensure_domains() -> None:
    for order, (code, name) in enumerate(DEFAULT_DOMAINS, start=1):
        HazardDomain.objects.get_or_create(code=code, defaults={"name": name, "order": order})
