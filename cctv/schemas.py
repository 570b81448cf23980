"""Input and output shapes of the estate API (ninja Schemas). No rules here."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, FilterSchema, Schema
from pydantic import field_validator

from cctv.choices import CameraKind, CameraStatus, Mounting


class PointIn(Schema):
    """A point as x/y in the given EPSG code: longitude/latitude (4326) or easting/northing (27700)."""

    x: float = Field(..., description="Longitude (4326) or easting (27700)")
    y: float = Field(..., description="Latitude (4326) or northing (27700)")
    srid: int = 4326


class CameraFieldsIn(Schema):
    name: str | None = Field(None, max_length=200)
    mounting: Mounting | None = None
    kind: CameraKind | None = None
    make: str | None = Field(None, max_length=100)
    model_name: str | None = Field(None, max_length=100)
    installed_on: date | None = None
    upgraded_on: date | None = None
    town: str | None = Field(None, max_length=100)
    ward: str | None = Field(None, max_length=100)
    bearing_deg: float | None = Field(None, ge=0, lt=360)
    view_angle_deg: float | None = Field(None, gt=0, le=360)
    view_range_m: float | None = Field(None, gt=0, le=1000)
    retention_days: int | None = Field(None, ge=1, le=366)
    purpose: str | None = Field(None, max_length=5000)
    dpia_ref: str | None = Field(None, max_length=60)
    dpia_review_due_on: date | None = None
    has_signage: bool | None = None
    privacy_masking_notes: str | None = Field(None, max_length=5000)
    publish_field_of_view: bool | None = None
    node_id: int | None = None


class CameraIn(CameraFieldsIn):
    asset_ref: str = Field(..., min_length=1, max_length=40)
    name: str = Field(..., min_length=1, max_length=200)
    location: PointIn
    status: CameraStatus = CameraStatus.PLANNED

    @field_validator("asset_ref", "name")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class CameraPatch(CameraFieldsIn):
    asset_ref: str | None = Field(None, min_length=1, max_length=40)
    reason: str = Field("", max_length=500)


class RelocateIn(Schema):
    location: PointIn
    reason: str = Field(..., min_length=1, max_length=500)
    relocated_on: date | None = None
    bearing_deg: float | None = Field(None, ge=0, lt=360)
    view_angle_deg: float | None = Field(None, gt=0, le=360)
    view_range_m: float | None = Field(None, gt=0, le=1000)


class StatusIn(Schema):
    status: CameraStatus
    note: str = Field("", max_length=500)


class CameraOut(Schema):
    id: int
    asset_ref: str
    name: str
    owner: str
    longitude: float
    latitude: float
    easting: float
    northing: float
    mounting: str
    kind: str
    make: str
    model_name: str
    installed_on: date | None
    upgraded_on: date | None
    status: str
    status_changed_at: datetime | None
    town: str
    ward: str
    bearing_deg: float | None
    view_angle_deg: float | None
    view_range_m: float | None
    has_field_of_view: bool
    retention_days: int
    purpose: str
    dpia_ref: str
    dpia_review_due_on: date | None
    has_signage: bool
    privacy_masking_notes: str
    publish_field_of_view: bool
    node_id: int | None
    updated_at: datetime

    @staticmethod
    def _wgs84(camera):
        cached = getattr(camera, "location_wgs84", None)
        if cached is None:
            cached = camera.location_wgs84 = camera.location.transform(4326, clone=True)
        return cached

    @staticmethod
    def resolve_owner(camera) -> str:
        return camera.owner.name

    @staticmethod
    def resolve_longitude(camera) -> float:
        return round(CameraOut._wgs84(camera).x, 7)

    @staticmethod
    def resolve_latitude(camera) -> float:
        return round(CameraOut._wgs84(camera).y, 7)

    @staticmethod
    def resolve_easting(camera) -> float:
        return round(camera.location.x, 2)

    @staticmethod
    def resolve_northing(camera) -> float:
        return round(camera.location.y, 2)

    @staticmethod
    def resolve_has_field_of_view(camera) -> bool:
        return camera.view_polygon is not None


class CameraFilter(FilterSchema):
    status: str | None = None
    kind: str | None = None
    town: str | None = None
    q: str | None = Field(None, max_length=100)
    bbox: str | None = Field(None, description="min_lon,min_lat,max_lon,max_lat (WGS84)")


class StatusChangeOut(Schema):
    status: str
    changed_at: datetime
    recorded_at: datetime
    source: str
    changed_by: str | None
    note: str


class HistoryChangeOut(Schema):
    field: str
    before: str | float | int | bool | None
    after: str | float | int | bool | None


class HistoryEntryOut(Schema):
    at: datetime
    label: str
    username: str
    action: str
    reason: str
    changes: list[HistoryChangeOut]


class SnapshotOut(Schema):
    id: int
    width_px: int
    height_px: int
    sha256: str
    caption: str
    uploaded_at: datetime
    image_url: str
    thumbnail_url: str
