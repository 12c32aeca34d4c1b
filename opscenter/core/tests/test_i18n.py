"""English that is complete: the rules of `core.i18n_check`, then the package held to them."""

import textwrap

from opscenter.core import i18n_check as check


def _py(source):
    return [f.line for f in check.python_source_findings(textwrap.dedent(source))]


def _tpl(source):
    return [f.line for f in check.template_source_findings(textwrap.dedent(source))]


# --- the Python rule ---------------------------------------------------------------------------


def test_an_unwrapped_chinese_literal_is_found_and_a_wrapped_one_is_not():
    source = """
    from django.utils.translation import gettext as _, gettext_lazy, pgettext
    A = "客户"
    B = gettext_lazy("客户")
    def f():
        raise ValueError(_("没有权限"))
    C = pgettext("audit", "恢复")
    D = "customer"
    """
    assert _py(source) == [3]


def test_f_strings_with_chinese_are_found_even_inside_gettext():
    source = """
    def f(name):
        a = f"你好，{name}"
        b = _(f"你好，{name}")
        c = _("你好，%(name)s") % {"name": name}
        return a, b, c
    """
    assert _py(source) == [3, 4]


def test_docstrings_log_messages_and_logger_calls_are_not_user_facing():
    source = '''
    """模块说明。"""
    import logging
    logger = logging.getLogger(__name__)
    class A:
        """模型说明"""
        def f(self):
            """方法说明"""
            logger.warning("导入失败 %s", 1)
            raise DomainError(_("导入失败"), log_message=f"导入 {self} failed")
    '''
    assert _py(source) == []


def test_data_marks_exempt_a_whole_statement_or_module_and_nothing_else():
    source = """
    ALIASES = {  # i18n: data
        "客户姓名": "name",
        "电话": "phone",
    }
    LABEL = "客户"
    if value == "无":  # i18n: data
        x = "未标记"
    """
    assert _py(source) == [6, 8]
    assert _py("# i18n: data module (header aliases)\nA = '客户'\n") == []


def test_demo_tests_migrations_and_commands_are_exempt_modules():
    root = check.PACKAGE
    for rel in (
        "pipeline/migrations/0001_initial.py",
        "pipeline/tests/test_views.py",
        "members/management/commands/tiers.py",
        "pipeline/demo/clinic.py",
        "targets/demo.py",
        "core/testing.py",
    ):
        assert check.python_exempt(root / rel), rel
    for rel in ("pipeline/views/customers.py", "members/models.py", "core/demo_helpers.py"):
        assert not check.python_exempt(root / rel), rel


# --- the template rule -------------------------------------------------------------------------


def test_chinese_in_text_and_attributes_is_found_outside_translation_tags():
    source = """
    {% load i18n %}
    <h1>{% translate "客户" %}</h1>
    <p title="客户列表">{{ customer.name }}</p>
    <p>共 {{ n }} 位</p>
    {% blocktranslate with n=count %}共 {{ n }} 位客户{% endblocktranslate %}
    {% comment %}这里是注释{% endcomment %}{# 注释 #}<!-- 注释 -->
    <input placeholder="{% translate '姓名或电话' %}">
    """
    assert _tpl(source) == [4, 5, 5]  # both text nodes around the variable


def test_chinese_literals_in_tags_need_the_underscore_form():
    source = """
    {{ value|default:"无" }}
    {{ value|default:_("无") }}
    {% include "x.html" with title="客户" %}
    {% include "x.html" with title=_("客户") %}
    """
    assert _tpl(source) == [2, 4]


def test_a_data_mark_exempts_its_line_only():
    source = """
    <span aria-hidden="true">运</span>{# i18n: data #}
    <span>运</span>
    """
    assert _tpl(source) == [3]


def test_template_msgids_are_those_makemessages_extracts():
    source = """{% load i18n %}{% translate "客户" %}{% translate "恢复" context "audit" %}
    {% blocktranslate trimmed count n=c %}
      共 {{ n }} 位客户
    {% plural %}共 {{ n }} 位客户们{% endblocktranslate %}{{ v|default:_("无") }}"""
    assert set(check.template_msgids(source)) == {
        ("", "客户"),
        ("audit", "恢复"),
        ("", "共 %(n)s 位客户"),
        ("", "共 %(n)s 位客户们"),
        ("", "无"),
    }


# --- the catalogue rule ------------------------------------------------------------------------


def test_untranslated_and_fuzzy_entries_are_found(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        textwrap.dedent(
            """\
            msgid ""
            msgstr ""
            "Language: en\\n"

            #: a.py:1
            msgid "客户"
            msgstr "Customer"

            #: a.py:2
            #, fuzzy
            #| msgid "客户们"
            msgid "客户列表"
            msgstr "Customers"

            #: a.py:3
            msgid ""
            "很长的"
            "说明"
            msgstr ""

            msgctxt "audit"
            msgid "恢复"
            msgid_plural "恢复们"
            msgstr[0] "Restored"
            msgstr[1] ""

            #~ msgid "旧的"
            #~ msgstr ""
            """
        ),
        encoding="utf-8",
    )
    entries = {(e.msgctxt, e.msgid): e for e in check.read_catalogue(po)}
    assert set(entries) == {("", "客户"), ("", "客户列表"), ("", "很长的说明"), ("audit", "恢复")}
    reasons = sorted(f.reason.split(":")[0] for f in check.catalogue_findings(po))
    assert reasons == ["fuzzy", "untranslated", "untranslated"]


# --- the package held to the rules ----------------------------------------------------------------


def test_every_python_string_a_user_reads_goes_through_gettext():
    findings = check.python_findings()
    assert not findings, "\n".join(map(str, findings))


def test_no_template_shows_chinese_outside_a_translation_tag():
    findings = check.template_findings()
    assert not findings, "\n".join(map(str, findings))


def test_the_english_catalogue_has_no_untranslated_or_fuzzy_entry():
    findings = check.catalogue_findings()
    assert not findings, "\n".join(map(str, findings))


def test_every_string_the_code_translates_has_an_english_translation():
    findings = check.missing_msgid_findings()
    assert not findings, "\n".join(map(str, findings))


def test_the_compiled_catalogue_is_up_to_date_with_the_source_catalogue():
    """A translation added to django.po but not compiled would still show Chinese."""
    from django.utils import translation

    entries = [e for e in check.read_catalogue() if e.msgctxt == "" and len(e.msgstrs) == 1]
    with translation.override("en"):
        stale = [e.msgid for e in entries if translation.gettext(e.msgid) != e.msgstrs[0]]
    assert not stale, stale[:20]
