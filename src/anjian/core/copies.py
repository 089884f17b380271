"""Copies kept for speed, and how they follow their source.

A hazard carries its enterprise's region code, industry and grid so that scoped
lists and statistics over millions of rows filter one indexed table. Such a copy
must follow its source in the same transaction as the source's change, or the
record stays with the old township, department or grid worker.

Each app declares its copies in its `AppConfig.ready()` with `register` (core
knows none of them): the record model, the lookup from a record to the source
row, and which record field copies which source field. A field that looks like
a copy but is a fact of the record (an accident's place of occurrence) is
declared too, with the reason, so that a test can tell a forgotten copy from a
deliberate fact. Tables derived from the copies (the hazard rollup) follow
through the `on_move` hook, and declare their own check with `register_check`.

The services that change a source call `follow(source_model, pks)`; the
`anjian consistency` command calls `drift` and `repair`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce

#: The annotation that carries a copied field's source value: `new_<field>`.
NEW = "new_{}"
#: Sources per UPDATE: bounds the IN list (SQLite limits bound parameters).
CHUNK = 500


@dataclass(frozen=True)
class Copy:
    """Record fields of `model` copied from the row reached by the lookup `via`.

    fields: {record field: source field}, e.g. {"region_code": "region"}.
    facts: {record field: why it does not follow}, for fields that look like copies.
    on_move: called, in the transaction and before the update, with the records
        about to change, annotated with `new_<field>` for every copied field.
    """

    model: type[models.Model]
    via: str
    fields: Mapping[str, str]
    facts: Mapping[str, str] = field(default_factory=dict)
    on_move: Callable[[models.QuerySet[Any]], None] | None = None

    @property
    def label(self) -> str:
        return self.model._meta.label

    @property
    def source_model(self) -> type[models.Model]:
        model = self.model
        for name in self.via.split("__"):
            model = _related(model, name)
        return model

    def target(self, name: str) -> models.Field[Any, Any]:
        field = self.model._meta.get_field(name)
        if not isinstance(field, models.Field):
            raise TypeError(f"{self.label}.{name} is not a concrete field")
        return field

    def _coalesce(self, name: str, expression: Any) -> Any:
        # A non-null text copy of a nullable source stores "" (a hazard of an
        # enterprise without an industry has industry_code "").
        target = self.target(name)
        if target.null or target.is_relation:
            return expression
        return Coalesce(expression, Value(""), output_field=target)

    def source_value(self, name: str) -> Any:
        """The source's value as seen from a record row (a join; for selects)."""
        return self._coalesce(name, F(f"{self.via}__{self.fields[name]}"))

    def drifted(self, records: models.QuerySet[Any] | None = None) -> models.QuerySet[Any]:
        """Records (with a source) whose copy differs from the source, annotated with the
        source values as `new_<field>`."""
        records = records if records is not None else self.model._base_manager.all()
        records = records.filter(**{f"{self.via}__isnull": False}).annotate(
            **{NEW.format(name): self.source_value(name) for name in self.fields}
        )
        differs = Q(pk__in=[])
        for name in self.fields:
            stored, new = self.target(name).attname, NEW.format(name)
            if self.target(name).null:
                differs |= Q(**{f"{stored}__isnull": True, f"{new}__isnull": False})
                differs |= Q(**{f"{stored}__isnull": False, f"{new}__isnull": True})
            differs |= ~Q(**{stored: F(new)}) & Q(
                **{f"{stored}__isnull": False, f"{new}__isnull": False}
            )
        return records.filter(differs)

    def follow(self, source_pks: Iterable[Any] | None = None) -> int:
        """Bring the copies of these sources' records (None: of every source with a
        drifted record) to the sources' values; returns the number of records changed.

        Sources are grouped by their values, so each group is one UPDATE setting
        constants on the records that differ, without a join or a subquery per row.
        """
        if source_pks is None:
            source_pks = self.drifted().order_by().values_list(self.via, flat=True).distinct()
        pks = list(source_pks)
        groups: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
        for start in range(0, len(pks), CHUNK):
            rows = self.source_model._base_manager.filter(pk__in=pks[start : start + CHUNK])
            for pk, *values in rows.values_list("pk", *self.fields.values()):
                groups[
                    tuple(self._stored(n, v) for n, v in zip(self.fields, values, strict=True))
                ].append(pk)
        changed = 0
        for values, members in groups.items():
            assign = {self.target(n).attname: v for n, v in zip(self.fields, values, strict=True)}
            for start in range(0, len(members), CHUNK):
                records = self.model._base_manager.filter(
                    **{f"{self.via}__in": members[start : start + CHUNK]}
                ).exclude(**assign)
                if self.on_move is not None:
                    self.on_move(
                        records.annotate(
                            **{
                                NEW.format(n): Value(v, output_field=self._value_field(n))
                                for n, v in zip(self.fields, values, strict=True)
                            }
                        )
                    )
                changed += records.update(**assign)
        return changed

    def _stored(self, name: str, value: Any) -> Any:
        # A non-null text copy of a nullable source stores "" (see `_coalesce`).
        target = self.target(name)
        return "" if value is None and not (target.null or target.is_relation) else value

    def _value_field(self, name: str) -> models.Field[Any, Any]:
        target = self.target(name)
        return target.target_field if isinstance(target, models.ForeignKey) else target


