"""Work-order attachments: type and size checked, served only to people who may see the order."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from opscenter.commitments import services
from opscenter.commitments.models import WorkOrderAttachment
from opscenter.core.exceptions import ValidationError
from opscenter.core.testing import make_department

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _order(personas):
    return services.work_order_open(
        department_id=make_department(personas.site_a, "nursing").pk, title="漏水"
    )


def test_upload_and_download_by_the_site_only(client, personas):
    wo = _order(personas)
    client.force_login(personas.ops_a)
    client.post(
        f"/commitments/work-orders/{wo.pk}/attach/",
        {"file": SimpleUploadedFile("现场照片.png", b"\x89PNG....", content_type="image/png")},
    )
    attachment = WorkOrderAttachment.objects.get()
    assert attachment.name == "现场照片.png"
    url = f"/commitments/work-orders/{wo.pk}/attachments/{attachment.pk}/"
    assert b"".join(client.get(url).streaming_content) == b"\x89PNG...."
    client.force_login(personas.ops_b)
    assert client.get(url).status_code == 404


def test_wrong_type_and_oversized_files_are_refused(personas, settings):
    wo = _order(personas)
    with pytest.raises(ValidationError, match="类型不支持"):
        services.work_order_attach(
            actor=personas.ops_a, work_order_id=wo.pk, upload=SimpleUploadedFile("run.exe", b"MZ")
        )
    big = SimpleUploadedFile("big.pdf", b"0" * (10 * 1024 * 1024 + 1))
    with pytest.raises(ValidationError, match="超过 10 MB"):
        services.work_order_attach(actor=personas.ops_a, work_order_id=wo.pk, upload=big)
    assert not WorkOrderAttachment.objects.exists()
