from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from anjian.accidents import services
from anjian.accidents.models import AccidentCategory, Domain
from anjian.regions.models import Region


def local(*args):
    return timezone.make_aware(datetime(*args))


def report_data(**extra):
    occurred = extra.pop("occurred_at", timezone.now() - timedelta(minutes=40))
    data = {
        "domain": Domain.INDUSTRY_TRADE,
        "category": AccidentCategory.objects.get(name="高处坠落"),
        "occurred_at": occurred,
        "learnt_at": extra.pop("learnt_at", occurred + timedelta(minutes=10)),
        "place": "3号楼脚手架",
        "course": "作业人员在3号楼外墙脚手架作业时坠落。",
        "measures": "立即送医，停止高处作业，保护现场。",
    }
    data.update(extra)
    return data


def figures(deaths=0, serious=0, loss=0, missing=0, minor=0):
    return {
        "deaths": deaths,
        "missing": missing,
        "serious_injuries": serious,
        "minor_injuries": minor,
        "direct_loss": Decimal(loss),
    }


def report(world, *, actor=None, enterprise=None, received_at=None, fig=None, **data):
    """A 快报 for the building company (学院南路街道) unless told otherwise."""
    if enterprise is None and "unit_name" not in data:
        enterprise = world.building_co.enterprise
    return services.accident_report(
        actor=actor or world.bureau,
        enterprise=enterprise,
        data=report_data(**data),
        figures=fig or figures(deaths=1),
        received_at=received_at,
    )


@pytest.fixture
def accident(world):
    return report(world)


@pytest.fixture
def youyi_region(world):
    return Region.objects.get(code="130202002")
