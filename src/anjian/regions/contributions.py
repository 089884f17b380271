"""What the regions module adds: its pages (the region picker) and its API (the tree)."""

from anjian.core.contributions import ApiRouter, Contribution, Pages

CONTRIBUTION = Contribution(
    app="regions",
    pages=[Pages("regions/", "anjian.regions.urls")],
    api=[ApiRouter("/regions", "anjian.regions.api:router")],
)
