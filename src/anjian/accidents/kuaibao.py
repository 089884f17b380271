"""The printable 事故快报 (Word and PDF), in the layout of the report's contents set by
《生产安全事故报告和调查处理条例》(国务院令第493号) 第十二条 (R-ACC-4): 事故发生单位概况;
事故发生的时间、地点以及事故现场情况; 事故的简要经过; 伤亡人数（包括下落不明的人数）和
初步估计的直接经济损失; 已经采取的措施; 其他应当报告的情况 — followed by who reports,
how to reach them and when.

Built with python-docx and fpdf2 like the inspection record (inspections/reports.py),
one list of rows for both formats so the two files always say the same thing.
"""

from __future__ import annotations

import io
from decimal import Decimal

from anjian.accidents.models import Accident
from anjian.core.listing import local_minute

TITLE = "生产安全事故快报"


def loss_10k(amount: Decimal) -> str:
    """元 → 万元 as the 快报 quotes it (up to four decimals, trailing zeros dropped)."""
    value = (Decimal(amount) / 10_000).quantize(Decimal("0.0001"))
    text = f"{value:f}".rstrip("0").rstrip(".")
    return text or "0"


def _unit_overview(accident: Accident) -> str:
    parts = []
    enterprise = accident.enterprise
    if enterprise is not None:
        org = enterprise.organisation
        parts.append(f"统一社会信用代码：{org.credit_code or '—'}")
        parts.append(f"地址：{org.address or org.region.full_name}")
        if enterprise.principal_name:
            parts.append(f"主要负责人：{enterprise.principal_name}")
    if accident.industry_id:
        parts.append(f"行业：{accident.industry.name}")
    text = "；".join(parts)
    if accident.unit_overview:
        text = f"{text}\n{accident.unit_overview}" if text else accident.unit_overview
    return text or "—"


def kuaibao_rows(accident: Accident) -> list[tuple[str, str]]:
    """(heading, text) in the order of 第十二条, then the reporter's block."""
    reporter = accident.reported_by
    reporting_org = reporter.organisation.name if reporter.organisation_id else ""
    phone = reporter.phone or (reporter.organisation.phone if reporter.organisation_id else "")
    casualties = (
        f"死亡 {accident.deaths} 人，下落不明 {accident.missing} 人，"
        f"重伤（含急性工业中毒） {accident.serious_injuries} 人，轻伤 {accident.minor_injuries} 人"
    )
    return [
        ("事故发生单位", accident.unit_name),
        ("事故发生单位概况", _unit_overview(accident)),
        ("事故发生时间", local_minute(accident.occurred_at) or ""),
        ("事故发生地点", f"{accident.region.full_name} {accident.place}".strip()),
        (
            "事故领域、类别及等级",
            f"{accident.get_domain_display()}，{accident.category}，初判{accident.get_level_display()}事故",
        ),
        ("事故简要经过", accident.course),
        ("伤亡人数", casualties),
        ("初步估计的直接经济损失", f"{loss_10k(accident.direct_loss)} 万元"),
        ("已经采取的措施", accident.measures),
        ("其他应当报告的情况", accident.other or "无"),
        ("报告单位", reporting_org),
        ("报告人", reporter.get_full_name() or reporter.username),
        ("联系电话", phone or "—"),
        ("报告时间", local_minute(accident.reported_at) or ""),
    ]


def render_docx(accident: Accident) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "仿宋"
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(TITLE)
    run.font.size = Pt(22)
    run.bold = True
    run.font.name = "宋体"
    run.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for heading, text in kuaibao_rows(accident):
        cells = table.add_row().cells
        cells[0].text = heading
        cells[1].text = text
        cells[0].width = Cm(4)
        cells[1].width = Cm(12)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def render_pdf(accident: Accident) -> bytes:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    from anjian.inspections.reports import cjk_font

    path, index = cjk_font()
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("cjk", "", path, collection_font_number=index)
    pdf.add_page()
    pdf.set_font("cjk", size=18)
    pdf.cell(0, 12, TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("cjk", size=11)
    # one regular face is embedded: the headings column is shaded, not bold
    shaded = FontFace(emphasis="", fill_color=(240, 240, 240))
    with pdf.table(
        col_widths=(38, 92), text_align="LEFT", line_height=7, first_row_as_headings=False
    ) as table:
        for heading, text in kuaibao_rows(accident):
            row = table.row()
            row.cell(heading, style=shaded)
            row.cell(text)
    return bytes(pdf.output())
