"""Issue 11 §4: a batch request takes at most MAX_BATCH_ITEMS items (`api.limits.Batch`)."""

import pytest
from ninja import NinjaAPI
from ninja.testing import TestClient
from pydantic import ValidationError as PydanticValidationError

from opscenter.api.limits import Batch, check_batch, column
from opscenter.api.schema import Schema
from opscenter.core.bounds import MAX_BATCH_ITEMS
from opscenter.core.exceptions import ValidationError
from opscenter.pipeline.models import Customer


class ItemIn(Schema):
    name: column(Customer, "name")


class BatchIn(Schema):
    items: Batch[ItemIn]


def _client() -> TestClient:
    api = NinjaAPI(urls_namespace="test-batch-limits")
    calls: list[int] = []

    @api.post("/batch")
    def batch(request, payload: BatchIn):
        calls.append(len(payload.items))
        return {"count": len(payload.items)}

    client = TestClient(api)
    client.calls = calls
    return client


def test_a_batch_at_the_limit_is_accepted_with_its_items_validated():
    client = _client()
    response = client.post("/batch", json={"items": [{"name": "王阿姨"}] * MAX_BATCH_ITEMS})
    assert response.status_code == 200 and response.json() == {"count": MAX_BATCH_ITEMS}
    too_long_name = client.post("/batch", json={"items": [{"name": "王" * 51}]})
    assert too_long_name.status_code == 422


@pytest.mark.parametrize("count", [MAX_BATCH_ITEMS + 1, 0])
def test_a_batch_over_the_limit_or_empty_is_refused_naming_the_field_before_any_work(count):
    client = _client()
    response = client.post("/batch", json={"items": [{"name": "王阿姨"}] * count})
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert "items" in detail["loc"]
    assert ("最多提交" if count else "至少提交") in detail["msg"]
    assert client.calls == []


def test_the_count_is_checked_before_the_items_are():
    # A huge batch of invalid items reports only the count, not one error per item.
    with pytest.raises(PydanticValidationError) as exc:
        BatchIn.model_validate({"items": [{"name": None}] * (MAX_BATCH_ITEMS * 10)})
    errors = exc.value.errors()
    assert len(errors) == 1 and errors[0]["type"] == "batch_size"


def test_check_batch_applies_the_same_rule_to_plain_lists():
    check_batch(list(range(MAX_BATCH_ITEMS)))
    with pytest.raises(ValidationError, match="最多提交") as exc:
        check_batch(list(range(MAX_BATCH_ITEMS + 1)), field="ids")
    assert exc.value.field == "ids"
    with pytest.raises(ValidationError, match="至少提交"):
        check_batch([])
