"""Issue 10 §8: the CLI is consistent — unknown kinds list the known ones and exit 2, kind names
may be hyphenated or Chinese, and every `--site` takes a site code or name."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from opscenter.imports.models import ImportJob

pytestmark = pytest.mark.django_db


def test_an_unknown_kind_lists_the_known_kinds_and_exits_2(tmp_path, capsys, personas):
    path = tmp_path / "f.csv"
    path.write_text("a\n1\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        call_command("import", "folowups", str(path), "--site", "sunshine")
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "未知的导入类型“folowups”" in err and "followups（回访）" in err and "Traceback" not in err


@pytest.mark.parametrize("spelling", ["follow-ups", "回访", "FollowUps"])
def test_hyphenated_and_chinese_kind_names_are_accepted(spelling, tmp_path, personas):
    path = tmp_path / "f.csv"
    path.write_text("计划日期,电话\n", encoding="utf-8")
    call_command("import", spelling, str(path), "--site", "sunshine", "--dry-run", "--no-progress")
    assert ImportJob.objects.get().kind == "followups"


@pytest.mark.parametrize(
    "command",
    [
        ("tiers", "evaluate"),
        ("tiers", "care"),
        ("import", "customers", "/nonexistent.csv", "--dry-run"),
        ("export", "customers", "/tmp/x.xlsx"),
        ("targets", "solve", "--revenue", "100", "--year", "2027"),
    ],
)
def test_every_site_option_takes_a_name_as_well_as_a_code(command, personas, capsys):
    # A name that does not exist is reported with the sites there are, codes and names.
    with pytest.raises((CommandError, SystemExit)) as info:
        call_command(*command, "--site", "不存在的院区")
    message = str(info.value) if isinstance(info.value, CommandError) else capsys.readouterr().err
    assert "院区“不存在的院区”不存在" in message and "sunshine（阳光养老社区）" in message


def test_tiers_evaluate_accepts_the_site_name(personas, capsys):
    # Said "院区不存在" before; now it finds the site (which has no active tier rules here).
    with pytest.raises(CommandError, match="还没有生效的会员分级规则"):
        call_command("tiers", "evaluate", "--site", "阳光养老社区")
    call_command("calendar", "add", "--start", "2026-09-30 16:00", "--hours", "1", "--site", "阳光养老社区")
