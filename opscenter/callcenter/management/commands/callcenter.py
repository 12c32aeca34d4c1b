"""`opscenter callcenter staffing --calls N --interval-minutes 30 --aht-seconds S --target-sl 0.8
--target-seconds 20 [--target-asa S] [--shrinkage 0.3] [--json]`: Erlang C agents for one interval.

`--calls` may list several volumes separated by commas (a day plan, one line per interval).
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from opscenter.callcenter import erlang


class Command(BaseCommand):
    help = "客服中心：staffing 按 Erlang C 计算所需坐席"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        staffing = sub.add_parser("staffing", help="agents needed for a target service level (Erlang C)")
        staffing.add_argument(
            "--calls", required=True, help="calls per interval (comma-separated for a day plan)"
        )
        staffing.add_argument("--interval-minutes", type=int, default=30)
        staffing.add_argument("--aht-seconds", type=float, required=True)
        staffing.add_argument("--target-sl", type=float, default=0.8)
        staffing.add_argument("--target-seconds", type=float, default=20)
        staffing.add_argument("--target-asa", type=float, default=None)
        staffing.add_argument("--max-occupancy", type=float, default=None)
        staffing.add_argument("--shrinkage", type=float, default=0.0)
        staffing.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args, **options):
        try:
            volumes = [float(v) for v in str(options["calls"]).split(",") if v.strip()]
            plans = erlang.day_plan(
                volumes,
                interval_minutes=options["interval_minutes"],
                aht_seconds=options["aht_seconds"],
                target_sl=options["target_sl"],
                target_seconds=options["target_seconds"],
                target_asa=options["target_asa"],
                max_occupancy=options["max_occupancy"],
                shrinkage=options["shrinkage"],
            )
        except ValueError as exc:
            raise CommandError(f"参数不正确：{exc}") from exc
        if options["json"]:
            payload = [p.as_dict() for p in plans]
            self.stdout.write(json.dumps(payload[0] if len(payload) == 1 else payload, ensure_ascii=False))
            return
        self.stdout.write("来电量  话务量(Erlang)  所需坐席  排班人数  服务水平  平均接起(秒)  占用率")
        for p in plans:
            self.stdout.write(
                f"{p.calls:>6g}  {p.traffic:>14.2f}  {p.agents:>8}  {p.scheduled:>8}  "
                f"{p.service_level * 100:>7.1f}%  {p.asa_seconds:>11.1f}  {p.occupancy * 100:>5.1f}%"
            )
