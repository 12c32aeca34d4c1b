"""The shipped roles (Django groups) and what each may do.

Group names are the Chinese role names users see. Permissions are granted per app (all models of
the app) or per model, as letters: v = view, a = add, c = change, d = delete. Apps that do not
exist yet simply contribute nothing until they do. Syncing only adds permissions, so what an
administrator grants by hand is kept; see docs/permissions.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

BUSINESS_APPS = (
    "org",
    "pipeline",
    "targets",
    "members",
    "commitments",
    "appraisal",
    "marketing",
    "callcenter",
    "care",
    "workday",
    "imports",
    "reports",
    "scheduler",
    "clinic",
)


# Everyone hands in their own recurring submissions and keeps the registers (workday app).
WORKDAY_STAFF = {
    "workday.submission": "vc",
    "workday.worklog": "va",
    "workday.outboundvisit": "va",
    "workday.cardissue": "vac",
    "workday.announcement": "v",
}


# The call center's staff: every call-center record, but the rules (queues' service levels and
# hours, business types) are changed only by the 客服中心主管 role (call_center_manager).
CALL_CENTER_MODELS = (
    "call",
    "survey",
    "testcall",
    "knowledgearticle",
    "knowledgetoken",
    "qasample",
    "qasamplecall",
    "qascore",
    "qaitemscore",
    "qascorecard",
    "qaitem",
    "agentstate",
    "agentstateslot",
)
CALL_CENTER = {
    "org": "v",
    "pipeline": "v",
    "pipeline.consultation": "vac",
    "pipeline.followup": "vac",
    "callcenter": "va",
    **{f"callcenter.{model}": "vac" for model in CALL_CENTER_MODELS},
    "commitments": "vac",
    "imports": "vac",
    "reports": "v",
    **WORKDAY_STAFF,
}


@dataclass(frozen=True)
class Role:
    code: str
    name: str
    description: str
    grants: dict[str, str] = field(default_factory=dict)
    all_sites: bool = False  # read every site
    own_only: bool = False  # only customers the staff member owns


ROLES: tuple[Role, ...] = (
    Role(
        "executive",
        gettext_noop("管理层"),
        _("所有院区只读"),
        {app: "v" for app in BUSINESS_APPS},
        all_sites=True,
    ),
    Role(
        "operations",
        gettext_noop("运营管理"),
        _("本院区全部数据读写"),
        {app: "vacd" for app in BUSINESS_APPS},
    ),
    Role(
        "marketing",
        gettext_noop("市场部"),
        _("本院区客户、渠道、咨询、预约、上门、签约"),
        {
            "org": "v",
            "pipeline": "vac",
            "targets": "v",
            "imports": "vac",
            "reports": "v",
            "care.admissionrequest": "vac",
            "care.admissionview": "va",
            "care.zone": "v",
            "care.bed": "v",
            "workday": "vac",
            "clinic": "vac",
            "marketing": "vac",
        },
    ),
    Role(
        "customer",
        gettext_noop("客户管理部"),
        _("本院区客户、回访、会员、关怀任务"),
        {
            "org": "v",
            "pipeline": "vac",
            "members": "vac",
            "targets": "v",
            "imports": "vac",
            "reports": "v",
            **WORKDAY_STAFF,
            "clinic": "vac",
        },
    ),
    Role(
        "nursing",
        gettext_noop("护理部"),
        _("本院区入住评估、风险与事件"),
        {
            "org": "v",
            "pipeline": "v",
            "pipeline.assessment": "vac",
            "care": "vac",
            "commitments": "vc",
            "reports": "v",
            **WORKDAY_STAFF,
        },
    ),
    Role(
        "call_center",
        gettext_noop("客服中心"),
        _("本院区来电、质检、回访登记、工单"),
        CALL_CENTER,
    ),
    Role(
        "call_center_manager",
        gettext_noop("客服中心主管"),
        _("客服中心的全部权限，并可修改队列与业务类型规则"),
        {**CALL_CENTER, "callcenter": "vac"},
    ),
    Role(
        "finance_hr",
        gettext_noop("财务/人事"),
        _("本院区员工、考核与绩效发放"),
        {"org": "vac", "appraisal": "vacd", "pipeline": "v", "targets": "v", "reports": "v", **WORKDAY_STAFF},
    ),
    Role(
        "consultant",
        gettext_noop("咨询师"),
        _("只看自己名下的客户"),
        {"org": "v", "pipeline": "vac", "targets": "v", "members": "v", **WORKDAY_STAFF, "clinic": "vac"},
        own_only=True,
    ),
    Role(
        "doctor",
        gettext_noop("医生/护士"),
        _("本院区疗程消耗登记、诊疗回访答复"),
        {
            "org": "v",
            "pipeline": "v",
            "pipeline.followup": "vac",
            "clinic": "v",
            "clinic.sessionuse": "vac",
            "clinic.package": "v",
            "members": "v",
            "targets": "v",
        },
    ),
)

ROLE_BY_CODE = {role.code: role for role in ROLES}
ROLE_BY_NAME = {role.name: role for role in ROLES}
_ACTIONS = {"v": "view", "a": "add", "c": "change", "d": "delete"}


def role_codenames(role: Role, models_by_app: dict[str, list[str]]) -> set[tuple[str, str]]:
    """(app_label, codename) pairs the role grants, given the models that exist now."""
    wanted: set[tuple[str, str]] = set()
    for target, letters in role.grants.items():
        app, _, model = target.partition(".")
        names = [model] if model else models_by_app.get(app, [])
        for name in names:
            for letter in letters:
                wanted.add((app, f"{_ACTIONS[letter]}_{name}"))
    return wanted


def sync_role_permissions(sender=None, **kwargs) -> None:
    """post_migrate: make sure every role group exists and holds its shipped permissions."""
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    if kwargs.get("using", "default") != "default":
        return
    models_by_app: dict[str, list[str]] = {}
    for ct in ContentType.objects.filter(app_label__in=BUSINESS_APPS):
        models_by_app.setdefault(ct.app_label, []).append(ct.model)
    perms = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.filter(content_type__app_label__in=BUSINESS_APPS).select_related(
            "content_type"
        )
    }
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role.name)
        want = [perms[key] for key in role_codenames(role, models_by_app) if key in perms]
        have = set(group.permissions.values_list("id", flat=True))
        missing = [p for p in want if p.id not in have]
        if missing:
            group.permissions.add(*missing)
