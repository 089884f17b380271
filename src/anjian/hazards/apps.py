from django.apps import AppConfig


class HazardsConfig(AppConfig):
    name = "anjian.hazards"
    label = "hazards"
    verbose_name = "隐患排查治理"

    def ready(self) -> None:
        from anjian.hazards import stored_files

        stored_files.declare()
