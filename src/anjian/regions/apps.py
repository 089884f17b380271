from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "anjian.regions"
    label = "regions"
    verbose_name = "行政区划"

    def ready(self) -> None:
        from anjian.core import contributions
        from anjian.regions.contributions import CONTRIBUTION

        contributions.register(CONTRIBUTION)
