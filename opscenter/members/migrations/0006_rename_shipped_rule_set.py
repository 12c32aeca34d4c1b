"""The shipped member-tier rule set was named after its source document ("seed 004"); name it for
what it is, as operations staff read it. Names are frozen here (not imported) so the migration
keeps meaning the same thing. Versions a user renamed are left alone."""

from django.db import migrations

OLD_NAME = "会员分级（seed 004）"
NEW_NAME = "医美会员分级（消费天数·消费金额·满意度）"


def rename(apps, schema_editor):
    TierRuleSet = apps.get_model("members", "TierRuleSet")
    TierRuleSet.objects.filter(name=OLD_NAME).update(name=NEW_NAME)


def unrename(apps, schema_editor):
    TierRuleSet = apps.get_model("members", "TierRuleSet")
    TierRuleSet.objects.filter(name=NEW_NAME).update(name=OLD_NAME)


class Migration(migrations.Migration):
    dependencies = [("members", "0005_tier_rows_fewer_indexes")]

    operations = [migrations.RunPython(rename, unrename)]
