"""What the regions module adds: its API (the region tree)."""

from anjian.core.contributions import ApiRouter, Contribution

CONTRIBUTION = Contribution(app="regions", api=[ApiRouter("/regions", "anjian.regions.api:router")])
