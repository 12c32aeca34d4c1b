"""Knowledge-base search for Chinese text, the same on SQLite and PostgreSQL."""

import datetime as dt

from opscenter.callcenter import knowledge
from opscenter.callcenter.models import Disposition, KnowledgeArticle


def _article(cc, title, body, **kw):
    return knowledge.article_save(
        actor=cc.manager, site_id=cc.site.pk, title=title, body=body, owner_department_id=cc.department.pk,
        review_on=kw.pop("review_on", dt.date(2030, 1, 1)), **kw,
    )  # fmt: skip


def test_chinese_search_ranks_articles_by_the_words_they_share(cc):
    refund = _article(cc, "退款流程", "客户申请退款时，先核实身份，再登记退款原因，三个工作日内办结。")
    outage = _article(cc, "停电报修", "客户报修停电，记录地址与停电时间，派工单至抢修班组。")
    _article(cc, "会员权益", "会员生日礼、季度礼品与沙龙邀请。")
    articles = KnowledgeArticle.objects.all()
    assert knowledge.search(articles, "怎么退款") == [refund]
    assert knowledge.search(articles, "停电了要报修") == [outage]
    assert knowledge.search(articles, "核实身份 退款")[0] == refund
    assert knowledge.search(articles, "款退") == []  # characters in another order are not the word
    assert knowledge.search(articles, "   ") == []


def test_top_articles_for_a_disposition_and_stale_articles(cc):
    complaint = Disposition.objects.get(site=cc.site, name="投诉")
    a = _article(cc, "投诉受理规范", "受理投诉的步骤", disposition_id=complaint.pk)
    old = _article(cc, "旧的咨询口径", "过时", review_on=dt.date(2026, 1, 1))
    articles = KnowledgeArticle.objects.all()
    assert knowledge.for_disposition(articles, complaint.pk) == [a]
    assert list(knowledge.stale(articles, today=dt.date(2026, 3, 1), department_ids=[cc.department.pk])) == [
        old
    ]
    edited = _article(cc, "新的咨询口径", "更新后的内容", article=old, review_on=dt.date(2027, 1, 1))
    assert knowledge.search(articles, "新的咨询") == [edited]
    assert not knowledge.stale(articles, today=dt.date(2026, 3, 1)).exists()
