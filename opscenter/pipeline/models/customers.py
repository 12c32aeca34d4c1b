"""Channels, customers, exit reasons and the ownership history (渠道归属)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opscenter.core import audit
from opscenter.pipeline.choices import ChannelKind, CustomerStatus, Gender, OwnershipChangeKind
from opscenter.pipeline.models.base import ImportTracked
from opscenter.pipeline.phones import parse_phone


@audit.register()
class Channel(models.Model):
    """A source channel (渠道). Shared channels have no site; partner channels belong to one site."""

    site = models.ForeignKey(
        "org.Site",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="channels",
        verbose_name=_("院区"),
        help_text="empty = offered at every site",
    )
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=ChannelKind.choices)
    partner = models.CharField(
        _("合作方"), max_length=100, blank=True, help_text=_("offline channels: e.g. 保险公司销售团队")
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("渠道")
        verbose_name_plural = _("渠道")
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="channel_unique_name_per_site"),
            models.UniqueConstraint(
                fields=["name"], condition=Q(site__isnull=True), name="channel_unique_shared_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


@audit.register()
class ExitReason(models.Model):
    """An entry of the editable exit-reason list (seed 000 表3)."""

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("退出原因")
        verbose_name_plural = _("退出原因")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


@audit.register(internal=("cohort_month", "channel_kind"))
class Customer(ImportTracked):
    """A prospect, customer, member or former customer (客户) of one site.

    `phone` is canonical (see `phones.py`) and unique per site among non-deleted customers, which
    is what duplicate detection relies on. Ownership (渠道归属): `owner` took the customer at
    `owner_since` by first touch; for `site.ownership_protection_days` after that nobody else may
    take them, afterwards another consultant may claim them; a manager may reassign at any time
    with a reason. Every change is an `OwnershipChange` row plus an audit event.
    `first_contact_on` is the date of the first consultation (or, for a walk-in, the first visit);
    `cohort_month` is its yyyymm (the registration month until there is a contact).
    """

    site = models.ForeignKey(
        "org.Site", on_delete=models.PROTECT, related_name="customers", verbose_name=_("院区")
    )
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("电话"), max_length=20, help_text="canonical: 13812345678 or 0574-87654321")
    gender = models.CharField(_("性别"), max_length=10, choices=Gender.choices, default=Gender.UNKNOWN)
    birthday = models.DateField(_("出生日期"), null=True, blank=True)
    age = models.PositiveSmallIntegerField(
        _("年龄"), null=True, blank=True, help_text="when the birthday is unknown"
    )
    profession = models.CharField(_("职业"), max_length=50, blank=True)
    city = models.CharField(_("所在城市"), max_length=50, blank=True)
    is_local = models.BooleanField(
        _("本市"), default=True, help_text="city is the site's city (online visit rate)"
    )
    channel = models.ForeignKey(
        Channel,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
        verbose_name=_("来源渠道"),
    )
    channel_kind = models.CharField(
        _("渠道类型"), max_length=20, choices=ChannelKind.choices, default=ChannelKind.OTHER
    )
    owner = models.ForeignKey(
        "org.Staff",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_customers",
        verbose_name=_("归属咨询师"),
    )
    owner_since = models.DateTimeField(_("归属起始时间"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=CustomerStatus.choices, default=CustomerStatus.PROSPECT
    )
    tags = models.JSONField(_("标签"), default=list, blank=True)
    first_contact_on = models.DateField(_("首次咨询日期"), null=True, blank=True)
    cohort_month = models.PositiveIntegerField(_("首次咨询月份"), help_text="yyyymm")
    note = models.TextField(_("备注"), blank=True)
    created_by = models.ForeignKey(
        "core.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("登记人"),
    )
    is_deleted = models.BooleanField(_("已删除"), default=False)
    deleted_at = models.DateTimeField(_("删除时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("客户")
        verbose_name_plural = _("客户")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "phone"], condition=Q(is_deleted=False), name="customer_unique_phone_per_site"
            ),
        ]
        indexes = [
            models.Index(fields=["site", "cohort_month", "channel_kind"], name="customer_site_cohort_idx"),
            models.Index(fields=["owner", "status"], name="customer_owner_status_idx"),
            models.Index(fields=["site", "status"], name="customer_site_status_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.phone and parse_phone(self.phone) != self.phone:
            raise ValidationError({"phone": gettext("电话号码格式不正确")})
        if self.age is not None and self.age > 130:
            raise ValidationError({"age": gettext("年龄不合理")})

    def protection(self):
        """The protection window's length and its source: the site's default, or what a
        registered source (the channel's grade, in marketing) sets (`pipeline.protection`)."""
        from opscenter.pipeline.protection import protection_for

        # Kept on the instance for its site and channel: a page asks for the window and its source
        # separately, and each answer costs a query per registered source.
        key = (self.site_id, self.channel_id)
        cached = getattr(self, "_protection", None)
        if cached is None or cached[0] != key:
            cached = self._protection = (key, protection_for(self))
        return cached[1]

    def protected_until(self) -> dt.datetime | None:
        """End of the ownership protection window (None when nobody owns the customer)."""
        if self.owner_id is None or self.owner_since is None:
            return None
        return self.owner_since + dt.timedelta(days=self.protection().days)

    def is_protected(self, at: dt.datetime) -> bool:
        until = self.protected_until()
        return until is not None and at < until


@audit.register()
class OwnershipChange(models.Model):
    """One change of a customer's owner: first touch, claim after the window, or manager reassignment."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="ownership_changes", verbose_name=_("客户")
    )
    kind = models.CharField(_("类型"), max_length=20, choices=OwnershipChangeKind.choices)
    from_owner = models.ForeignKey(
        "org.Staff",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("原归属"),
    )
    to_owner = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("新归属")
    )
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    changed_by = models.ForeignKey(
        "core.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("操作人"),
    )
    changed_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("归属变更")
        verbose_name_plural = _("归属变更")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.customer} → {self.to_owner} ({self.get_kind_display()})"
