"""The report as CSV (one row per figure) and as a printable PDF (HTML laid out for print, WeasyPrint).

Both are rendered from the same list of figure dicts as the page, so the numbers cannot differ.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.conf import settings
from django.template.loader import render_to_string
from PIL import ImageFile
from weasyprint import HTML

# Importing WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES for the whole process, which would
# let truncated snapshot and still uploads through (cctv.services.snapshots, evidence.redaction
# rely on Pillow refusing them). The report holds no images, so the switch goes back off.
ImageFile.LOAD_TRUNCATED_IMAGES = False

CSV_COLUMNS = ("key", "group", "label", "unit", "value", "previous_month", "same_month_last_year", "change",
               "records_url")


NUMBER_COLUMNS = ("value", "previous_month", "same_month_last_year", "change")


def number_text(value, unit: str = "") -> str:
    """How a figure reads everywhere (page, CSV, PDF): blank for none, pounds to the penny, else up to 2 places."""
    if value is None:
        return ""
    if unit == "GBP":
        return f"{value:.2f}"
    if isinstance(value, int):
        return str(value)
    return f"{value:.2f}".rstrip("0").rstrip(".")


def figure_texts(figure: dict) -> dict:
    """The figure with each number also as text (`value_text`, ...), for templates."""
    return {**figure, **{f"{c}_text": number_text(figure[c], figure["unit"]) for c in NUMBER_COLUMNS}}


def figures_csv(figures: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for figure in figures:
        writer.writerow([number_text(figure[c], figure["unit"]) if c in NUMBER_COLUMNS else figure[c]
                         for c in CSV_COLUMNS])
    return out.getvalue()


def report_context(*, owner_name: str, month: dt.date, figures: list[dict]) -> dict:
    groups: dict[str, list[dict]] = {}
    for figure in figures:
        groups.setdefault(figure["group"], []).append(figure_texts(figure))
    return {"owner_name": owner_name, "month": month, "groups": groups}


def report_pdf(*, owner_name: str, month: dt.date, figures: list[dict], generated_at: dt.datetime) -> bytes:
    """The PDF for print: A4, one table per group; static files are read from STATIC_ROOT, never fetched."""
    html = render_to_string("reports/monthly_pdf.html", {
        **report_context(owner_name=owner_name, month=month, figures=figures), "generated_at": generated_at})
    return HTML(string=html, base_url=str(settings.STATIC_ROOT)).write_pdf()
