"""`opscenter tiers evaluate|explain|care|nightly|rebuild` — member tiers from the command line.

    opscenter tiers evaluate [--site S] [--as-of DATE] [--json]   counts per tier and changes
    opscenter tiers explain PHONE_OR_ID [--as-of DATE] [--json]   why a customer has their tier
    opscenter tiers care [--site S] [--as-of DATE]                generate due care tasks
    opscenter tiers nightly [--as-of DATE] [--enqueue] [--json]   evaluate + care tasks, every site
    opscenter tiers rebuild [--site S] [--verify]                 running aggregates from raw rows

Scheduling: `opscenter tiers nightly` evaluates every site with an active rule set and then
generates its care tasks, at most once per site and day (`members.nightly`: a claimed NightlyRun
row), so a retry or a second timer firing is harmless. Run it shortly after midnight (Asia/Shanghai),
either in place or with `--enqueue` to hand it to the task worker (`opscenter db_worker`):

    # /etc/cron.d/opscenter-tiers
    CRON_TZ=Asia/Shanghai
    30 1 * * *  opscenter  /srv/opscenter/venv/bin/opscenter tiers nightly

    # /etc/systemd/system/opscenter-tiers.service
    [Service]
    Type=oneshot
    User=opscenter
    EnvironmentFile=/etc/opscenter/env
    ExecStart=/srv/opscenter/venv/bin/opscenter tiers nightly

    # /etc/systemd/system/opscenter-tiers.timer
    [Timer]
    OnCalendar=*-*-* 01:30:00 Asia/Shanghai
    Persistent=true
    [Install]
    WantedBy=timers.target

The command exits non-zero when a site failed (cron mails it, systemd marks the unit failed);
the next run the same day retries only the failed sites. A run left "running" by a worker that
died is marked failed once it is older than OPSCENTER_TIERS_NIGHTLY_STALE_MINUTES (default 120)
and is then retried like any failed one; until then other runs skip it as still running.
"""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from opscenter.core.audit import audit_context
from opscenter.core.exceptions import DomainError
from opscenter.members import aggregates, selectors, services
from opscenter.members.choices import RuleSetStatus
from opscenter.members.models import TierChange, TierRuleSet
from opscenter.members.nightly import evaluate_all_sites
from opscenter.members.rules import tier_labels
from opscenter.members.tasks import evaluate_all_sites_task
from opscenter.org.models import Site
from opscenter.org.selectors import site_by_code_or_name
from opscenter.pipeline.models import Customer
from opscenter.pipeline.phones import parse_phone


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value}") from exc


