"""The solver's money rate is now revenue per signed deal (单笔贡献额), not per customer: overrides
set by hand under the old key keep their value under the new one (the figure a planner typed for
"revenue per unit of the chain")."""

from django.db import migrations


def forwards(apps, schema_editor):
    apps.get_model("targets", "RateOverride").objects.filter(rate="revenue_per_customer_fen").update(
        rate="revenue_per_deal_fen"
    )


def backwards(apps, schema_editor):
    apps.get_model("targets", "RateOverride").objects.filter(rate="revenue_per_deal_fen").update(
        rate="revenue_per_customer_fen"
    )


class Migration(migrations.Migration):
    dependencies = [("targets", "0004_rate_target_monthly")]
    operations = [migrations.RunPython(forwards, backwards)]
