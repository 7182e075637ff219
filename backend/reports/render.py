"""A report as a file: CSV (every cell neutralised, backend/core/csvexport.py) or a PDF
with its chart drawn on the server (ReportLab's graphics, no browser involved)."""

from __future__ import annotations

import io
from decimal import Decimal
from urllib.parse import quote
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from starlette.responses import Response

from backend.core.csvexport import Cell as CsvCell
from backend.core.csvexport import csv_text
from backend.core.money import major_text
from backend.reports.schemas import Column, ReportTable

SERIES_COLOURS = (
    colors.HexColor("#1d4ed8"),
    colors.HexColor("#b45309"),
    colors.HexColor("#047857"),
)
CHART_BARS = 24  # labels a chart draws; the table has every row


def display(column: Column, value: str | int | None) -> CsvCell:
    """A cell as a person reads it: money in major units, rates as percentages."""
    if value is None or isinstance(value, str):
        return value
    if column.kind == "money":
        return major_text(value)
    if column.kind == "rate":
        return Decimal(value).scaleb(-2)
    return value


def filename(table: ReportTable, extension: str) -> str:
    f = table.filters
    return f"{table.name.value}_{f.from_day}_{f.to_day}.{extension}"


def csv_parts(table: ReportTable) -> tuple[list[str], list[list[CsvCell]]]:
    """The CSV's header and rows, as people read the cells."""
    header = [_heading(c) for c in table.columns]
    return header, [[display(c, row.get(c.key)) for c in table.columns] for row in table.rows]


def csv_of(table: ReportTable) -> str:
    return csv_text(*csv_parts(table))


def _heading(column: Column) -> str:
    return f"{column.title} (%)" if column.kind == "rate" else column.title


def _text(column: Column, value: str | int | None) -> str:
    shown = display(column, value)
    if isinstance(shown, Decimal) and column.kind == "money":
        return f"{shown:,.2f}"
    return "" if shown is None else str(shown)


def series_of(table: ReportTable) -> tuple[list[str], list[list[float]]]:
    """The chart's labels (rows with one label summed) and one series per value column."""
    chart = table.chart
    if chart is None:
        return [], []
    sums: dict[str, list[float]] = {}
    for row in table.rows:
        label = str(row.get(chart.label) or "")
        values = sums.setdefault(label, [0.0] * len(chart.values))
        for i, key in enumerate(chart.values):
            column = next(c for c in table.columns if c.key == key)
            cell = display(column, row.get(key))
            values[i] += float(cell) if isinstance(cell, int | Decimal) else 0.0
    labels = list(sums)[:CHART_BARS]
    return labels, [[sums[label][i] for label in labels] for i in range(len(chart.values))]


def chart_drawing(table: ReportTable, width: float, height: float) -> Drawing | None:
    labels, series = series_of(table)
    if table.chart is None or not labels:
        return None
    drawing = Drawing(width, height)
    plot = VerticalBarChart() if table.chart.kind == "bar" else HorizontalLineChart()
    plot.x, plot.y, plot.width, plot.height = 40, 30, width - 60, height - 45
    plot.data = [tuple(values) for values in series]
    plot.categoryAxis.categoryNames = labels
    plot.categoryAxis.labels.fontSize = 7
    plot.valueAxis.valueMin = 0
    plot.valueAxis.labels.fontSize = 7
    for i in range(len(series)):
        target = plot.bars[i] if isinstance(plot, VerticalBarChart) else plot.lines[i]
        target.fillColor = target.strokeColor = SERIES_COLOURS[i % len(SERIES_COLOURS)]
    drawing.add(plot)
    return drawing


def pdf_of(table: ReportTable) -> bytes:
    """The report as an A4 landscape PDF: title, window, chart and table."""
    out = io.BytesIO()
    page = landscape(A4)
    document = SimpleDocTemplate(out, pagesize=page, title=table.title, author="DebtX")
    styles = getSampleStyleSheet()
    f = table.filters
    window = f"{f.from_day} to {f.to_day}" + (f", DRC {f.drc_id}" if f.drc_id else "")
    story: list = [
        Paragraph(table.title, styles["Title"]),
        Paragraph(table.description, styles["Normal"]),
        Paragraph(
            f"{window}. Generated {table.generated_at:%Y-%m-%d %H:%M} UTC.", styles["Normal"]
        ),
        Spacer(1, 6 * mm),
    ]
    width = page[0] - document.leftMargin - document.rightMargin
    drawing = chart_drawing(table, width, 70 * mm)
    if drawing is not None:
        story += [drawing, Spacer(1, 6 * mm)]
    story.append(_table(table, width))
    document.build(story)
    return out.getvalue()


def pdf_response(table: ReportTable) -> Response:
    """A download of the report as its PDF."""
    disposition = f"attachment; filename*=UTF-8''{quote(filename(table, 'pdf'))}"
    return Response(
        pdf_of(table), media_type="application/pdf", headers={"content-disposition": disposition}
    )


_CELL = ParagraphStyle("cell", fontName="Helvetica", fontSize=7, leading=8.5)
_NUMBER = ParagraphStyle("number", parent=_CELL, alignment=TA_RIGHT)
_HEAD = ParagraphStyle("head", parent=_CELL, fontName="Helvetica-Bold")


def _cell(text: str, style: ParagraphStyle) -> Paragraph:
    """Text in a cell that wraps to its column; escaped, as data is never markup."""
    return Paragraph(escape(text), style)


def _table(table: ReportTable, width: float) -> Table:
    """The figures in columns of equal width across the page, the header on every page."""
    header = [_cell(_heading(c), _HEAD) for c in table.columns]
    styles = [_CELL if c.kind == "text" else _NUMBER for c in table.columns]
    body = [
        [
            _cell(_text(c, row.get(c.key)), style)
            for c, style in zip(table.columns, styles, strict=True)
        ]
        for row in table.rows
    ]
    empty = [[_cell("No figures in this window", _CELL)] + [""] * (len(header) - 1)]
    grid = Table(
        [header, *(body or empty)], colWidths=[width / len(header)] * len(header), repeatRows=1
    )
    grid.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e5e7eb")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#9ca3af")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return grid
