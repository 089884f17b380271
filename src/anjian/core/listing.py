"""The list page pattern: filters, sort, pagination, htmx partial, Excel export.

A list page is a `ListPage` subclass that names its scoped selector, its filter
form and its columns. The Excel export uses the same queryset, so it honours the
same filters and the same scope as the page.

The page (core/list.html) keeps everything that depends on the filters — the export
link, the filter form, the table and its paging and sorting links — inside one
`#list-page` element that a filter replaces, each rendered from the request's query
string; the address bar carries the same query. So the export is always the list on
screen, after a filter, a reload, a bookmark or back/forward.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet, Value
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views import View

from anjian.core.exports import MAX_EXPORT_ROWS, rows_from, xlsx_response


@dataclass(frozen=True)
class Column:
    label: str
    value: Callable[[Any], Any]
    sort: str | None = None  # ORM field to order by when the header is clicked
    link: bool = False  # render as a link to the row's page
    #: the page of another record the cell names (a unit's page beside the row's own):
    #: a callable returning its URL, or None where the reader may not open it
    href: Callable[[Any], str | None] | None = None
    export: bool = True
    phone: bool = True  # False: hidden on narrow screens, still exported
    table: bool = True  # False: only in the Excel export (e.g. the ledger's 五落实 columns)


def detail_fields(obj: Any, names: list[str]) -> list[tuple[str, Any]]:
    """(label, readable value) for the detail page pattern."""
    result = []
    for name in names:
        field = obj._meta.get_field(name)
        if field.many_to_many:
            value = "、".join(str(o) for o in getattr(obj, name).all()) or "—"
        elif field.choices:
            value = getattr(obj, f"get_{name}_display")()
        else:
            value = getattr(obj, name)
            if isinstance(value, bool):
                value = "是" if value else "否"
        result.append((str(field.verbose_name), value if value not in (None, "") else "—"))
    return result


def local_minute(moment: Any) -> str | None:
    """A moment as lists and records show it: local time to the minute (None when unset)."""
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else None


def shown(value: Any) -> Any:
    """A cell's value on the page: times and dates in the one numeric form lists use
    (a bare datetime would be rendered in the template's locale format)."""
    import datetime as dt

    if isinstance(value, dt.datetime):
        return local_minute(value)
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    return value


def capped_count(qs: QuerySet[Any], cap: int) -> tuple[int, bool]:
    """(count, capped): at most `cap` rows are counted. The count ignores ordering and
    selects no column, so the database may stop after `cap` + 1 rows in any index
    (an index-only scan where one covers the filters)."""
    qs = qs.order_by()
    if connections[qs.db].vendor == "postgresql":
        # Django drops the constant, leaving PostgreSQL's valid zero-column "SELECT FROM".
        qs = qs.values_list(Value(1))
    found = qs[: cap + 1].count()
    return min(found, cap), found > cap


def active_filter_count(form: forms.Form | None) -> int:
    """How many filters of a bound filter form hold a value (the phone's "筛选（N）")."""
    if form is None or not form.is_bound:
        return 0
    count = 0
    for field in form.visible_fields():
        if hasattr(form.data, "getlist"):
            values = form.data.getlist(field.html_name)
        else:
            values = [form.data.get(field.html_name)]
        # a region picker sends its root (the whole scope) when nothing is chosen
        unset = {None, "", getattr(field.field, "root", None)}
        count += any(v not in unset for v in values)
    return count


class CappedPaginator(Paginator):
    """Counts at most `cap` rows: past that the page says "超过 N 条" instead of scanning
    millions of rows for an exact total (exact totals come from the statistics)."""

    def __init__(self, object_list: Any, per_page: int, *, cap: int | None):
        super().__init__(object_list, per_page)
        self.cap = cap
        self.capped = False

    @property
    def count(self) -> int:  # type: ignore[override]
        if "_count" not in self.__dict__:
            if self.cap is None or not isinstance(self.object_list, QuerySet):
                self.__dict__["_count"] = self.object_list.count()
            else:
                count, self.capped = capped_count(self.object_list, self.cap)
                self.__dict__["_count"] = count
        return int(self.__dict__["_count"])


class ListPage(View):
    title: str = ""
    columns: list[Column] = []
    filter_form_class: type[forms.Form] | None = None
    default_sort: str = "pk"
    template_name = "core/list.html"
    table_template_name = "core/_list_table.html"
    export_name: str = "导出"
    create_url: str | None = None
    create_label: str = "新建"
    #: Lists that can reach millions of rows count at most this many (None: exact).
    count_cap: int | None = None

    def table_columns(self) -> list[Column]:
        return [c for c in self.columns if c.table]

    def queryset(self, request: HttpRequest) -> QuerySet:
        raise NotImplementedError

    def filter(self, qs: QuerySet, data: dict[str, Any]) -> QuerySet:
        return qs

    def can_create(self, request: HttpRequest) -> bool:
        return False

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        return {}

    def _sort(self, request: HttpRequest) -> tuple[str, list[dict[str, Any]]]:
        allowed = {c.sort for c in self.columns if c.sort}
        requested = request.GET.get("sort", "")
        key = requested.lstrip("-")
        sort = requested if key in allowed else self.default_sort
        headers = []
        for column in self.table_columns():
            header: dict[str, Any] = {
                "label": column.label,
                "sort": None,
                "state": "",
                "css": "" if column.phone else "d-none d-md-table-cell",
            }
            if column.sort:
                if sort == column.sort:
                    header["sort"], header["state"] = f"-{column.sort}", "asc"
                elif sort == f"-{column.sort}":
                    header["sort"], header["state"] = column.sort, "desc"
                else:
                    header["sort"] = column.sort
            headers.append(header)
        return sort, headers

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = None
        qs = self.queryset(request)
        if self.filter_form_class is not None:
            form = self.filter_form_class(request.GET or None, request=request)
            if form.is_bound:
                qs = self.filter(qs, form.cleaned_data) if form.is_valid() else qs.none()
        sort, headers = self._sort(request)
        qs = qs.order_by(sort, "pk")
        if request.GET.get("export") == "xlsx":
            if qs.count() > MAX_EXPORT_ROWS:
                from django.contrib import messages
                from django.shortcuts import redirect

                messages.error(
                    request,
                    f"导出超过{MAX_EXPORT_ROWS:,}行，请先用筛选条件缩小范围（例如按区划或行业）再导出。",
                )
                query = request.GET.copy()
                query.pop("export", None)
                return redirect(f"{request.path}?{query.urlencode()}")
            columns = [c for c in self.columns if c.export]
            return xlsx_response(
                title=self.title,
                headers=[c.label for c in columns],
                rows=rows_from(qs.iterator(chunk_size=2000), [c.value for c in columns]),
                filename=self.export_name,
            )
        size = request.GET.get("page_size", "")
        page_size = int(size) if size in {"20", "50", "100", "200"} else settings.ANJIAN_PAGE_SIZE
        paginator = CappedPaginator(qs, page_size, cap=self.count_cap)
        page = paginator.get_page(request.GET.get("page"))
        rows = [
            {
                "url": obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else None,
                "cells": [
                    {
                        "value": shown(c.value(obj)),
                        "link": c.link,
                        "href": c.href(obj) if c.href else None,
                        "css": "" if c.phone else "d-none d-md-table-cell",
                    }
                    for c in self.table_columns()
                ],
            }
            for obj in page.object_list
        ]
        context = {
            "title": self.title,
            "form": form,
            "active_filters": active_filter_count(form),
            "headers": headers,
            "rows": rows,
            "page": page,
            "create_url": self.create_url if self.can_create(request) else None,
            "create_label": self.create_label,
            "table_template": self.table_template_name,
            **self.extra_context(request),
        }
        is_table_refresh = (
            request.headers.get("HX-Request") and request.headers.get("HX-Target") == "list-table"
        )
        template = self.table_template_name if is_table_refresh else self.template_name
        response = render(request, template, context)
        # The same URL answers a page or only its table: a cache (the browser's back
        # button included) must not hand one out for the other.
        patch_vary_headers(response, ("HX-Request", "HX-Target"))
        return response
