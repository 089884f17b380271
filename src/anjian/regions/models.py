"""The GB/T 2260 region tree with statistical township codes (R-ID-3)."""

from django.db import models

from anjian.core.models import TimeStampedModel
from anjian.rules.identifiers import REGION_LEVEL_NAMES


class Region(TimeStampedModel):
    """One region. The code is a path (2/4/6/9/12 digits), so a subtree is a prefix
    match that the primary-key index serves (on PostgreSQL its varchar_pattern_ops twin)."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, REGION_LEVEL_NAMES[1]
        CITY = 2, REGION_LEVEL_NAMES[2]
        COUNTY = 3, REGION_LEVEL_NAMES[3]
        TOWNSHIP = 4, REGION_LEVEL_NAMES[4]
        VILLAGE = 5, REGION_LEVEL_NAMES[5]

    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=100)
    level = models.PositiveSmallIntegerField("层级", choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    full_name = models.CharField("全称", max_length=255)

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.full_name or self.name

    def subtree(self) -> models.QuerySet["Region"]:
        return Region.objects.filter(code__startswith=self.code)

    def ancestors(self) -> list["Region"]:
        """The chain from the province down to this region, in one query."""
        from anjian.rules.identifiers import region_ancestors

        codes = region_ancestors(self.code)
        by_code = {r.code: r for r in Region.objects.filter(code__in=codes)}
        return [by_code[c] for c in codes if c in by_code]
