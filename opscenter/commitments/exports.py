"""The weekly / monthly report as .xlsx (one sheet: the sections one after another)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from opscenter.commitments.screens import Report
from opscenter.core.excel import Column, xlsx_response


def report_xlsx(rep: Report):
    rows: list[list] = []
    rows.append([_("按承诺"), None, None, None, None])
    for r in rep.commitments:
        rows.append([f"{r['site']} · {r['name']}", r["ok"], r["n"], r["rate"], r["previous"]])
    rows.append([_("按部门"), None, None, None, None])
    for r in rep.departments:
        rows.append([f"{r['site']} · {r['name']}", r["ok"], r["n"], r["rate"], r["previous"]])
    rows.append([_("超时归因环节"), _("超时次数"), None, _("平均超出(小时)"), None])
    for r in rep.breaches:
        rows.append([f"{r['site__name']} · {r['commitment__name']}", r["n"], None, r["avg_hours"], None])
    wo, prev = rep.work_orders, rep.previous_work_orders
    rows.append([_("工单"), _("本期"), None, _("上期"), None])
    for key, label in (
        ("opened", _("新开")),
        ("closed", _("验证关闭")),
        ("overdue", _("超期未结")),
        ("mean_hours", _("平均处理时长(工作小时)")),
    ):
        rows.append([label, wo[key], None, prev[key], None])
    rows.append([_("投诉类别"), _("件数"), None, None, None])
    for r in rep.complaint_categories:
        rows.append([r["category"], r["n"], None, None, None])
    columns = [
        Column(_("项目"), "text", 28),
        Column(_("按时/数量"), "number"),
        Column(_("总数"), "number"),
        Column(_("按时率(%)/值"), "number"),
        Column(_("上期按时率(%)"), "number"),
    ]
    name = f"report-{rep.period}-{rep.start:%Y%m%d}.xlsx"
    return xlsx_response(
        name, columns=columns, rows=rows, sheet_name=_("周报") if rep.period == "week" else _("月报")
    )
