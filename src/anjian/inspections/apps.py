from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "anjian.inspections"
    label = "inspections"
    verbose_name = "检查与专项整治"

    def ready(self) -> None:
        from anjian.inspections import stored_files

        stored_files.declare()
