import json

from django.contrib.auth import views as auth_views
from django.db import connection
from django.db.models import Count, F
from django.http import JsonResponse
from django.shortcuts import render

from anjian.core.access import scope_for
from anjian.orgs.models import Organisation
from anjian.orgs.selectors import organisations_for
from anjian.regions.models import Region


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        throttled = getattr(self.request, "anjian_throttled", None)
        response.context_data["throttled_message"] = throttled.message if throttled else ""
        return response


def home(request):
    scope = scope_for(request.user)
    orgs = organisations_for(request.user)
    by_kind = dict(orgs.filter(is_active=True).values_list("kind").annotate(n=Count("pk")))
    cards = [
        {"label": label, "value": by_kind.get(kind, 0)}
        for kind, label in Organisation.Kind.choices
        if kind != Organisation.Kind.OTHER
    ]
    scope_region = (
        Region.objects.filter(code=scope.region_prefix).first() if scope.region_prefix else None
    )
    chart = None
    # A grid worker looks after one grid: its home names the grid, and has no chart of
    # the township's communities (its cards count its grid's units only).
    grid = request.user.grid if scope.grid_id else None
    if grid is None and scope_region is not None and scope_region.level < Region.Level.VILLAGE:
        children = list(Region.objects.filter(parent=scope_region).order_by("code"))
        counts = {c.code: 0 for c in children}
        for region_id in orgs.filter(is_active=True).values_list("region_id", flat=True):
            for child in counts:
                if region_id.startswith(child):
                    counts[child] += 1
                    break
        if children:
            chart = json.dumps(
                {
                    "tooltip": {"trigger": "axis"},
                    "grid": {"left": 40, "right": 10, "bottom": 90, "top": 20},
                    "xAxis": {
                        "type": "category",
                        "data": [c.name for c in children],
                        "axisLabel": {"rotate": 40, "interval": 0},
                    },
                    "yAxis": {"type": "value", "minInterval": 1},
                    "series": [
                        {
                            "type": "bar",
                            "name": "单位数",
                            "data": [counts[c.code] for c in children],
                            "itemStyle": {"color": "#0b4f8a"},
                        }
                    ],
                },
                ensure_ascii=False,
            )
    from anjian.core.overview import needs_action, overview

    figures = overview(request.user) if not scope.nothing else []
    return render(
        request,
        "home.html",
        {
            "cards": cards,
            "scope_region": scope_region,
            "grid": grid,
            "chart": chart,
            "figures": figures,
            "actions": needs_action(request.user) if not scope.nothing else [],
            # Experts see only records assigned to them, and none are assigned yet.
            "assigned_only": scope.nothing and not request.user.is_superuser,
        },
    )


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def inbox(request):
    """The user's notifications, unread first; opening one marks it read."""
    from django.core.paginator import Paginator

    from anjian.core.models import Notification

    notes = Notification.objects.filter(recipient=request.user).order_by(
        F("read_at").asc(nulls_first=True), "-id"
    )
    page = Paginator(notes, 30).get_page(request.GET.get("page"))
    return render(request, "core/inbox.html", {"title": "消息", "page": page})


def notification_open(request, pk):
    from django.http import Http404
    from django.shortcuts import redirect
    from django.utils import timezone

    from anjian.core.models import Notification

    note = Notification.objects.filter(recipient=request.user, pk=pk).first()
    if note is None:
        raise Http404
    if note.read_at is None:
        Notification.objects.filter(pk=note.pk).update(read_at=timezone.now())
    return redirect(note.url or "inbox")


def unread_count(request):
    if not request.user.is_authenticated:
        return {}
    from anjian.core.models import Notification

    return {
        "unread_notifications": Notification.objects.filter(
            recipient=request.user, read_at__isnull=True
        ).count()
    }


def server_error(request):
    """The 500 page with the request's id, which the log record of the error carries.
    Rendered without context processors: the database may be what failed."""
    from django.http import HttpResponseServerError
    from django.template import loader

    from anjian.core.requestid import current_request_id

    page = loader.get_template("500.html").render({"request_id": current_request_id()})
    return HttpResponseServerError(page)
