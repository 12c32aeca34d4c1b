"""What every page's shell needs: languages, the navigation by domain (defined here, once), and
the unread-notification badge."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, Resolver404, get_script_prefix, get_urlconf, resolve, reverse
from django.utils.functional import Promise, SimpleLazyObject
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    key: str
    label: Promise
    description: Promise
    url_name: str
    path: str
    app_label: str | None = None  # shown only to users holding a permission in this app


# The one navigation list: the header menu and the home page's tiles both render it. A domain
# appears once its app routes a page; until then it is left out rather than shown as an empty page.
NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("home", _("首页"), _("今日概况与快捷入口"), "core:home", "/"),
    NavItem(
        "pipeline",
        _("客户管理"),
        _("渠道、咨询、上门、签约与回访"),
        "pipeline:customer_list",
        "/pipeline/",
        "pipeline",
    ),
    NavItem(
        "targets",
        _("指标分解"),
        _("年度目标分解到月、部门与个人"),
        "targets:plan_list",
        "/targets/",
        "targets",
    ),
    NavItem(
        "members", _("会员"), _("会员分级、权益与关怀任务"), "members:member_list", "/members/", "members"
    ),
    NavItem(
        "commitments",
        _("服务承诺/工单"),
        _("服务承诺、异动监测与工单闭环"),
        "commitments:work_order_list",
        "/commitments/",
        "commitments",
    ),
    NavItem(
        "appraisal",
        _("绩效考核"),
        _("考核方案、评分与绩效发放"),
        "appraisal:appraisal_list",
        "/appraisal/",
        "",  # every staff member: self-service statements (绩效查询); the screens scope the rest
    ),
    NavItem(
        "callcenter",
        _("客服质检"),
        _("来电指标、质检抽样与排班"),
        "callcenter:dashboard",
        "/callcenter/",
        "callcenter",
    ),
    NavItem(
        "marketing",
        _("市场营销"),
        _("活动与邀约、营销费用、渠道投入产出、合作机构佣金"),
        "marketing:campaign_list",
        "/marketing/",
        "marketing",
    ),
    NavItem("care", _("养老照护"), _("床位、入住评估、风险与护理事件"), "care:home", "/care/", "care"),
    NavItem(
        "workday",
        _("工作日清"),
        _("每日计划与总结、周报提交、登记表与通告"),
        "workday:today",
        "/workday/",
        "workday",
    ),
    NavItem("reports", _("报表"), _("看板、周报与月报、导出"), "reports:report_list", "/reports/", "reports"),
    NavItem(
        "imports", _("数据导入"), _("Excel/CSV 导入、校验与撤销"), "imports:job_list", "/imports/", "imports"
    ),
    NavItem("org", _("组织架构"), _("院区、部门、小组与员工"), "org:org_chart", "/org/", "org"),
    NavItem(
        "scheduler",
        _("定时任务"),
        _("夜间评估、预警等周期任务"),
        "scheduler:job_list",
        "/scheduler/",
        "scheduler",
    ),
    NavItem(
        "clinic",
        _("诊疗与订单"),
        _("报价、疗程消耗、诊疗回访与归属营收"),
        "clinic:home",
        "/clinic/",
        "clinic",
    ),
)


@lru_cache(maxsize=64)
def _url_for(url_name: str, path: str, _script_prefix: str = "", _urlconf: str | None = None) -> str | None:
    """The item's URL by name, else by its path if something is routed there, else None. The same
    for every request of a process, so it is looked up once per item, script prefix and URLconf
    rather than on every page (issue 11)."""
    try:
        return reverse(url_name)
    except NoReverseMatch:
        pass
    try:
        resolve(path)
    except Resolver404:
        return None
    return path


def _is_active(url: str, path: str) -> bool:
    return path == url if url == "/" else path.startswith(url)


def nav_for(request: HttpRequest) -> list[dict]:
    """Navigation entries the signed-in user may see: built domains they hold a permission in."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    entries = []
    for item in NAV_ITEMS:
        if item.app_label and not user.has_module_perms(item.app_label):
            continue
        url = _url_for(item.url_name, item.path, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
        if url is None:
            continue
        entries.append(
            {
                "key": item.key,
                "label": item.label,
                "description": item.description,
                "url": url,
                "active": _is_active(url, request.path),
            }
        )
    return entries


# The header's notification badge: the page it links to and the selector counting a user's unread
# notices (`f(*, user) -> int`, one COUNT). Named, not imported: core imports none of the apps.
NOTIFICATIONS_URL_NAME = "targets:notification_list"
UNREAD_COUNT_SELECTOR = "opscenter.targets.selectors.unread_notification_count"


@dataclass(frozen=True)
class Notifications:
    unread: int
    url: str | None


def notifications_for(request: HttpRequest) -> Notifications:
    """The signed-in user's unread count and the notifications page; counted once per request."""
    cached = getattr(request, "_opscenter_notifications", None)
    if cached is not None:
        return cached
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        result = Notifications(0, None)
    else:
        try:
            url = reverse(NOTIFICATIONS_URL_NAME)
        except NoReverseMatch:
            url = None
        unread = import_string(UNREAD_COUNT_SELECTOR)(user=user) if url else 0
        result = Notifications(unread, url)
    request._opscenter_notifications = result
    return result


def shell(request: HttpRequest) -> dict:
    return {
        "LANGUAGES_AVAILABLE": settings.LANGUAGES,
        "OPSCENTER_DEBUG": settings.DEBUG,
        # Lazy: partial (htmx) responses never render the navigation or the header, so they never
        # pay for them.
        "nav_items": SimpleLazyObject(lambda: nav_for(request)),
        "notifications": SimpleLazyObject(lambda: notifications_for(request)),
    }
