"""`opscenter commitments check [--json] [--at ISO]`: one monitor pass, printing what changed."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from opscenter.commitments.monitor import run_monitor

LABELS = {
    "recorded": "记录客户流程测量",
    "complaints_from_followups": "回访投诉补开",
    "warned": "进入预警",
    "breached": "判定超时",
    "notified": "发送通知",
    "work_orders": "开出超时工单",
    "anomalies_opened": "新异动",
    "anomalies_closed": "异动恢复",
    "escalated": "工单超期升级",
}


class Command(BaseCommand):
    help = "服务承诺监控：check 运行一次监控（预警、超时、异动、工单升级）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="run one monitor pass")
        check.add_argument("--json", action="store_true", help="print the counts as JSON")
        check.add_argument("--at", help="pretend it is this moment (ISO 8601 with offset)")

    def handle(self, *args, **options):
        now = None
        if options.get("at"):
            try:
                now = dt.datetime.fromisoformat(options["at"])
            except ValueError as exc:
                raise CommandError(f"时间格式不正确：{options['at']}") from exc
            if now.tzinfo is None:
                raise CommandError("时间必须带时区，例如 2026-10-09T09:00+08:00")
        result = run_monitor(now).as_dict()
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        for key, label in LABELS.items():
            self.stdout.write(f"{label}：{result[key]}")
