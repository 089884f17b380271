import uuid

import pytest

from anjian.inspections import services
from anjian.inspections.models import ChecklistTemplate
from tests.hazards.conftest import PNG, photo  # noqa: F401 - shared with the tests here


@pytest.fixture
def checklist(world):
    """The 房屋市政工程 checklist: 6 items, 4 of them 重大 criteria."""
    return ChecklistTemplate.objects.get(name="房屋市政工程重大事故隐患检查表", is_current=True)


def answers_for(template, fail=(), na=(), notes=None, photos=None):
    """Every item answered: the positions in `fail` 不合格, in `na` 不适用, the rest 合格."""
    result = []
    for index, item in enumerate(template.items()):
        kind = "fail" if index in fail else "na" if index in na else "pass"
        result.append(
            services.AnswerIn(
                item_id=item.pk,
                result=kind,
                note=(notes or {}).get(index, "现场发现问题" if kind == "fail" else ""),
                photos=(photos or {}).get(index, []),
            )
        )
    return result


def submit(world, template, *, actor=None, client_id=None, kind="township", **extra):
    values = {
        "place": "宏达建筑公司3号楼工地",
        "signed_by": "检查员甲",
        "answers": answers_for(template),
    }
    values.update(extra)
    return services.inspection_submit(
        actor=actor or world.township,
        enterprise=world.building_co.enterprise,
        template=template,
        kind=kind,
        client_id=client_id or uuid.uuid4(),
        **values,
    )
