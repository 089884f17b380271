"""Checklists seeded from the sector criteria for 重大事故隐患 (R-HAZ-6) and common
fire-safety practice. Each item cites its source; `major` marks a 重大事故隐患 criterion."""

from __future__ import annotations

from typing import Any

GBT_FIRE = "《重大火灾隐患判定方法》(GB 35181-2017)"
FIRE_LAW = "《中华人民共和国消防法》"
GONGMAO = "《工贸企业重大事故隐患判定标准》(应急管理部令第10号)"
HUAGONG = (
    "《化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）》(安监总管三〔2017〕121号)"
)
YANHUA = "《烟花爆竹生产经营单位重大生产安全事故隐患判定标准（试行）》(安监总管三〔2017〕121号)"
JIANZHU = "《房屋市政工程生产安全重大事故隐患判定标准（2022版）》(建质规〔2022〕2号)"

#: (name, domain code, industry codes, basis, [(section, [(question, how, basis, major, factor)])])
CHECKLISTS: list[tuple[str, str, str, str, list[tuple[str, list[tuple[Any, ...]]]]]] = [
    (
        "消防安全通用检查表",
        "fire",
        "",
        f"{FIRE_LAW}、《机关、团体、企业、事业单位消防安全管理规定》(公安部令第61号)",
        [
            (
                "消防设施器材",
                [
                    (
                        "消防设施、器材是否完好有效",
                        "现场查看消火栓、报警按钮、喷淋末端试水",
                        FIRE_LAW,
                        False,
                        "物的因素",
                    ),
                    (
                        "灭火器是否在有效期内、压力是否正常",
                        "查看灭火器压力表和维修标签",
                        FIRE_LAW,
                        False,
                        "物的因素",
                    ),
                    (
                        "应急照明和疏散指示标志是否完好",
                        "断开正常照明试验",
                        FIRE_LAW,
                        False,
                        "物的因素",
                    ),
                ],
            ),
            (
                "疏散通道与用火用电",
                [
                    (
                        "疏散通道、安全出口是否畅通，有无锁闭、堵塞",
                        "沿疏散路线查看",
                        FIRE_LAW,
                        False,
                        "管理因素",
                    ),
                    ("消防车通道是否畅通", "现场查看", FIRE_LAW, False, "管理因素"),
                    (
                        "有无私拉乱接电线、违规使用大功率电器",
                        "查看配电箱和线路",
                        FIRE_LAW,
                        False,
                        "物的因素",
                    ),
                    (
                        "消防控制室是否24小时双人值班且持证上岗",
                        "查看值班记录和证书",
                        "《消防控制室通用技术要求》(GB 25506-2010)",
                        False,
                        "人的因素",
                    ),
                ],
            ),
        ],
    ),
    (
        "人员密集场所重大火灾隐患检查表",
        "fire",
        "",
        GBT_FIRE,
        [
            (
                "安全疏散",
                [
                    (
                        "公共娱乐场所、商店、地下人员密集场所的安全出口数量是否足够，总净宽度是否不小于规定值的80%",
                        "测量并对照设计文件",
                        GBT_FIRE,
                        True,
                        "物的因素",
                    ),
                    (
                        "是否按规定设置自动喷水灭火系统或火灾自动报警系统",
                        "查看系统设置和运行",
                        GBT_FIRE,
                        True,
                        "物的因素",
                    ),
                ],
            )
        ],
    ),
    (
        "工贸企业重大事故隐患检查表",
        "industry_trade",
        "13,14,15,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,51,52,59",
        GONGMAO,
        [
            (
                "通用",
                [
                    (
                        "是否对承包、承租单位的安全生产工作统一协调、管理，并定期进行安全检查",
                        "查看协议、检查记录",
                        GONGMAO,
                        True,
                        "管理因素",
                    ),
                    (
                        "特种作业人员是否按规定经专门的安全作业培训并取得相应资格",
                        "核对特种作业操作证",
                        GONGMAO,
                        True,
                        "人的因素",
                    ),
                    (
                        "是否辨识有限空间并建立台账、设置明显的安全警示标志",
                        "查看台账和现场标志",
                        GONGMAO,
                        True,
                        "管理因素",
                    ),
                ],
            ),
            (
                "冷库",
                [
                    (
                        "快速冻结装置所在作业间内作业人员是否超过9人",
                        "现场清点人数",
                        GONGMAO,
                        True,
                        "管理因素",
                    ),
                ],
            ),
        ],
    ),
    (
        "化工和危险化学品重大事故隐患检查表",
        "hazchem",
        "25,26,27,28,29,51,59",
        HUAGONG,
        [
            (
                "人员与管理",
                [
                    (
                        "危险化学品生产、经营单位主要负责人和安全生产管理人员是否依法经考核合格",
                        "核对考核合格证",
                        HUAGONG,
                        True,
                        "人的因素",
                    ),
                    ("特种作业人员是否持证上岗", "核对特种作业操作证", HUAGONG, True, "人的因素"),
                ],
            ),
            (
                "设备设施",
                [
                    (
                        "构成一级、二级重大危险源的危险化学品罐区是否实现紧急切断功能",
                        "查看紧急切断阀及联锁投用",
                        HUAGONG,
                        True,
                        "物的因素",
                    ),
                    (
                        "光气、氯气、硫化氢等剧毒气体管道是否穿（跨）越公共区域",
                        "对照管线图现场查看",
                        HUAGONG,
                        True,
                        "物的因素",
                    ),
                ],
            ),
        ],
    ),
    (
        "烟花爆竹生产经营单位重大事故隐患检查表",
        "hazchem",
        "26,52",
        YANHUA,
        [
            (
                "生产经营",
                [
                    (
                        "主要负责人、安全生产管理人员是否依法经考核合格",
                        "核对考核合格证",
                        YANHUA,
                        True,
                        "人的因素",
                    ),
                    (
                        "特种作业人员是否持证上岗，有无带药检维修设备设施",
                        "核对证书，询问作业情况",
                        YANHUA,
                        True,
                        "人的因素",
                    ),
                    (
                        "工（库）房实际作业人员数量是否超过核定人数",
                        "现场清点人数",
                        YANHUA,
                        True,
                        "管理因素",
                    ),
                    (
                        "防范静电危害的措施是否符合相关国家或行业标准规定",
                        "查看防静电设施和检测报告",
                        YANHUA,
                        True,
                        "物的因素",
                    ),
                ],
            )
        ],
    ),
    (
        "房屋市政工程重大事故隐患检查表",
        "construction",
        "E,47,48,49,50",
        JIANZHU,
        [
            (
                "施工安全管理",
                [
                    ("建筑施工企业是否取得安全生产许可证", "核对许可证", JIANZHU, True, "管理因素"),
                    (
                        "施工单位主要负责人、项目负责人、专职安全生产管理人员是否取得安全生产考核合格证书",
                        "核对证书",
                        JIANZHU,
                        True,
                        "人的因素",
                    ),
                    (
                        "建筑施工特种作业人员是否取得特种作业人员操作资格证书",
                        "核对证书",
                        JIANZHU,
                        True,
                        "人的因素",
                    ),
                    (
                        "危险性较大的分部分项工程是否编制、审核专项施工方案，超规模的是否组织专家论证",
                        "查看方案及论证报告",
                        JIANZHU,
                        True,
                        "管理因素",
                    ),
                ],
            ),
            (
                "现场防护",
                [
                    (
                        "脚手架连墙件是否按方案设置",
                        "现场查看",
                        "《建筑施工扣件式钢管脚手架安全技术规范》(JGJ 130-2011)",
                        False,
                        "物的因素",
                    ),
                    (
                        "基坑、楼层临边是否设置防护栏杆",
                        "现场查看",
                        "《建筑施工高处作业安全技术规范》(JGJ 80-2016)",
                        False,
                        "物的因素",
                    ),
                ],
            ),
        ],
    ),
]


def ensure_checklists() -> None:
    """Create the seeded checklists once (by name); never touches edited ones."""
    from anjian.hazards.domains import ensure_domains
    from anjian.hazards.models import HazardDomain
    from anjian.inspections.models import ChecklistItem, ChecklistSection, ChecklistTemplate

    ensure_domains()
    for name, domain, industries, basis, sections in CHECKLISTS:
        if ChecklistTemplate.objects.filter(name=name).exists():
            continue
        template = ChecklistTemplate.objects.create(
            name=name,
            domain=HazardDomain.objects.get(code=domain),
            industry_codes=industries,
            basis=basis,
        )
        for s_order, (title, items) in enumerate(sections, start=1):
            section = ChecklistSection.objects.create(template=template, title=title, order=s_order)
            for i_order, (question, how, legal, major, factor) in enumerate(items, start=1):
                ChecklistItem.objects.create(
                    section=section,
                    order=i_order,
                    question=question,
                    how_to_check=how,
                    legal_basis=legal,
                    major=major,
                    factor_class=factor,
                )
