"""The cascading region picker (province → city → county → township) for any form.

Each level is a <select> with the field's name; changing one re-renders the
picker through htmx with the chosen region's children as the next level. The
posted value is the deepest non-empty select. A `root` limits the picker to a
subtree (a user's scope); the form field re-checks it on the server.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from anjian.regions.labels import whole_label
from anjian.regions.models import Region
from anjian.rules.identifiers import region_ancestors, region_code_is_valid

LEVEL_PROMPTS = {
    1: "请选择省份",
    2: "请选择市",
    3: "请选择区县",
    4: "请选择乡镇/街道",
    5: "请选择村/社区",
}


def picker_levels(value: str | None, *, root: str | None, max_level: int) -> list[dict[str, Any]]:
    """The selects to show for a chosen `value` under `root`, down to `max_level`."""
    chain: list[str] = []
    if value and region_code_is_valid(value) and (not root or value.startswith(root)):
        chain = [c for c in region_ancestors(value) if not root or len(c) > len(root)]
    parents: list[Region | None] = [Region.objects.filter(code=root).first() if root else None]
    levels: list[dict[str, Any]] = []
    for code in [*chain, None]:
        parent = parents[-1]
        if parent is not None and parent.level >= max_level:
            break
        children = list(
            Region.objects.filter(parent=parent).only("code", "name", "level").order_by("code")
        )
        if not children:
            break
        level = children[0].level
        levels.append(
            {
                "options": children,
                "selected": code or (parent.code if parent else ""),
                # the parent's code filters its whole subtree: "路南区（全区）", not 本级
                "placeholder": whole_label(parent) if parent else LEVEL_PROMPTS[level],
                "placeholder_value": parent.code if parent else "",
                "label": LEVEL_PROMPTS[level],
            }
        )
        if code is None:
            break
        parents.append(next((r for r in children if r.code == code), None))
        if parents[-1] is None:
            break
    return levels


class RegionPickerWidget(forms.Widget):
    template_name = "regions/_picker.html"

    def __init__(self, attrs=None, *, root: str | None = None, max_level: int = 4):
        super().__init__(attrs)
        self.root = root
        self.max_level = max_level

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        chosen = [v for v in values if v]
        return chosen[-1] if chosen else None

    def value_omitted_from_data(self, data, files, name):
        return name not in data

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        value = getattr(value, "pk", value)
        context["widget"]["levels"] = picker_levels(
            str(value) if value else None, root=self.root, max_level=self.max_level
        )
        context["widget"]["url"] = reverse("regions:picker")
        if not context["widget"]["levels"]:
            # a value outside the root is never named back (it answers like no region)
            inside = value and (not self.root or str(value).startswith(self.root))
            fixed = str(value) if inside else self.root
            region = Region.objects.filter(code=fixed).first() if fixed else None
            context["widget"]["fixed_code"] = fixed or ""
            context["widget"]["fixed_name"] = region.full_name if region else "（无可选区划）"
        context["widget"]["hx_vals"] = json.dumps(
            {
                "_name": name,
                "_root": self.root or "",
                "_max": self.max_level,
                "_id": context["widget"]["attrs"].get("id", ""),
                "_invalid": "is-invalid" in context["widget"]["attrs"].get("class", ""),
            }
        )
        return context


class RegionField(forms.ModelChoiceField):
    """A region chosen with the picker; `root` keeps the choice inside a subtree."""

    default_error_messages = {
        "invalid_choice": "请选择有效的行政区划。",
        "outside_root": "只能选择本辖区内的行政区划。",
    }

    def __init__(
        self, *, root: str | None = None, max_level: int = 4, min_level: int = 1, **kwargs
    ):
        kwargs.setdefault("queryset", Region.objects.all())
        kwargs.setdefault("widget", RegionPickerWidget(root=root, max_level=max_level))
        super().__init__(**kwargs)
        self.min_level = min_level
        self.scope_user: Any = None
        self.set_root(root, max_level=max_level)

    def set_root(self, root: str | None, *, max_level: int | None = None) -> None:
        self.root = root
        self.widget.root = root
        if max_level is not None:
            self.widget.max_level = max_level

    def limit_to_scope(self, user: Any) -> None:
        """Make this a filter within `user`'s scope: the picker starts at the scope's
        region, and the choice is intersected with the scope by `core.access.scoped_region`
        (an ancestor of the user's region means the user's own; a region outside the scope
        is refused exactly like a region that does not exist)."""
        from anjian.core.access import scope_for

        self.scope_user = user
        scope = scope_for(user)
        if not scope.everything and scope.region_prefix:
            self.set_root(scope.region_prefix)

    def clean(self, value):
        if self.scope_user is not None and value not in self.empty_values:
            from django.http import Http404

            from anjian.core.access import scoped_region

            try:
                value = scoped_region(self.scope_user, str(value))
            except Http404:
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice"
                ) from None
        region = super().clean(value)
        if region is None:
            return region
        if self.root and not region.code.startswith(self.root):
            raise ValidationError(self.error_messages["outside_root"], code="outside_root")
        if region.level < self.min_level:
            raise ValidationError(
                f"请选择到{Region.Level(self.min_level).label}或以下的行政区划。", code="too_high"
            )
        return region
