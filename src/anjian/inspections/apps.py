from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "anjian.inspections"
    label = "inspections"
    verbose_name = "检查与专项整治"
