"""Demo organisations and users of 唐山市路南区 (130202). Idempotent: existing rows are kept."""

from __future__ import annotations

from anjian.orgs import services
from anjian.orgs.models import Grid, Industry, Organisation, Role, User
from anjian.regions.models import Region
from anjian.rules.identifiers import credit_code_check_char

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

#: (name, industry 大类, township code, grid index or None)
ENTERPRISES = [
    ("唐山鑫源燃气有限公司", "45", "130202001", 0),
    ("唐山市路南区宏达建筑工程有限公司", "47", "130202001", 0),
    ("唐山路安道路运输有限公司", "54", "130202002", None),
    ("唐山市永兴化工有限公司", "26", "130202102", None),
    ("唐山南湖大酒店有限公司", "61", "130202003", None),
    ("唐山万家乐购商贸有限公司", "52", "130202003", None),
    ("唐山冀东钢构制品有限公司", "33", "130202103", None),
    ("唐山陶瓷机械制造有限公司", "35", "130202007", None),
    ("唐山通达仓储物流有限公司", "59", "130202008", None),
    ("唐山宏远装饰工程有限公司", "50", "130202001", 1),
    ("唐山福瑞餐饮管理有限公司", "62", "130202005", None),
    ("唐山凤凰文化娱乐有限公司", "90", "130202004", None),
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


def demo_credit_code(seed: int) -> str:
    """A check-digit-valid 统一社会信用代码 registered in 路南区 (R-ID-1)."""
    body = f"91{DISTRICT}MA0{seed:05d}X"[:17]
    body = body.replace("X", "B")
    return body + credit_code_check_char(body)


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

    grids: dict[str, list[Grid]] = {}
    for township in Region.objects.filter(parent=district).order_by("code"):
        _org(
            operator,
            name=_township_org_name(township),
            kind=K.GOVERNMENT,
            region=township,
            parent=gov,
        )
        grids[township.code] = [
            Grid.objects.get_or_create(region=township, name=f"{township.name}第{n}网格")[0]
            for n in ("一", "二")
        ]

    for seed, (name, industry, township, grid_index) in enumerate(ENTERPRISES, start=1):
        _org(
            operator,
            name=name,
            kind=K.ENTERPRISE,
            region=Region.objects.get(code=township),
            industry=Industry.objects.get(code=industry),
            grid=grids[township][grid_index] if grid_index is not None else None,
            credit_code=demo_credit_code(seed),
            phone=f"0315-28{seed:05d}",
        )

    logins = [("admin", "运维管理员", "（全部数据）")]
    for username, full_name, org_name, role, admin, grid_index in LOGINS:
        organisation = Organisation.objects.get(name=org_name)
        if not User.objects.filter(username=username).exists():
            grid = grids[organisation.region_id][grid_index] if grid_index is not None else None
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
