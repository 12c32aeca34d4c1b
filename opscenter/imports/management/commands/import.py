"""`opscenter import KIND FILE [--dry-run] [--site S] [--on-error skip|stop] [--errors-out PATH] [--json]`

Exit status: 0 when every row was imported (or would be, with --dry-run), 1 when any row was
rejected (nothing is written with --on-error stop), 2 when the file cannot be read at all or the
kind is unknown (the known kinds are listed). KIND is a kind's name (`followups`), hyphenated or
not (`follow-ups`), or its Chinese label (`回访`).
A progress bar goes to stderr; the summary (text or JSON) to stdout.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from opscenter.core import audit
from opscenter.core.exceptions import DomainError
from opscenter.imports import services
from opscenter.imports.engine import DryRunReport, ImportOptions
from opscenter.imports.exceptions import MappingError, UnreadableFile
from opscenter.imports.kinds import get_kind
from opscenter.imports.rejects import write_rejected_rows
from opscenter.org.selectors import site_by_code_or_name

EXIT_OK, EXIT_REJECTED, EXIT_UNREADABLE = 0, 1, 2


class Command(BaseCommand):
    # The system checks (every model, URL and template setting) cost a third of a second on every
    # run and find nothing an import needs: `migrate`, `runserver` and `check` run them.
    requires_system_checks: list[str] = []
    help = (
        "Import an Excel (.xlsx/.xls) or CSV file as one of the registered kinds (customers, transactions …)"
    )

    def add_arguments(self, parser):
        parser.add_argument("kind")
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="validate only, write nothing")
        parser.add_argument("--site", help="site code or name (院区)")
        parser.add_argument("--sheet", help="sheet name or index (default: the first sheet)")
        parser.add_argument("--on-error", choices=["skip", "stop"], default="stop")
        parser.add_argument("--errors-out", help="write the rejected rows to this .xlsx with an error column")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument("--create-missing-channels", action="store_true")
        parser.add_argument("--create-missing-customers", action="store_true")
        parser.add_argument("--default-year", type=int, help="year for dates written without one (10月24日)")
        parser.add_argument("--user", help="username to act as (permissions and site scope are checked)")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **opts):
        try:
            kind = get_kind(opts["kind"])
        except MappingError as exc:  # unknown kind: list the known ones, exit 2, no traceback
            self.stderr.write(exc.message)
            raise SystemExit(EXIT_UNREADABLE) from None
        user = self._user(opts["user"])
        site = self._site(opts["site"]) if opts["site"] else None
        path = Path(opts["file"])
        options = ImportOptions(
            on_error=opts["on_error"],
            create_missing_channels=opts["create_missing_channels"],
            create_missing_customers=opts["create_missing_customers"],
            default_year=opts["default_year"],
            sheet=opts["sheet"],
        )
        if not path.is_file():
            return self._unreadable(opts, f"文件不存在：{path}")
        bar = (
            None
            if opts["no_progress"]
            else tqdm(desc=f"导入{kind.label_zh}", unit="行", file=self.stderr._out)
        )

        def progress(done: int, total: int | None) -> None:
            if bar is not None:
                bar.total = total
                bar.n = done
                bar.refresh()

        try:
            with audit.audit_context(user, "cli", "命令行导入"):
                job = services.import_job_create(
                    actor=user,
                    kind=kind.name,
                    site_id=site.pk if site else None,
                    source=path,
                    filename=path.name,
                    options=options,
                )
                if opts["dry_run"]:
                    report = services.import_job_validate(job=job, actor=user, progress=progress)
                else:
                    report = services.import_job_commit(job=job, actor=user, progress=progress)
        except UnreadableFile as exc:
            return self._unreadable(opts, exc.message)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        finally:
            if bar is not None:
                bar.close()
        if opts["errors_out"] and report.rows_error:
            write_rejected_rows(
                services.open_job_table(job), job.row_errors.all().iterator(), opts["errors_out"]
            )
        self._print(opts, report, job)
        failed = report.rows_error or report.fatal or (not opts["dry_run"] and not report.committed)
        if failed:
            raise SystemExit(EXIT_REJECTED)
        return None

    def _user(self, username: str | None):
        if not username:
            return None
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"用户“{username}”不存在")
        return user

    def _site(self, value: str):
        try:
            return site_by_code_or_name(value)
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def _unreadable(self, opts, message: str):
        if opts["json"]:
            self.stdout.write(json.dumps({"error": message}, ensure_ascii=False))
        else:
            self.stderr.write(f"无法读取文件：{message}")
        raise SystemExit(EXIT_UNREADABLE)

    def _print(self, opts, report: DryRunReport, job) -> None:
        if opts["json"]:
            data = report.as_json()
            data.update(job_id=job.pk, status=job.status, dry_run=opts["dry_run"])
            data["followups"] = [{"name": f.name, "status": f.status} for f in job.followups.all()]
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        w = self.stdout.write
        w(f"导入批次 #{job.pk}（{job.get_status_display()}）：{job.original_filename}")
        if report.missing_columns:
            w(f"缺少必填列：{'、'.join(report.missing_columns)}")
        w(f"共 {report.rows_total} 行：有效 {report.rows_ok}，错误 {report.rows_error}")
        if opts["dry_run"]:
            w(f"将新增 {report.would_create}，将更新 {report.would_update}，已存在未变化 {report.unchanged}")
        else:
            w(f"新增 {report.created}，更新 {report.updated}，已存在未变化 {report.unchanged}")
        if report.unknown_columns:
            w(f"未识别的列（已忽略）：{'、'.join(report.unknown_columns)}")
        for row_no, reason in report.skipped_rows:
            w(f"第 {row_no} 行已跳过：{reason}")
        for note in report.notes:
            w(note)
        for error in report.errors[:50]:
            w(f"第 {error.row_no} 行 {error.column}“{error.value}”：{error.message}")
        if len(report.errors) > 50 or report.errors_truncated:
            w("……更多错误请用 --errors-out 导出")
        if job.message:
            w(job.message)
        for followup in job.followups.all():
            if followup.status in ("queued", "running"):
                w(f"后续处理：{followup.label}，已交给后台进程（opscenter serve / opscenter worker）")
            else:
                w(
                    f"后续处理：{followup.label}，{followup.get_status_display()}{followup.message and '：' + followup.message}"
                )
