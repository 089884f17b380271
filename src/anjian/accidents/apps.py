from django.apps import AppConfig


class AccidentsConfig(AppConfig):
    name = "anjian.accidents"
    label = "accidents"
    verbose_name = "事故报告与统计"
