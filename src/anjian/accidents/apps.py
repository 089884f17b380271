from django.apps import AppConfig

#: Why an accident's copies of its enterprise do not follow the enterprise when it
#: moves: they are facts of the report, fixed when the accident happened.
PLACE = (
    "the place of occurrence (发生地): the accident is reported to, investigated by and "
    "counted for the authorities of where it happened (属地管理), whatever the unit's "
    "registered township is later; the reporter may have set it apart from the unit's"
)
INDUSTRY = (
    "the unit's industry when the accident happened: the year's statistics by industry "
    "(and the coal-mining rates) and the supervising department's investigation keep it"
)
GRID = "the grid of the place when the accident happened, which belongs with the place"
UNIT_NAME = "the unit's name as reported in the 快报, which stays on record like the report"


class AccidentsConfig(AppConfig):
    name = "anjian.accidents"
    label = "accidents"
    verbose_name = "事故报告与统计"

    def ready(self) -> None:
        from anjian.accidents.contributions import CONTRIBUTION
        from anjian.core import contributions

        contributions.register(CONTRIBUTION)

        from anjian.accidents.models import Accident, VetoFact
        from anjian.core import copies

        copies.register(
            Accident,
            via="enterprise__organisation",
            fields={},
            facts={"region": PLACE, "industry": INDUSTRY, "grid": GRID, "unit_name": UNIT_NAME},
        )
        copies.register(
            VetoFact,
            via="enterprise__organisation",
            fields={},
            facts={
                "region": "the accident's place: the 一票否决 of that region for that year",
                "unit_name": UNIT_NAME,
            },
        )

        from anjian.accidents import stored_files

        stored_files.declare()
