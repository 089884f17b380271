from django.apps import AppConfig


class AccidentsConfig(AppConfig):
    name = "anjian.accidents"
    label = "accidents"
    verbose_name = "事故报告与统计"

    def ready(self) -> None:
        from anjian.accidents import stored_files

        stored_files.declare()
