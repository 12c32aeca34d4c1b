"""WeChat content reach (微信图文): articles entered by hand or imported."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from opscenter.core.audit import as_actor
from opscenter.core.exceptions import ValidationError
from opscenter.marketing.models import Campaign, ContentPost
from opscenter.marketing.services._common import a_date, scope_requiring


def _count(value: Any, *, field: str, label: str, signed: bool = False) -> int:
    try:
        number = int(value or 0)
    except (TypeError, ValueError):
        raise ValidationError(_("%(label)s应为整数") % {"label": label}, field=field) from None
    if number < 0 and not signed:
        raise ValidationError(_("%(label)s不能为负数") % {"label": label}, field=field)
    return number


def content_post_build(
    *,
    site_id: int,
    title: str,
    published_on: Any,
    reads: Any = 0,
    shares: Any = 0,
    new_followers: Any = 0,
    campaign_code: str = "",
) -> ContentPost:
    """A validated, unsaved post (entry and import share it)."""
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("请填写标题"), field="title")
    campaign = None
    if campaign_code:
        campaign = Campaign.objects.filter(site_id=site_id, code=campaign_code.strip().lower()).first()
        if campaign is None:
            raise ValidationError(
                _("来源码“%(code)s”在本院区没有对应的活动") % {"code": campaign_code}, field="campaign_code"
            )
    return ContentPost(
        site_id=site_id,
        title=title,
        published_on=a_date(published_on, field="published_on", label=_("发布日期")),
        reads=_count(reads, field="reads", label=_("阅读数")),
        shares=_count(shares, field="shares", label=_("分享数")),
        new_followers=_count(new_followers, field="new_followers", label=_("新增关注"), signed=True),
        campaign=campaign,
    )


@as_actor
@transaction.atomic
def content_post_record(
    *,
    actor,
    site_id: int,
    title: str,
    published_on: dt.date,
    reads: int = 0,
    shares: int = 0,
    new_followers: int = 0,
    campaign_code: str = "",
) -> ContentPost:
    """Enter a WeChat article with its reach; the campaign code links it to attribution."""
    scope = scope_requiring(actor, "marketing.add_contentpost")
    scope.require_site(site_id, write=True)
    post = content_post_build(
        site_id=site_id,
        title=title,
        published_on=published_on,
        reads=reads,
        shares=shares,
        new_followers=new_followers,
        campaign_code=campaign_code,
    )
    if ContentPost.objects.filter(site_id=site_id, published_on=post.published_on, title=post.title).exists():
        raise ValidationError(_("同一天已有同名图文"), field="title")
    post.save()
    return post