class Command(BaseCommand):
    help = (
        "Member tiers: evaluate a site, explain a customer's tier, generate care tasks, rebuild aggregates."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        ev = sub.add_parser("evaluate", help="evaluate every member of the site(s) under the active rules")
        ev.add_argument("--site", help="site code or name (default: every site with active rules)")
        ev.add_argument("--as-of", help="evaluation date YYYY-MM-DD (default today)")
        ev.add_argument("--json", action="store_true")
        ex = sub.add_parser("explain", help="why a customer has their tier")
        ex.add_argument("customer", help="phone number or customer id")
        ex.add_argument("--as-of")
        ex.add_argument("--json", action="store_true")
        care = sub.add_parser("care", help="generate due care tasks from tier benefits")
        care.add_argument("--site", help="site code or name")
        care.add_argument("--as-of")
        nightly = sub.add_parser(
            "nightly", help="evaluate and generate care tasks for every site, once a day"
        )
        nightly.add_argument("--as-of", help="day YYYY-MM-DD (default today)")
        nightly.add_argument("--enqueue", action="store_true", help="enqueue the task for the worker instead")
        nightly.add_argument("--json", action="store_true")
        rb = sub.add_parser("rebuild", help="rebuild (or --verify) the running aggregates")
        rb.add_argument("--site", help="site code or name")
        rb.add_argument("--verify", action="store_true", help="only compare with the raw rows")

    def handle(self, *args, action: str, **options):
        try:
            with audit_context(None, "cli", f"tiers {action}"):
                getattr(self, f"_{action}")(**options)
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def _sites(self, code: str | None) -> list[Site]:
        if code:
            try:
                return [site_by_code_or_name(code)]
            except DomainError as exc:
                raise CommandError(exc.message) from exc
        ids = TierRuleSet.objects.filter(status=RuleSetStatus.ACTIVE).values("site_id")
        return list(Site.objects.filter(pk__in=ids).order_by("code"))

    def _evaluate(self, *, site, as_of, json: bool, **_):
        out = []
        for s in self._sites(site):
            run = services.tiers_evaluate(actor=None, site_id=s.pk, as_of=_date(as_of))
            moves = (
                TierChange.objects.filter(evaluation=run)
                .values("from_tier", "to_tier")
                .annotate(n=Count("id"))
                .order_by("from_tier", "to_tier")
            )
            out.append(
                {
                    "site": s.code,
                    "rule_set": str(run.rule_set),
                    "version": run.rule_set.version,
                    "as_of": run.as_of.isoformat(),
                    "members": run.members,
                    "counts": run.counts,
                    "changes": run.changes,
                    "moves": [dict(m) for m in moves],
                    "seconds": round((run.finished_at - run.started_at).total_seconds(), 3),
                }
            )
        if json:
            self.stdout.write(_dumps(out))
            return
        for row in out:
            self.stdout.write(
                f"{row['site']}  {row['rule_set']}  评定日期 {row['as_of']}  会员 {row['members']}"
            )
            for tier, n in sorted(row["counts"].items()):
                self.stdout.write(f"  {tier:<10} {n}")
            self.stdout.write(f"  变动 {row['changes']}（{row['seconds']} 秒）")
            for m in row["moves"]:
                self.stdout.write(f"    {m['from_tier'] or '（新）'} → {m['to_tier']}: {m['n']}")

    def _customer(self, key: str) -> Customer:
        phone = parse_phone(key)
        qs = Customer.objects.filter(is_deleted=False)
        found = list(qs.filter(phone=phone)[:2]) if phone else []
        if not found and key.isdigit():
            found = list(qs.filter(pk=int(key)))
        if not found:
            raise CommandError(f"找不到客户：{key}")
        if len(found) > 1:
            raise CommandError(f"电话 {key} 对应多个客户，请用客户编号")
        return found[0]

    def _explain(self, *, customer, as_of, json: bool, **_):
        c = self._customer(customer)
        rule_set = selectors.active_rule_set(site_id=c.site_id)
        if rule_set is None:
            raise CommandError("该客户所在院区还没有生效的会员分级规则")
        explained = selectors.explain(customer_id=c.pk, rule_set=rule_set, as_of=_date(as_of))
        current = selectors.tier_of(customer_id=c.pk)
        data = {
            "customer": {"id": c.pk, "name": c.name, "phone": c.phone},
            "rule_set": {"id": rule_set.pk, "name": rule_set.name, "version": rule_set.version},
            "stored_tier": current.tier if current else None,
            **explained.as_json(),
        }
        if json:
            self.stdout.write(_dumps(data))
            return
        labels = tier_labels(rule_set.definition)
        self.stdout.write(f"{c.name} {c.phone}（#{c.pk}）  规则：{rule_set.name} v{rule_set.version}")
        if not explained.is_member:
            self.stdout.write("  没有消费记录，不是会员")
            return
        self.stdout.write(f"  等级：{labels.get(explained.tier, explained.tier)}")
        for crit in explained.criteria:
            self.stdout.write(f"  [{'✓' if crit.holds else '✗'}] {crit.code} {crit.label}")
            for cond in crit.conditions:
                self.stdout.write(f"      {'✓' if cond.holds else '✗'} {cond.text}：{cond.detail}")
        level = explained.level
        self.stdout.write(
            f"  匹配规则：{level['tier']} ← {level['match']} {', '.join(level['criteria'])}（优先级 {level['priority']}）"
        )

    def _care(self, *, site, as_of, **_):
        for s in self._sites(site):
            n = services.care_tasks_generate(site_id=s.pk, as_of=_date(as_of))
            self.stdout.write(f"{s.code}: 新建关怀任务 {n} 条")

    def _nightly(self, *, as_of, enqueue: bool, json: bool, **_):
        day = _date(as_of)
        if enqueue:
            result = evaluate_all_sites_task.enqueue(as_of=day.isoformat() if day else None)
            self.stdout.write(f"已加入任务队列：{result.id}")
            return
        results = evaluate_all_sites(as_of=day)
        if json:
            self.stdout.write(_dumps([r.as_json() for r in results]))
        else:
            for r in results:
                if r.status == "done":
                    retried = f"（重新运行；上次：{r.retried}）" if r.retried else ""
                    self.stdout.write(
                        f"{r.site}: 会员 {r.members}，等级变动 {r.changes}，新建关怀任务 {r.care_tasks}{retried}"
                    )
                else:
                    self.stdout.write(f"{r.site}: {_NIGHTLY_SKIPPED[r.status]}{r.error}")
        failed = [r.site for r in results if r.status == "failed"]
        if failed:
            raise CommandError(f"以下院区运行失败：{'、'.join(failed)}")

    def _rebuild(self, *, site, verify: bool, **_):
        site_id = self._sites(site)[0].pk if site else None
        if verify:
            diff = aggregates.verify(site_id=site_id)
            if diff:
                for row in diff[:20]:
                    self.stdout.write(str(row))
                raise CommandError(f"汇总数据与原始记录不一致：{len(diff)} 行")
            self.stdout.write("汇总数据与原始记录一致")
            return
        n = aggregates.rebuild(site_id=site_id)
        self.stdout.write(f"已重建 {n} 行汇总数据")


_NIGHTLY_SKIPPED = {
    "already": "今天已运行过，跳过",
    "running": "正在由其他进程运行（未超时），跳过",
    "no_rules": "没有生效的会员分级规则，跳过",
    "failed": "运行失败：",
}


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)
