import logging

from django.core.files.base import ContentFile
from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def render_inspection_report(inspection_id: int) -> None:
    """Write the PDF and Word 现场检查记录 of a finished inspection (background)."""
    from anjian.inspections.models import Inspection
    from anjian.inspections.reports import FontMissing, render_docx, render_pdf

    inspection = Inspection.objects.select_related(
        "enterprise__organisation__region", "template", "inspector_org", "campaign"
    ).get(pk=inspection_id)
    stem = f"检查记录_{inspection.pk}"
    inspection.report_docx.save(f"{stem}.docx", ContentFile(render_docx(inspection)), save=False)
    try:
        inspection.report.save(f"{stem}.pdf", ContentFile(render_pdf(inspection)), save=False)
    except FontMissing:
        logger.exception("inspection %s: no CJK font for the PDF", inspection_id)
    inspection.save(update_fields=["report", "report_docx", "updated_at"])
