from django.apps import AppConfig


class HazardsConfig(AppConfig):
    name = "anjian.hazards"
    label = "hazards"
    verbose_name = "隐患排查治理"

    def ready(self) -> None:
        from anjian.core import contributions
        from anjian.hazards.contributions import CONTRIBUTION

        contributions.register(CONTRIBUTION)

        from anjian.core import copies
        from anjian.hazards import rollup
        from anjian.hazards.models import Hazard

        # A hazard belongs to its enterprise's current township, department and grid
        # worker (they must act on it), so all three follow the enterprise, and the
        # monthly rollup's township follows with them.
        copies.register(
            Hazard,
            via="enterprise__organisation",
            fields={"region_code": "region", "industry_code": "industry", "grid": "grid"},
            on_move=rollup.move,
        )
        copies.register_check(
            "hazards.HazardMonth", differences=rollup.differences, repair=rollup.rebuild
        )

        from anjian.hazards import stored_files

        stored_files.declare()
