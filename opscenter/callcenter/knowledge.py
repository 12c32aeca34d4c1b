"""Knowledge base (知识库): articles and a search that works for Chinese on SQLite and PostgreSQL.

Chinese has no spaces, so words cannot be split on whitespace, and `LIKE '%…%'` reads every
article. Instead each article is cut into tokens stored in `KnowledgeToken` — every pair of
adjacent CJK characters (bigram), every single CJK character, and each ASCII word or number
lowercased — with their counts. A query is cut the same way; articles are ranked by how many
distinct query tokens they contain, then by the tokens' counts (title tokens weigh triple). The
lookup is an indexed `token IN (…)` grouped by article: the same SQL on both databases, no
extension needed (pg_trgm would only serve PostgreSQL and needs 3-character grams, which suit
Chinese two-character words poorly).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.callcenter.models import KnowledgeArticle, KnowledgeToken
from opscenter.core.audit import as_actor
from opscenter.core.exceptions import ValidationError
from opscenter.org.models import Department
from opscenter.org.selectors import scope_for

_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[a-z0-9]+")
MAX_TOKEN = 32
TITLE_WEIGHT = 3


def tokens(text: str) -> Counter:
    """CJK bigrams and single characters, ASCII words (lowercased) of `text`, with counts."""
    out: Counter = Counter()
    for run in _CJK_RUN.findall(text):
        out.update(run)
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    out.update(w[:MAX_TOKEN] for w in _WORD.findall(text.lower()))
    return out


def query_tokens(text: str) -> set[str]:
    """A query's tokens: bigrams where the query has them (single characters only for one-character
    runs), so that 退款 does not match every article containing 退 or 款."""
    out: set[str] = set()
    for run in _CJK_RUN.findall(text):
        out.update([run] if len(run) == 1 else (run[i : i + 2] for i in range(len(run) - 1)))
    out.update(w[:MAX_TOKEN] for w in _WORD.findall(text.lower()))
    return out


def _index(article: KnowledgeArticle) -> None:
    counts = tokens(article.body)
    for token, n in tokens(article.title).items():
        counts[token] += n * TITLE_WEIGHT
    KnowledgeToken.objects.filter(article=article).delete()
    KnowledgeToken.objects.bulk_create(
        KnowledgeToken(article=article, token=t, weight=min(n, 32_767)) for t, n in counts.items()
    )


@transaction.atomic
@as_actor
def article_save(
    *,
    actor,
    site_id: int,
    title: str,
    body: str,
    owner_department_id: int,
    review_on: dt.date,
    category: str = "",
    disposition_id: int | None = None,
    article: KnowledgeArticle | None = None,
) -> KnowledgeArticle:
    """Create or update an article and re-index its tokens."""
    if actor is not None:
        scope = scope_for(actor)
        scope.require("callcenter.change_knowledgearticle" if article else "callcenter.add_knowledgearticle")
        scope.require_site(site_id, write=True)
    if not title.strip() or not body.strip():
        raise ValidationError(_("请填写标题和正文"), field="title")
    if not Department.objects.filter(pk=owner_department_id, site_id=site_id).exists():
        raise ValidationError(_("负责部门必须属于该院区"), field="owner_department")
    article = article or KnowledgeArticle(site_id=site_id)
    article.title, article.body, article.category = title.strip(), body.strip(), category.strip()
    article.owner_department_id, article.review_on, article.disposition_id = (
        owner_department_id,
        review_on,
        disposition_id,
    )
    article.updated_at = timezone.now()
    article.save()
    _index(article)
    return article


def search(articles: QuerySet[KnowledgeArticle], text: str, *, limit: int = 10) -> list[KnowledgeArticle]:
    """The best matches of `text` among `articles` (already scoped), best first."""
    wanted = query_tokens(text)
    if not wanted:
        return []
    ranked = list(
        KnowledgeToken.objects.filter(token__in=wanted, article__in=articles)
        .values("article_id")
        .annotate(hits=Count("pk"), weight=Sum("weight"))
        .order_by("-hits", "-weight", "article_id")[:limit]
    )
    by_id = articles.in_bulk([r["article_id"] for r in ranked])
    return [by_id[r["article_id"]] for r in ranked if r["article_id"] in by_id]


def for_disposition(articles: QuerySet[KnowledgeArticle], disposition_id: int | None, *, limit: int = 3):
    """Top articles for a business type: tagged with it, the most recently updated first."""
    if not disposition_id:
        return []
    return list(articles.filter(disposition_id=disposition_id).order_by("-updated_at", "pk")[:limit])


def stale(articles: QuerySet[KnowledgeArticle], *, today: dt.date, department_ids=None) -> QuerySet:
    """Articles past their review date (for their owning departments when given)."""
    qs = articles.filter(review_on__lt=today)
    if department_ids is not None:
        qs = qs.filter(Q(owner_department_id__in=department_ids))
    return qs.order_by("review_on", "pk")
