"""The project's API object (/api/v1/): core's conventions and every app's routers.

Each app declares its routers in its contribution (anjian.core.contributions); this
module mounts them, so core imports no app and a new module touches only its folder.
"""

from django.utils.module_loading import import_string

from anjian.core import contributions
from anjian.core.api import build_api

api = build_api()

for declared in contributions.api_routers():
    module, attribute = declared.router.split(":")
    api.add_router(declared.prefix, import_string(f"{module}.{attribute}"))
