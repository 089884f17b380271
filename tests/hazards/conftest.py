import base64
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from anjian.hazards import services
from anjian.hazards.models import HazardDomain

#: A real 1×1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def photo(name="现场.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PNG, content_type="image/png")


def hazard_data(**extra):
    data = {
        "place": "3号塔吊",
        "domain": HazardDomain.objects.get(code="construction"),
        "factor_class": "物的因素",
        "level": "general",
        "description": "塔吊限位器失效",
        "source": "township",
        # 责令限期整改: a township's finding comes with the deadline it sets.
        "deadline": timezone.now() + timedelta(days=30),
    }
    data.update(extra)
    return data


def plan_data(**extra):
    data = {
        "measures": "更换限位器",
        "responsible_person": "张三",
        "responsible_phone": "13800000000",
        "funds": Decimal("3000"),
        "deadline": timezone.now() + timedelta(days=7),
        "contingency": "停用塔吊，设警戒区",
    }
    data.update(extra)
    return data


@pytest.fixture
def hazard(world):
    """A 一般 hazard at the building company (学院南路街道, grid 1, supervised by 住建)."""
    return services.hazard_register(
        actor=world.township, enterprise=world.building_co.enterprise, data=hazard_data()
    )


@pytest.fixture
def rectifying(world, hazard):
    return services.hazard_set_plan(actor=world.enterprise_user, hazard=hazard, plan=plan_data())


@pytest.fixture
def pending(world, rectifying):
    return services.hazard_submit_rectification(
        actor=world.enterprise_user, hazard=rectifying, note="已更换", photos=[photo()]
    )
