from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from anjian.regions.models import Region

router = Router(tags=["行政区划"])


class RegionOut(Schema):
    code: str
    name: str
    level: int
    parent_id: str | None
    full_name: str


@router.get("", response=list[RegionOut], summary="下级行政区划")
def list_regions(request, parent: str | None = None):
    """Children of `parent` (provinces when omitted). Regions are reference data: any
    signed-in user may read them."""
    return list(Region.objects.filter(parent_id=parent or None).order_by("code"))


@router.get("/{code}", response=RegionOut, summary="行政区划详情")
def get_region(request, code: str):
    return get_object_or_404(Region, code=code)
