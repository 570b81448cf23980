"""Coverage figures and map layers: /api/maps/coverage..., /api/maps/layers/...

Thin endpoints over maps.coverage (the page calls the same functions, so the two agree). The
cameras' own layers are served by the estate: /api/cameras/geojson (points, or ?geometry=view
for field-of-view polygons) and /api/network/links/geojson; vector tiles of every layer are at
/tiles/<layer>/<z>/<x>/<y>.mvt (maps.views_tiles).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from cctv.openapi import GEOJSON_OPENAPI
from maps.coverage import (
    coverage_by_camera,
    coverage_share,
    incident_grid_layer,
    incidents_layer,
    parse_bbox,
    uncovered_hotspots,
)
from maps.services import month_parse

router = Router(tags=["maps: layers"])


class CoverageQuery(Schema):
    month_from: str = Field(description="First month counted, YYYY-MM.", examples=["2024-01"])
    month_to: str = Field(description="Last month counted (inclusive), YYYY-MM.", examples=["2024-12"])
    category: list[str] = Field(default_factory=list,
                                description="Only these crime types (repeat the parameter); all when absent.")
    camera: list[int] = Field(default_factory=list,
                              description="Count only these cameras' views (repeat the parameter); by default "
                                          "every camera you can see that is operational or degraded.")

    def as_kwargs(self) -> dict:
        return {
            "month_from": month_parse(self.month_from, name="month_from"),
            "month_to": month_parse(self.month_to, name="month_to"),
            "categories": self.category,
            "camera_ids": self.camera,
        }


class HotspotQuery(CoverageQuery):
    cell_m: int = Field(250, description="Grid square side in metres (British National Grid).")
    limit: int = Field(10, description="How many cells, most uncovered incidents first.")


class LayerQuery(Schema):
    month_from: str | None = Field(None, description="First month, YYYY-MM.")
    month_to: str | None = Field(None, description="Last month (inclusive), YYYY-MM.")
    category: list[str] = Field(default_factory=list, description="Only these crime types (repeat the parameter).")
    bbox: str | None = Field(None, description="min_lon,min_lat,max_lon,max_lat in WGS84.")

    def as_kwargs(self) -> dict:
        return {
            "month_from": month_parse(self.month_from, name="month_from") if self.month_from else None,
            "month_to": month_parse(self.month_to, name="month_to") if self.month_to else None,
            "categories": self.category,
            "bbox": parse_bbox(self.bbox) if self.bbox else None,
        }


class GridQuery(LayerQuery):
    cell_m: int = Field(250, description="Grid square side in metres (British National Grid).")


class CategoryShareOut(Schema):
    category: str
    incidents: int
    covered: int
    share_pct: float | None = Field(description="Per cent covered, one decimal; null when there were no incidents.")


class CoverageShareOut(Schema):
    month_from: str
    month_to: str
    categories: list[str]
    cameras_counted: int
    incidents: int
    covered: int = Field(description="Incidents inside at least one counted camera's view, each counted once.")
    share_pct: float | None
    by_category: list[CategoryShareOut]

    @staticmethod
    def resolve_month_from(obj) -> str:
        return f"{obj.month_from:%Y-%m}"

    @staticmethod
    def resolve_month_to(obj) -> str:
        return f"{obj.month_to:%Y-%m}"


class CameraCoverageOut(Schema):
    camera_id: int
    asset_ref: str
    name: str
    status: str
    incidents_in_view: int
    incidents_only_in_this_view: int = Field(description="Seen by no other counted camera.")


class HotspotOut(Schema):
    rank: int
    i: int = Field(description="Grid column: the cell spans i * cell_m to (i + 1) * cell_m eastings.")
    j: int = Field(description="Grid row: the cell spans j * cell_m to (j + 1) * cell_m northings.")
    cell_m: int
    incidents: int
    uncovered: int = Field(description="Incidents in the cell outside every counted camera's view.")
    cell: dict = Field(description="The cell as a GeoJSON Polygon in WGS84.")


@router.get("/coverage", response=CoverageShareOut, summary="Share of incidents inside any camera's view")
def coverage_share_endpoint(request: HttpRequest, filters: Query[CoverageQuery]):
    return coverage_share(request.auth, **filters.as_kwargs())


@router.get("/coverage/cameras", response=list[CameraCoverageOut], summary="Incidents in each camera's view")
def coverage_by_camera_endpoint(request: HttpRequest, filters: Query[CoverageQuery]):
    return coverage_by_camera(request.auth, **filters.as_kwargs())


@router.get("/coverage/hotspots", response=list[HotspotOut], summary="Grid cells with most uncovered incidents")
def uncovered_hotspots_endpoint(request: HttpRequest, filters: Query[HotspotQuery]):
    return uncovered_hotspots(request.auth, cell_m=filters.cell_m, limit=filters.limit, **filters.as_kwargs())


@router.get("/layers/incidents", response={200: None}, url_name="incidents_layer", openapi_extra=GEOJSON_OPENAPI,
            summary="Incidents as a GeoJSON FeatureCollection (built in PostGIS; at most 20,000)")
def incidents_layer_endpoint(request: HttpRequest, filters: Query[LayerQuery]):
    return HttpResponse(incidents_layer(request.auth, **filters.as_kwargs()), content_type="application/geo+json")


@router.get("/layers/incident-grid", response={200: None}, url_name="incident_grid_layer",
            openapi_extra=GEOJSON_OPENAPI,
            summary="Incidents counted per grid square, as GeoJSON squares (for heat display)")
def incident_grid_layer_endpoint(request: HttpRequest, filters: Query[GridQuery]):
    body = incident_grid_layer(request.auth, cell_m=filters.cell_m, **filters.as_kwargs())
    return HttpResponse(body, content_type="application/geo+json")
