"""Demo register for 路南区: profiles for the organisations' enterprises and ~300 more."""

from __future__ import annotations

from anjian.enterprises import generator, services
from anjian.enterprises.importing import apply_rows
from anjian.enterprises.models import Enterprise
from anjian.orgs.models import Organisation, User

DEMO_COUNT = 300


def build() -> list[tuple[str, str, str]]:
    operator = User.objects.get(username="admin")
    existing = Organisation.objects.filter(
        kind=Organisation.Kind.ENTERPRISE, enterprise__isnull=True
    )
    for org in existing:
        # The organisations' demo enterprises get their register profile (idempotent).
        profile = next(generator.rows(1, region=org.region_id, seed=org.pk))[1]
        Enterprise.objects.create(
            organisation=org, **{k: v for k, v in profile.items() if k in services.PROFILE_FIELDS}
        )
        if org.industry_id in {"45", "26"}:
            Enterprise.objects.filter(pk=org.pk).update(is_hazardous_chemicals=True)
    missing = (
        DEMO_COUNT
        - Enterprise.objects.filter(organisation__region__code__startswith="130202").count()
    )
    if missing > 0:
        rows = generator.rows(
            missing, region="130202", seed=2026, start=1000 + Enterprise.objects.count()
        )
        apply_rows(operator, generator.chunked(rows), reason="演示数据")
    return []
