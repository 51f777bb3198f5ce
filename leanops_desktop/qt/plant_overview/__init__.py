"""The plant overview: station tiles grouped by line, the first view of the central area."""

from leanops_desktop.qt.plant_overview.plant_overview import PlantOverview
from leanops_desktop.qt.plant_overview.station_tile import StationTile

__all__ = ["PlantOverview", "StationTile"]
