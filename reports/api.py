"""Report figures over the API (mount: api.add_router("/reports/", router) in config/api.py)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from reports.figures import month_parse
from reports.selectors import report_figures, report_owner

router = Router(tags=["reports"])


class FigureOut(Schema):
    key: str
    label: str
    group: str
    value: float | None
    previous_month: float | None
    same_month_last_year: float | None
    change: float | None
    unit: str
    records_url: str


class MonthlyReportOut(Schema):
    owner_id: int
    month: str
    stored: bool
    pdf_sha256: str | None
    regenerated_count: int
    figures: list[FigureOut]


@router.get("/monthly/{month}", response=MonthlyReportOut)
def monthly_report_read(request: HttpRequest, month: str, owner: str | None = None):
    """The month's figures: the stored report's if stored, else computed now (police: 403)."""
    month_on = month_parse(month)
    council = report_owner(request.auth, owner)
    figures, stored = report_figures(council, month_on)
    return {"owner_id": council.pk, "month": f"{month_on:%Y-%m}", "stored": stored is not None,
            "pdf_sha256": stored.pdf_sha256 if stored else None,
            "regenerated_count": stored.regenerated_count if stored else 0, "figures": figures}
