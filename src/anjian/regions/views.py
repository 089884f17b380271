from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from anjian.regions.widgets import RegionPickerWidget


@require_GET
def picker(request: HttpRequest) -> HttpResponse:
    """Re-render the region picker for the region chosen in one of its selects (htmx)."""
    name = request.GET.get("_name", "region")
    root = request.GET.get("_root") or None
    try:
        max_level = min(max(int(request.GET.get("_max", 4)), 1), 5)
    except ValueError:
        max_level = 4
    attrs = {"id": request.GET.get("_id", "")}
    if request.GET.get("_invalid") == "true":
        attrs["class"] = "is-invalid"
    widget = RegionPickerWidget(root=root, max_level=max_level)
    return HttpResponse(widget.render(name, request.GET.get(name) or root, attrs=attrs))
