"""A grouped bar chart as inline SVG, drawn in Python (the PDF cannot run ECharts)."""

from __future__ import annotations

from html import escape

COLORS = ("#2563eb", "#94a3b8", "#f59e0b")


def bar_chart(
    categories: list[str], series: list[tuple[str, list[int]]], *, width: int = 640, height: int = 220
) -> str:
    """Grouped bars, one group per category, a legend with the series names; values printed on top."""
    left, bottom, top = 40, 40, 24
    plot_h = height - bottom - top
    peak = max([v for _name, values in series for v in values] + [1])
    group_w = (width - left - 10) / max(len(categories), 1)
    bar_w = group_w * 0.8 / max(len(series), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" class="report-chart" font-family="Noto Sans CJK SC, sans-serif">',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" stroke="#64748b"/>',
    ]
    for i, category in enumerate(categories):
        x0 = left + i * group_w + group_w * 0.1
        for j, (_name, values) in enumerate(series):
            v = values[i]
            h = plot_h * v / peak
            x = x0 + j * bar_w
            y = top + plot_h - h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w * 0.9:.1f}" height="{h:.1f}" fill="{COLORS[j % 3]}"/>'
            )
            parts.append(
                f'<text x="{x + bar_w * 0.45:.1f}" y="{y - 3:.1f}" font-size="9" text-anchor="middle">{v}</text>'
            )
        parts.append(
            f'<text x="{x0 + group_w * 0.4:.1f}" y="{top + plot_h + 16}" font-size="11" text-anchor="middle">{escape(category)}</text>'
        )
    for j, (name, _values) in enumerate(series):
        x = left + j * 110
        parts.append(f'<rect x="{x}" y="4" width="10" height="10" fill="{COLORS[j % 3]}"/>')
        parts.append(f'<text x="{x + 14}" y="13" font-size="11">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)
