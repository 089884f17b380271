from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "anjian.inspections"
    label = "inspections"
    verbose_name = "检查与专项整治"

    def ready(self) -> None:
        from anjian.core import contributions
        from anjian.inspections.contributions import CONTRIBUTION

        contributions.register(CONTRIBUTION)

        from anjian.core import copies
        from anjian.inspections.models import Inspection, InspectionPoint

        # An inspection's region, industry and grid only scope who sees it (the place is
        # its own `place` and position): they follow the enterprise like a hazard's.
        copies.register(
            Inspection,
            via="enterprise__organisation",
            fields={"region_code": "region", "industry_code": "industry", "grid": "grid"},
        )
        copies.register(
            InspectionPoint,
            via="enterprise__organisation",
            fields={"region_code": "region", "industry_code": "industry"},
        )

        from anjian.inspections import stored_files

        stored_files.declare()
