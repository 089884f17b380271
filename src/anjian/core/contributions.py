"""What each app adds to the platform, declared in one place per app.

Core and the project know no module: each app registers one `Contribution` from its
`AppConfig.ready()` (as it registers its copies with `anjian.core.copies`), and
core reads the declarations:

- `pages`: its URL configuration and the prefix it is mounted at (`urls.py`);
- `nav`: its side-navigation entries, the group they sit in and who sees them
  (`anjian.core.navigation`);
- `api`: its API routers and their prefixes, as dotted paths imported when the
  project's API is built (`anjian/api.py`, beside `urls.py`);
- `needs_action(user)`: what waits for this user's action ("需要我处理"), each item
  linked to the list it counts, filtered;
- `home_figures(user)`: its figures on the home page, each linked to its list;
- `jobs`: its scheduled jobs, which `anjian worker` starts when due (no cron);
- `demo`: its demo-data builders, run by `anjian demo` in their `order`.

How a stored file finds the record that scopes it is declared, also from `ready()`,
with the file view's own registry (`anjian.core.file_owners.register_files`).

Adding a module then touches only its folder and INSTALLED_APPS.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

#: Roles of government bodies (DESIGN §2); "operator" (superusers) sees every entry.
GOVERNMENT = frozenset({"leader", "safety", "department", "township"})
#: Government bodies and their grid workers: everyone who supervises enterprises.
SUPERVISORS = GOVERNMENT | {"grid"}
#: Everyone who sees records by scope (experts see only records assigned to them).
SCOPED = SUPERVISORS | {"enterprise"}


@dataclass(frozen=True)
class NavEntry:
    """One link of the side navigation.

    roles: the roles that see it (None: every signed-in user); superusers see every
        entry their `check` allows.
    check: a further test of the user (e.g. "manages users"), after `roles`.
    group: the heading it sits under (entries without one stand at the top).
    order: its place among all entries (core's own come first and last).
    """

    label: str
    url_name: str
    icon: str
    group: str | None = None
    roles: frozenset[str] | None = None
    check: Callable[[Any], bool] | None = None
    superuser_only: bool = False
    order: int = 500

    def visible_to(self, user: Any) -> bool:
        if not (user.is_authenticated and user.is_active):
            return False
        if self.superuser_only and not user.is_superuser:
            return False
        if self.roles is not None and not user.is_superuser and user.role not in self.roles:
            return False
        return self.check is None or bool(self.check(user))


@dataclass(frozen=True)
class NavGroup:
    """A heading of the side navigation: its icon and place (by `order`)."""

    name: str
    icon: str
    order: int = 500


@dataclass(frozen=True)
class Pages:
    """An app's URLconf ("anjian.hazards.urls"), mounted at `prefix` ("hazards/")."""

    prefix: str
    urlconf: str


@dataclass(frozen=True)
class ApiRouter:
    """A router mounted at `prefix` of /api/v1/; `router` is "module:attribute"."""

    prefix: str
    router: str


@dataclass(frozen=True)
class ActionItem:
    """Something waiting for the user ("需要我处理"): how many, and the list showing them."""

    label: str
    count: int
    url: str
    urgent: bool = False


@dataclass(frozen=True)
class Figure:
    """A home-page figure, linked to the list it counts (with the filters set)."""

    label: str
    value: Any
    url: str
    note: str = ""
    alert: bool = False
    order: int = 500


@dataclass(frozen=True)
class Job:
    """A scheduled job: started by `anjian worker` at most once per `every`, whichever
    of several workers sees it due first, and run like any task (a child process with
    the task limits). Either `call` ("module.function") or `command` (the arguments of
    a management command, e.g. ("hazards", "remind"))."""

    name: str
    every: timedelta
    call: str = ""
    command: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if bool(self.call) == bool(self.command):
            raise ValueError(f"job {self.name}: give either `call` or `command`")


@dataclass(frozen=True)
class DemoStep:
    """A demo-data builder ("module.function"), run by `anjian demo` in `order`."""

    order: int
    builder: str


@dataclass(frozen=True)
class Contribution:
    app: str
    pages: Sequence[Pages] = ()
    nav: Sequence[NavEntry] = ()
    groups: Sequence[NavGroup] = ()
    api: Sequence[ApiRouter] = ()
    needs_action: Callable[[Any], list[ActionItem]] | None = None
    home_figures: Callable[[Any], list[Figure]] | None = None
    jobs: Sequence[Job] = ()
    demo: Sequence[DemoStep] = ()


_CONTRIBUTIONS: list[Contribution] = []


def register(contribution: Contribution) -> Contribution:
    """Declare an app's contribution (from its `ready()`); registering an app again
    replaces its earlier declaration. Apps are read in registration order, which is
    INSTALLED_APPS order."""
    names = [job.name for c in _CONTRIBUTIONS if c.app != contribution.app for job in c.jobs]
    for job in contribution.jobs:
        if job.name in names:
            raise ValueError(f"job {job.name} is declared by two apps")
    _CONTRIBUTIONS[:] = [c for c in _CONTRIBUTIONS if c.app != contribution.app] + [contribution]
    return contribution


def contributions() -> list[Contribution]:
    return list(_CONTRIBUTIONS)


def nav_entries() -> list[NavEntry]:
    return sorted((e for c in _CONTRIBUTIONS for e in c.nav), key=lambda e: e.order)


def nav_groups() -> dict[str, NavGroup]:
    return {g.name: g for c in _CONTRIBUTIONS for g in c.groups}


def pages() -> list[Pages]:
    return [p for c in _CONTRIBUTIONS for p in c.pages]


def api_routers() -> list[ApiRouter]:
    return [r for c in _CONTRIBUTIONS for r in c.api]


def jobs() -> list[Job]:
    return [j for c in _CONTRIBUTIONS for j in c.jobs]


def demo_steps() -> list[DemoStep]:
    return sorted((s for c in _CONTRIBUTIONS for s in c.demo), key=lambda s: s.order)


def needs_action(user: Any) -> list[ActionItem]:
    """Everything waiting for this user's action, across modules (only non-zero items)."""
    items: list[ActionItem] = []
    for c in _CONTRIBUTIONS:
        if c.needs_action is not None:
            items.extend(i for i in c.needs_action(user) if i.count)
    return items


def home_figures(user: Any) -> list[Figure]:
    figures = [f for c in _CONTRIBUTIONS if c.home_figures for f in c.home_figures(user)]
    return sorted(figures, key=lambda f: f.order)
