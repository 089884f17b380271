"""The enterprise picker: choose enterprises of the register by typing part of a name.

One widget for every form that names an enterprise (starting an inspection, a plan's
enterprises, an accident's unit). The visible text box asks `enterprises:search`
(through htmx, debounced) for suggestions; the search answers only enterprises in
the user's scope, and the field re-checks the choice on the server with the same
scoped selector, so an enterprise outside the scope can neither be suggested nor
posted. Picking a suggestion is done by `static/anjian/picker.js` (no inline script:
the content security policy forbids it).

Modes:
- single: a hidden input `<name>` carries the chosen enterprise's id;
- multiple: one hidden input `<name>` per chosen enterprise, shown as removable chips;
- free text (single only): the text box itself is `<name>` and may hold a unit that
  is not in the register; a hidden `<name>_id` carries a picked enterprise, and a
  name that equals exactly one register name in the scope is linked to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from anjian.enterprises.models import Enterprise
from anjian.enterprises.selectors import (
    enterprise_named,
    enterprises_for,
    filter_register,
    register_rows_for,
)

#: Suggestions shown for one search; the box is for finding one unit, not browsing.
SUGGESTIONS = 10
#: Longest text the search looks for (a name or the start of a credit code).
MAX_QUERY = 60


def search_enterprises(user: Any, text: str, *, limit: int = SUGGESTIONS) -> list[Enterprise]:
    """Enterprises of `user`'s scope whose name contains `text` or whose credit code
    starts with it: the register's own scoped selector and filter, so the picker can
    never offer what the register would not list."""
    text = (text or "").strip()[:MAX_QUERY]
    if not text or "\x00" in text:
        return []
    rows = filter_register(register_rows_for(user), q=text).order_by("name", "id")
    return list(rows[:limit])


def scoped_enterprises(user: Any, ids: list[Any]) -> list[Enterprise]:
    """The enterprises among `ids` that `user` may see (others vanish like missing ones)."""
    clean = [int(i) for i in ids if str(i).isdigit()]
    if not clean:
        return []
    return list(enterprises_for(user).filter(pk__in=clean).order_by("organisation__name"))


class EnterprisePickerWidget(forms.Widget):
    template_name = "enterprises/_picker.html"

    def __init__(
        self,
        attrs=None,
        *,
        multiple: bool = False,
        free_text: bool = False,
        submit_on_pick: bool = False,
    ):
        super().__init__(attrs)
        self.multiple = multiple
        self.free_text = free_text and not multiple
        self.submit_on_pick = submit_on_pick
        self.user: Any = None

    def value_from_datadict(self, data, files, name):
        if self.multiple:
            values = data.getlist(name) if hasattr(data, "getlist") else data.get(name) or []
            return [v for v in values if v]
        if self.free_text:
            return {"id": data.get(f"{name}_id") or "", "text": data.get(name) or ""}
        return data.get(name) or None

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_id" not in data

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        chosen: list[Enterprise] = []
        text = ""
        if self.multiple:
            ids = [getattr(v, "pk", v) for v in (value or [])]
            chosen = scoped_enterprises(self.user, ids) if self.user else []
        elif self.free_text and isinstance(value, dict):
            text = value.get("text", "")
            chosen = scoped_enterprises(self.user, [value.get("id")]) if self.user else []
        elif value:
            chosen = scoped_enterprises(self.user, [getattr(value, "pk", value)])
            text = chosen[0].organisation.name if chosen else ""
        widget = context["widget"]
        widget.update(
            {
                "multiple": self.multiple,
                "free_text": self.free_text,
                "submit_on_pick": self.submit_on_pick,
                "chosen": chosen,
                "text": text,
                "url": reverse("enterprises:search"),
                "text_name": name if self.free_text else f"{name}_q",
                "id_name": f"{name}_id" if self.free_text else name,
                "list_id": f"{widget['attrs'].get('id') or name}-suggestions",
                "invalid": "is-invalid" in widget["attrs"].get("class", ""),
            }
        )
        return context


@dataclass(frozen=True)
class Unit:
    """A unit named on a form: a register entry, or only a name (not in the register)."""

    enterprise: Enterprise | None
    name: str


class EnterpriseField(forms.Field):
    """One enterprise of the user's scope, picked by name. `limit_to(user)` must be
    called before the form is validated or rendered; until then nothing is offered."""

    default_error_messages = {
        "required": "请选择企业。",
        "invalid_choice": "请从搜索结果中选择本辖区内的企业。",
    }

    def __init__(self, *, submit_on_pick: bool = False, **kwargs):
        kwargs.setdefault("widget", EnterprisePickerWidget(submit_on_pick=submit_on_pick))
        super().__init__(**kwargs)
        self.user: Any = None

    def limit_to(self, user: Any) -> None:
        self.user = user
        self.widget.user = user

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        found = scoped_enterprises(self.user, [value]) if self.user else []
        if not found:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return found[0]


class EnterpriseMultipleField(EnterpriseField):
    """Several enterprises of the user's scope, each picked by name."""

    default_error_messages = {"required": "请至少选择一家企业。"}

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", EnterprisePickerWidget(multiple=True))
        super().__init__(**kwargs)

    def clean(self, value):
        values = [v for v in (value or []) if v]
        if not values:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        found = scoped_enterprises(self.user, values) if self.user else []
        if len(found) != len({str(v) for v in values}):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return found


class UnitField(EnterpriseField):
    """A unit: picked from the register, or typed when it is not registered. A typed
    name equal to exactly one register name of the scope is linked to that entry."""

    default_error_messages = {"required": "请填写事故单位。"}

    def __init__(self, *, max_length: int = 200, **kwargs):
        kwargs.setdefault("widget", EnterprisePickerWidget(free_text=True))
        super().__init__(**kwargs)
        self.max_length = max_length

    def clean(self, value):
        value = value if isinstance(value, dict) else {"id": "", "text": value or ""}
        text = str(value.get("text") or "").strip()
        picked = str(value.get("id") or "").strip()
        if not text and not picked:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return Unit(None, "")
        if len(text) > self.max_length:
            raise ValidationError(f"单位名称不能超过{self.max_length}个字。", code="max_length")
        if "\x00" in text:
            raise ValidationError("单位名称含有不允许的字符。", code="null_characters")
        enterprise = None
        if picked:
            found = scoped_enterprises(self.user, [picked]) if self.user else []
            # the box was edited after picking: the typed name wins
            if found and (not text or found[0].organisation.name == text):
                enterprise = found[0]
        if enterprise is None and text and self.user:
            enterprise = enterprise_named(self.user, text)
        if enterprise is not None:
            return Unit(enterprise, enterprise.organisation.name)
        return Unit(None, text)
