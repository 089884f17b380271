from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "anjian.orgs"
    label = "orgs"
    verbose_name = "单位与人员"

    def ready(self) -> None:
        from anjian.core import contributions
        from anjian.orgs.contributions import CONTRIBUTION

        contributions.register(CONTRIBUTION)
