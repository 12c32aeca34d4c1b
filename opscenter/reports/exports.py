"""A report as .xlsx and as PDF (WeasyPrint, Noto CJK fonts, charts as inline SVG)."""

from __future__ import annotations

from django.http import FileResponse
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from opscenter.core.excel import Column, xlsx_response
from opscenter.reports.build import chart_series
from opscenter.reports.svg import bar_chart


def _pct(value: str | None) -> str:
    return "—" if value is None else f"{value}%"


def report_xlsx(report, data: dict) -> FileResponse:
    columns = [
        Column(_("板块")),
        Column(_("指标")),
        Column(_("本期")),
        Column(_("上期")),
        Column(_("去年同期")),
        Column(_("环比")),
        Column(_("同比")),
    ]
    rows = [
        [
            block["label"],
            row["label"],
            row["display"]["current"],
            row["display"]["previous"],
            row["display"]["last_year"],
            _pct(row["vs_previous"]),
            _pct(row["vs_last_year"]),
        ]
        for block in data["blocks"]
        for row in block["rows"]
    ]
    rows.append([_("趋势研判"), report.narrative, "", "", "", "", ""])
    return xlsx_response(
        f"report-{data['site']['code']}-{report.label}.xlsx",
        columns=columns,
        rows=rows,
        sheet_name=report.label,
    )


def charts(data: dict) -> dict[str, str]:
    """Inline SVG per charted block, keyed by block code."""
    names = [_("本期"), _("上期"), _("去年同期")]
    out = {}
    for block in data["blocks"]:
        if not block["chart"]:
            continue
        cats, series = chart_series(block)
        if cats:
            out[block["code"]] = mark_safe(bar_chart(cats, [(names[i], s[1]) for i, s in enumerate(series)]))
    return out


def report_pdf_bytes(report, data: dict) -> bytes:
    from weasyprint import HTML

    blocks = [{**block, "svg": charts(data).get(block["code"])} for block in data["blocks"]]
    html = render_to_string("reports/report_pdf.html", {"report": report, "data": data, "blocks": blocks})
    return HTML(string=html).write_pdf()
