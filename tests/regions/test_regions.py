import csv

import pytest

from anjian.regions.loader import DATA_DIR, load_regions
from anjian.regions.models import Region
from anjian.regions.widgets import RegionField, picker_levels

pytestmark = pytest.mark.django_db


def _csv_rows() -> int:
    total = 0
    for name in ("provinces", "cities", "areas", "streets"):
        with open(DATA_DIR / f"{name}.csv", encoding="utf-8", newline="") as fh:
            total += sum(1 for _ in csv.DictReader(fh))
    return total


def test_full_load_matches_the_csv_and_is_idempotent():
    in_files, in_table = load_regions()
    assert in_files == in_table == _csv_rows() == 44703
    lunan = Region.objects.get(code="130202")
    lunan.name = "被改坏的名称"
    lunan.save()
    in_files, in_table = load_regions()
    assert in_table == 44703
    lunan.refresh_from_db()
    assert lunan.name == "路南区"
    assert lunan.full_name == "河北省唐山市路南区"
    assert lunan.parent_id == "1302" and lunan.level == Region.Level.COUNTY


def test_subtree_of_lunan_is_the_district_and_its_11_townships(reference_data):
    subtree = Region.objects.get(code="130202").subtree()
    assert subtree.count() == 12
    townships = subtree.filter(level=Region.Level.TOWNSHIP)
    assert townships.count() == 11
    assert set(townships.values_list("name", flat=True)) >= {"学院南路街道", "稻地镇", "女织寨镇"}
    assert not subtree.filter(code__startswith="130203").exists()


def test_municipality_grouping_names_are_left_out_of_full_names():
    load_regions(only=("110101",))
    assert Region.objects.get(code="110101").full_name == "北京市东城区"


def test_ancestors(reference_data):
    chain = Region.objects.get(code="130202001").ancestors()
    assert [r.code for r in chain] == ["13", "1302", "130202", "130202001"]


def test_picker_levels_follow_the_chosen_region(reference_data):
    levels = picker_levels("130202001", root=None, max_level=4)
    assert [lv["selected"] for lv in levels] == ["13", "1302", "130202", "130202001"]
    rooted = picker_levels(None, root="130202", max_level=4)
    assert len(rooted) == 1 and len(rooted[0]["options"]) == 11
    assert (
        # the district's code filters its whole subtree: 全区, not 本级 (its own level)
        rooted[0]["placeholder"] == "路南区（全区）" and rooted[0]["placeholder_value"] == "130202"
    )


def test_picker_ignores_values_outside_its_root(reference_data):
    levels = picker_levels("130203001", root="130202", max_level=4)
    assert [lv["selected"] for lv in levels] == ["130202"]


def test_region_field_refuses_a_region_outside_its_root(reference_data):
    field = RegionField(root="130202")
    assert field.clean("130202001").code == "130202001"
    with pytest.raises(Exception, match="只能选择本辖区"):
        field.clean("130203")
    with pytest.raises(Exception, match="有效"):
        field.clean("999999")


def test_picker_view_renders_next_level(reference_data, client, django_user_model):
    user = django_user_model.objects.create_superuser(
        "ops", password="x-Pass-2026", full_name="运维"
    )
    client.force_login(user)
    html = client.get(
        "/regions/picker/", {"_name": "region", "region": "130202", "_max": 4}
    ).content.decode()
    assert "学院南路街道" in html and 'name="region"' in html


def test_regions_api(reference_data, client, django_user_model):
    user = django_user_model.objects.create_superuser(
        "ops", password="x-Pass-2026", full_name="运维"
    )
    client.force_login(user)
    children = client.get("/api/v1/regions", {"parent": "130202"}).json()
    assert len(children) == 11 and children[0]["code"] == "130202001"
    assert client.get("/api/v1/regions/130202").json()["full_name"] == "河北省唐山市路南区"
    assert client.get("/api/v1/regions/999999").status_code == 404
