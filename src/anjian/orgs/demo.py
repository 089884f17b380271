"""Demo organisations and users of 唐山市路南区 (130202). Idempotent: existing rows are kept."""

from __future__ import annotations

from anjian.orgs import services
from anjian.orgs.models import Grid, Industry, Organisation, Role, User
from anjian.regions.models import Region

DEMO_PASSWORD = "Anjian@2026"  # noqa: S105 - printed for the demo, never used in production
DISTRICT = "130202"
K = Organisation.Kind

#: 三管三必须: the district's departments and the industries they supervise.
DEPARTMENTS = [
    ("唐山市路南区住房和城乡建设局", ["E", "45"]),
    ("唐山市路南区交通运输局", ["G"]),
    ("唐山市路南区工业和信息化局", ["B", "C", "44", "46"]),
    ("唐山市路南区市场监督管理局", ["F"]),
    ("唐山市路南区商务局", ["51", "52", "62"]),
    ("唐山市路南区教育局", ["P"]),
    ("唐山市路南区文化广电和旅游局", ["R", "72"]),
    ("唐山市路南区卫生健康局", ["Q"]),
    ("唐山市公安局路南分局交通警察大队", ["54"]),
    ("唐山市路南区消防救援大队", ["H", "52", "R"]),
]

LOGINS = [
    # username, full name, organisation name, role, org admin, grid
    ("quzhang", "王建国", "唐山市路南区人民政府", Role.LEADER, False, None),
    ("yjj", "李明", "唐山市路南区应急管理局", Role.SAFETY, True, None),
    ("awb", "赵丽", "唐山市路南区安全生产委员会办公室", Role.SAFETY, False, None),
    ("zhujian", "孙强", "唐山市路南区住房和城乡建设局", Role.DEPARTMENT, True, None),
    ("xueyuan", "周敏", "唐山市路南区学院南路街道办事处", Role.TOWNSHIP, True, None),
    ("wangge", "吴刚", "唐山市路南区学院南路街道办事处", Role.GRID, False, 0),
    ("qiye", "郑华", "唐山鑫源燃气有限公司", Role.ENTERPRISE, True, None),
    ("zhuanjia", "陈工", "路南区安全生产专家库", Role.EXPERT, False, None),
]


def _township_org_name(region: Region) -> str:
    suffix = "办事处" if region.name.endswith("街道") else "人民政府"
    return f"唐山市路南区{region.name}{suffix}"


def _org(
    operator, *, name, kind, region, parent=None, industry=None, grid=None, industries=(), **extra
):
    existing = Organisation.objects.filter(region=region, name=name).first()
    if existing:
        return existing
    return services.organisation_create(
        actor=operator,
        data={
            "name": name,
            "kind": kind,
            "region": region,
            "parent": parent,
            "industry": industry,
            "grid": grid,
            **extra,
        },
        supervised_industries=list(Industry.objects.filter(code__in=industries)),
    )


def build() -> list[tuple[str, str, str]]:
    operator = User.objects.filter(username="admin").first()
    if operator is None:
        operator = User.objects.create_superuser(
            "admin", password=DEMO_PASSWORD, full_name="系统运维"
        )
    district = Region.objects.get(code=DISTRICT)
    gov = _org(
        operator,
        name="唐山市路南区人民政府",
        kind=K.GOVERNMENT,
        region=district,
        address="唐山市路南区新华西道",
        phone="0315-2806000",
    )
    _org(
        operator,
        name="唐山市路南区应急管理局",
        kind=K.SAFETY,
        region=district,
        parent=gov,
        phone="0315-2806110",
    )
    _org(
        operator,
        name="唐山市路南区安全生产委员会办公室",
        kind=K.SAFETY,
        region=district,
        parent=gov,
    )
    _org(operator, name="路南区安全生产专家库", kind=K.OTHER, region=district, parent=gov)
    for name, industries in DEPARTMENTS:
        _org(
            operator,
            name=name,
            kind=K.DEPARTMENT,
            region=district,
            parent=gov,
            industries=industries,
        )

    for township in Region.objects.filter(parent=district).order_by("code"):
        _org(
            operator,
            name=_township_org_name(township),
            kind=K.GOVERNMENT,
            region=township,
            parent=gov,
        )
        for n in ("一", "二"):
            Grid.objects.get_or_create(region=township, name=f"{township.name}第{n}网格")

    return []


def build_logins() -> list[tuple[str, str, str]]:
    """One login per role; runs after the register so the enterprise login has its enterprise."""
    operator = User.objects.get(username="admin")
    grids = {g.region_id: g for g in Grid.objects.filter(name__endswith="第一网格")}
    logins = [("admin", "运维管理员", "（全部数据）")]
    for username, full_name, org_name, role, admin, grid_index in LOGINS:
        organisation = Organisation.objects.get(name=org_name)
        if not User.objects.filter(username=username).exists():
            grid = grids[organisation.region_id] if grid_index is not None else None
            services.user_create(
                actor=operator,
                organisation=organisation,
                username=username,
                password=DEMO_PASSWORD,
                data={
                    "full_name": full_name,
                    "role": role,
                    "is_org_admin": admin,
                    "grid": grid,
                    "phone": f"1380315{len(logins):04d}",
                },
            )
        logins.append((username, Role(role).label, org_name))
    return logins
