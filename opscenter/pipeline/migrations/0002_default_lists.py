"""Ship the default shared channels and the exit-reason list (editable afterwards)."""

from django.db import migrations

from opscenter.pipeline.constants import DEFAULT_CHANNELS, DEFAULT_EXIT_REASONS


def create_defaults(apps, schema_editor):
    Channel = apps.get_model("pipeline", "Channel")
    ExitReason = apps.get_model("pipeline", "ExitReason")
    for order, (name, kind) in enumerate(DEFAULT_CHANNELS, start=1):
        Channel.objects.get_or_create(site=None, name=name, defaults={"kind": kind, "sort_order": order * 10})
    for code, name, order in DEFAULT_EXIT_REASONS:
        ExitReason.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