def _related(model: type[models.Model], name: str) -> type[models.Model]:
    """The model a forward foreign key or one-to-one field points at: the only steps a
    copy's lookup takes."""
    field = model._meta.get_field(name)
    related = field.related_model
    if not isinstance(field, models.ForeignKey) or not isinstance(related, type):
        raise TypeError(f"{model._meta.label}.{name} is not a foreign key")
    return related


@dataclass(frozen=True)
class Check:
    """A table derived from copies, with its own comparison and rebuild."""

    name: str
    differences: Callable[[], list[Any]]
    repair: Callable[[], Any]


_COPIES: list[Copy] = []
_CHECKS: list[Check] = []


def register(
    model: type[models.Model],
    *,
    via: str,
    fields: Mapping[str, str],
    facts: Mapping[str, str] | None = None,
    on_move: Callable[[models.QuerySet[Any]], None] | None = None,
) -> Copy:
    """Declare copies (from an app's `ready()`); registering a model twice replaces it."""
    copy = Copy(model, via, dict(fields), dict(facts or {}), on_move)
    for name in [*copy.fields, *copy.facts]:
        copy.target(name)  # fails at start-up on a misspelt field
    copy.source_model  # noqa: B018 - and on a misspelt lookup
    _COPIES[:] = [c for c in _COPIES if c.model is not model] + [copy]
    return copy


def register_check(
    name: str, *, differences: Callable[[], list[Any]], repair: Callable[[], Any]
) -> None:
    _CHECKS[:] = [c for c in _CHECKS if c.name != name] + [Check(name, differences, repair)]


def copies() -> list[Copy]:
    return list(_COPIES)


def checks() -> list[Check]:
    return list(_CHECKS)


def follow(
    source_model: type[models.Model],
    pks: Iterable[Any],
    *,
    changed: Iterable[str] | None = None,
) -> dict[str, int]:
    """Make every registered copy of these source rows equal the source again, inside
    the caller's transaction. `changed`: the source fields that changed (None: any).
    Returns {model label: records changed}."""
    pks = list(pks)
    wanted = set(changed) if changed is not None else None
    moved: dict[str, int] = {}
    if not pks:
        return moved
    for copy in _COPIES:
        if copy.source_model is not source_model or not copy.fields:
            continue
        if wanted is not None and not wanted & set(copy.fields.values()):
            continue
        moved[copy.label] = copy.follow(pks)
    return moved


@dataclass
class Drift:
    label: str
    count: int
    examples: list[dict[str, Any]]


def drift(*, examples: int = 10) -> list[Drift]:
    """Every registered copy and check that disagrees with its source."""
    found: list[Drift] = []
    for copy in _COPIES:
        if not copy.fields:
            continue
        rows = copy.drifted().order_by("pk")
        count = rows.count()
        if count:
            names = list(copy.fields)
            shown = rows.values(
                "pk", *[copy.target(n).attname for n in names], *map(NEW.format, names)
            )
            found.append(Drift(copy.label, count, list(shown[:examples])))
    for check in _CHECKS:
        wrong = check.differences()
        if wrong:
            found.append(Drift(check.name, len(wrong), list(wrong[:examples])))
    return found


@transaction.atomic
def repair() -> dict[str, int]:
    """Bring every copy back to its source, then rebuild the derived tables that
    disagree; returns {label: records or rows repaired}."""
    repaired = {copy.label: copy.follow() for copy in _COPIES if copy.fields}
    for check in _CHECKS:
        wrong = check.differences()
        if wrong:
            check.repair()
        repaired[check.name] = len(wrong)
    return repaired
