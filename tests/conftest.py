import pytest
from django.conf import settings

from anjian.orgs.loader import load_industries
from anjian.regions.loader import load_regions

#: 路南区 (the demo district) and its neighbour 路北区, with their ancestors.
TEST_REGIONS = ("130202", "130203")


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    # Background tasks run at once, inside the request or call that queues them.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def reference_data(db):
    """Regions of two districts and every industry, loaded through the real loaders."""
    load_regions(only=TEST_REGIONS)
    load_industries()
    from anjian.hazards.domains import ensure_domains

    ensure_domains()
    from anjian.accidents.categories import ensure_categories

    ensure_categories()
    from anjian.inspections.seed import ensure_checklists

    ensure_checklists()


@pytest.fixture
def world(reference_data):
    """Two districts with governments, departments, townships, enterprises and users."""
    from tests.factories import build_world

    return build_world()


def pytest_report_header(config):
    return f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"
