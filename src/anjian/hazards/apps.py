from django.apps import AppConfig


class HazardsConfig(AppConfig):
    name = "anjian.hazards"
    label = "hazards"
    verbose_name = "隐患排查治理"
