"""The 现场检查记录 of a finished inspection, as PDF (fpdf2, with an embedded CJK font)
and Word (python-docx): answers, photos, hazards found and signatures."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.conf import settings

from anjian.core.listing import local_minute
from anjian.inspections.models import Answer, Inspection

#: Fonts tried in order when ANJIAN_PDF_FONT is not set: (path, index in a collection).
FONT_CANDIDATES = [
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # 2 = Simplified Chinese
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
]


class FontMissing(RuntimeError):
    """No font with Chinese glyphs: the PDF would show empty boxes."""


def cjk_font() -> tuple[str, int]:
    configured = getattr(settings, "ANJIAN_PDF_FONT", "")
    candidates = [(configured, 0)] if configured else FONT_CANDIDATES
    for path, index in candidates:
        if Path(path).is_file():
            return path, index
    raise FontMissing("生成PDF需要中文字体：apt-get install fonts-noto-cjk，或设置 ANJIAN_PDF_FONT")


def _local(moment: Any) -> str:
    return local_minute(moment) or ""


def _facts(inspection: Inspection) -> list[tuple[str, str]]:
    org = inspection.enterprise.organisation
    participants = "、".join(o.name for o in inspection.participants.all())
    return [
        ("被检查单位", org.name),
        ("统一社会信用代码", org.credit_code or ""),
        ("地址", org.address or org.region.full_name),
        ("检查类型", inspection.get_kind_display()),
        ("检查表", str(inspection.template)),
        ("检查地点", inspection.place),
        ("检查时间", f"{_local(inspection.started_at)} 至 {_local(inspection.finished_at)}"),
        ("检查单位", inspection.inspector_org.name if inspection.inspector_org else ""),
        *([("参加部门", participants)] if participants else []),
        *([("专项整治", inspection.campaign.name)] if inspection.campaign else []),
        *(
            [("定位", f"{inspection.latitude}, {inspection.longitude}")]
            if inspection.latitude is not None
            else []
        ),
    ]


def _answers(inspection: Inspection) -> list[Answer]:
    return list(
        inspection.answers.select_related("item__section", "hazard").prefetch_related("photos")
    )


def render_pdf(inspection: Inspection) -> bytes:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    path, index = cjk_font()
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("cjk", "", path, collection_font_number=index)
    pdf.add_page()
    pdf.set_font("cjk", size=16)
    pdf.cell(0, 10, "安全生产现场检查记录", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    for label, value in _facts(inspection):
        pdf.multi_cell(0, 6, f"{label}：{value}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("cjk", size=12)
    pdf.cell(0, 8, "检查情况", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=9)
    # one regular face is embedded: headings are shaded, not bold
    headings = FontFace(emphasis="", fill_color=(235, 235, 235))
    with pdf.table(
        col_widths=(8, 60, 18, 44), text_align="LEFT", line_height=5, headings_style=headings
    ) as table:
        table.row(["序号", "检查内容", "结果", "说明"])
        for number, answer in enumerate(_answers(inspection), start=1):
            mark = "（重大）" if answer.item.major and answer.result == Answer.Result.FAIL else ""
            table.row(
                [
                    str(number),
                    answer.item.question,
                    answer.get_result_display() + mark,
                    answer.note,
                ]
            )
    failed = [a for a in _answers(inspection) if a.hazard_id]
    pdf.ln(3)
    pdf.set_font("cjk", size=12)
    pdf.cell(0, 8, f"发现隐患 {len(failed)} 项", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=9)
    for number, answer in enumerate(failed, start=1):
        hazard = answer.hazard
        pdf.multi_cell(
            0,
            5,
            f"{number}、{hazard.description}（{hazard.get_level_display()}；依据：{hazard.legal_basis or '—'}）",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        for photo in answer.photos.all()[:3]:
            try:
                with photo.image.open("rb") as f:
                    pdf.image(io.BytesIO(f.read()), w=40)
            except Exception:
                pdf.multi_cell(0, 5, "（照片无法读取）", new_x="LMARGIN", new_y="NEXT")
    if inspection.summary:
        pdf.ln(2)
        pdf.multi_cell(0, 5, f"检查意见：{inspection.summary}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("cjk", size=10)
    top = pdf.get_y()
    pdf.cell(90, 8, f"检查人员（签名）：{inspection.signed_by}")
    pdf.cell(0, 8, f"被检查单位负责人（签名）：{inspection.enterprise_signed_by or ''}")
    for field, x in ((inspection.signature, pdf.l_margin), (inspection.enterprise_signature, 100)):
        drawn = _read(field)
        if drawn:
            pdf.image(io.BytesIO(drawn), x=x, y=top + 9, w=45)
    return bytes(pdf.output())


def _read(field: Any) -> bytes | None:
    if not field:
        return None
    try:
        with field.open("rb") as f:
            data: bytes = f.read()
            return data
    except OSError:
        return None


def render_docx(inspection: Inspection) -> bytes:
    from docx import Document
    from docx.oxml.ns import qn

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "宋体"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    document.add_heading("安全生产现场检查记录", level=1)
    for label, value in _facts(inspection):
        document.add_paragraph(f"{label}：{value}")
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["序号", "检查内容", "结果", "说明"], strict=True):
        cell.text = text
    for number, answer in enumerate(_answers(inspection), start=1):
        cells = table.add_row().cells
        cells[0].text = str(number)
        cells[1].text = answer.item.question
        cells[2].text = answer.get_result_display()
        cells[3].text = answer.note
    failed = [a for a in _answers(inspection) if a.hazard_id]
    document.add_heading(f"发现隐患 {len(failed)} 项", level=2)
    for answer in failed:
        document.add_paragraph(
            f"{answer.hazard.description}（{answer.hazard.get_level_display()}）",
            style="List Number",
        )
    if inspection.summary:
        document.add_paragraph(f"检查意见：{inspection.summary}")
    document.add_paragraph(
        f"检查人员（签名）：{inspection.signed_by}    "
        f"被检查单位负责人（签名）：{inspection.enterprise_signed_by or ''}"
    )
    from docx.shared import Cm

    for field in (inspection.signature, inspection.enterprise_signature):
        drawn = _read(field)
        if drawn:
            document.add_picture(io.BytesIO(drawn), width=Cm(4))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
