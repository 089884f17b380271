"""factory_boy factories and a small two-district world for access tests."""

from dataclasses import dataclass

import factory

from anjian.enterprises.models import Enterprise
from anjian.orgs.models import Grid, Industry, Organisation, Role, User
from anjian.regions.models import Region
from anjian.rules.identifiers import credit_code_check_char

PASSWORD = "Test-pass-2026"


def credit_code(n: int, region: str = "130202", series: str = "MA") -> str:
    """A valid code; factories use their own series so fixed test numbers never collide."""
    body = f"91{region}{series}{n:07d}"
    return body + credit_code_check_char(body)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = Organisation.Kind.GOVERNMENT
    region = factory.LazyFunction(lambda: Region.objects.get(code="130202"))


class EnterpriseFactory(OrganisationFactory):
    kind = Organisation.Kind.ENTERPRISE
    name = factory.Sequence(lambda n: f"测试企业{n}有限公司")
    industry = factory.LazyFunction(lambda: Industry.objects.get(code="47"))
    credit_code = factory.Sequence(lambda n: credit_code(n + 1, series="FA"))


class GridFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grid

    name = factory.Sequence(lambda n: f"第{n}网格")
    region = factory.LazyFunction(lambda: Region.objects.get(code="130202001"))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.SAFETY
    organisation = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.SAFETY)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


@dataclass
class World:
    """Users and records across two districts, for "outside the scope sees nothing" tests."""

    bureau: User  # 路南区应急管理局
    leader: User
    zhujian: User  # 住建 department: 建筑业 (E) and 燃气 (45)
    township: User  # 学院南路街道
    other_township: User  # 友谊街道
    grid_worker: User  # 学院南路街道第一网格
    enterprise_user: User  # 建筑 enterprise in 学院南路街道, grid 1
    expert: User
    other_district_bureau: User  # 路北区应急管理局
    building_co: Organisation  # 47 建筑业, 学院南路街道, grid 1
    chemical_co: Organisation  # 26 化工, 学院南路街道, no grid
    youyi_co: Organisation  # 52 零售, 友谊街道
    lubei_co: Organisation  # 47 建筑业, 路北区
    grid1: Grid


def build_world() -> World:
    codes = ("130202", "130202001", "130202002", "130203", "130203001")
    r = {c: Region.objects.get(code=c) for c in codes}
    ind = {c: Industry.objects.get(code=c) for c in ("E", "45", "47", "26", "52")}
    gov = OrganisationFactory(name="路南区人民政府", region=r["130202"])
    safety = OrganisationFactory(
        name="路南区应急管理局", kind=Organisation.Kind.SAFETY, region=r["130202"]
    )
    zhujian_org = OrganisationFactory(
        name="路南区住建局", kind=Organisation.Kind.DEPARTMENT, region=r["130202"]
    )
    zhujian_org.supervised_industries.set([ind["E"], ind["45"]])
    xueyuan = OrganisationFactory(name="学院南路街道办事处", region=r["130202001"])
    youyi = OrganisationFactory(name="友谊街道办事处", region=r["130202002"])
    lubei_safety = OrganisationFactory(
        name="路北区应急管理局", kind=Organisation.Kind.SAFETY, region=r["130203"]
    )
    experts = OrganisationFactory(name="专家库", kind=Organisation.Kind.OTHER, region=r["130202"])
    grid1 = GridFactory(name="学院南路第一网格", region=r["130202001"])
    building = EnterpriseFactory(
        name="宏达建筑公司", region=r["130202001"], industry=ind["47"], grid=grid1
    )
    chemical = EnterpriseFactory(name="永兴化工公司", region=r["130202001"], industry=ind["26"])
    youyi_co = EnterpriseFactory(name="友谊商场公司", region=r["130202002"], industry=ind["52"])
    lubei_co = EnterpriseFactory(
        name="路北建筑公司",
        region=r["130203001"],
        industry=ind["47"],
        credit_code=credit_code(900, "130203"),
    )
    for org in (building, chemical, youyi_co, lubei_co):
        Enterprise.objects.create(organisation=org, principal_name="负责人", employees=20)
    return World(
        bureau=UserFactory(
            username="bureau", organisation=safety, role=Role.SAFETY, is_org_admin=True
        ),
        leader=UserFactory(username="leader", organisation=gov, role=Role.LEADER),
        zhujian=UserFactory(username="zhujian", organisation=zhujian_org, role=Role.DEPARTMENT),
        township=UserFactory(
            username="township", organisation=xueyuan, role=Role.TOWNSHIP, is_org_admin=True
        ),
        other_township=UserFactory(username="youyi", organisation=youyi, role=Role.TOWNSHIP),
        grid_worker=UserFactory(username="grid", organisation=xueyuan, role=Role.GRID, grid=grid1),
        enterprise_user=UserFactory(
            username="ent", organisation=building, role=Role.ENTERPRISE, is_org_admin=True
        ),
        expert=UserFactory(username="expert", organisation=experts, role=Role.EXPERT),
        other_district_bureau=UserFactory(
            username="lubei", organisation=lubei_safety, role=Role.SAFETY
        ),
        building_co=building,
        chemical_co=chemical,
        youyi_co=youyi_co,
        lubei_co=lubei_co,
        grid1=grid1,
    )
