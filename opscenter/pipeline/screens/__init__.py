"""Screen-only reads of the pipeline pages, built on the scoped selectors (never unscoped).

What lives here is shaped for one screen: the customer list's filters and export rows
(`customers`), the customer timeline (`timeline`), the follow-ups due today/overdue
(`followups`), the funnel page's tables (`funnel`) and its ECharts options (`charts`). Every
function takes the acting user (or an already scoped queryset/record) and issues a fixed number
of queries.
"""

from opscenter.pipeline.screens.charts import funnel_chart_option, funnel_trend_option
from opscenter.pipeline.screens.customers import (
    CUSTOMER_DEFAULT_SORT,
    EXPORT_COLUMNS,
    customer_columns,
    customer_export_rows,
    customer_search,
    staff_choices,
)
from opscenter.pipeline.screens.followups import DueGroup, followups_due
from opscenter.pipeline.screens.funnel import (
    FunnelCell,
    ShareLine,
    drill_url,
    fmt_rate,
    fmt_yuan,
    funnel_filter_choices,
    funnel_month_table,
    funnel_sections,
    label_drill_rows,
    period_shortcuts,
    rate_note,
    share_line_label,
    share_tables,
)
from opscenter.pipeline.screens.timeline import TimelineEntry, customer_timeline

__all__ = [
    "CUSTOMER_DEFAULT_SORT",
    "EXPORT_COLUMNS",
    "DueGroup",
    "FunnelCell",
    "ShareLine",
    "TimelineEntry",
    "customer_columns",
    "customer_export_rows",
    "customer_search",
    "customer_timeline",
    "drill_url",
    "fmt_rate",
    "fmt_yuan",
    "followups_due",
    "funnel_chart_option",
    "funnel_filter_choices",
    "funnel_month_table",
    "funnel_sections",
    "funnel_trend_option",
    "label_drill_rows",
    "period_shortcuts",
    "rate_note",
    "share_line_label",
    "share_tables",
    "staff_choices",
]
