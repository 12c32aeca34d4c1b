"""Transaction indexes: no duplicate of txn_customer_idx's first column; optional references
indexed only where set (partial indexes), so a bulk import writes no NULL index entries."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0002_roles"),
        ("pipeline", "0008_clinic_credit_gift_and_clinical_followups"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="transaction",
            name="txn_center_month_idx",
        ),
        migrations.RemoveIndex(
            model_name="transaction",
            name="txn_doctor_month_idx",
        ),
        migrations.RemoveIndex(
            model_name="transaction",
            name="txn_consultant_month_idx",
        ),
        # The foreign keys lose their own single-column index (AlterField db_index=False), done as
        # DROP INDEX: Django's SQLite editor would rebuild the table once per field for it.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="transaction",
                    name="center",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="org.department",
                        verbose_name="科室/中心",
                    ),
                ),
                migrations.AlterField(
                    model_name="transaction",
                    name="channel_owner",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="org.staff",
                        verbose_name="渠道归属人",
                    ),
                ),
                migrations.AlterField(
                    model_name="transaction",
                    name="consultant",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="org.staff",
                        verbose_name="成交咨询师",
                    ),
                ),
                migrations.AlterField(
                    model_name="transaction",
                    name="customer",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="transactions",
                        to="pipeline.customer",
                        verbose_name="客户",
                    ),
                ),
                migrations.AlterField(
                    model_name="transaction",
                    name="deal",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="transactions",
                        to="pipeline.deal",
                        verbose_name="成交",
                    ),
                ),
                migrations.AlterField(
                    model_name="transaction",
                    name="dispute",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="transactions",
                        to="pipeline.dispute",
                        verbose_name="纠纷",
                    ),
                ),
                migrations.AlterField(
                    model_name="transaction",
                    name="doctor",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="org.staff",
                        verbose_name="医生",
                    ),
                ),
                migrations.AlterField(
                    model_name="transaction",
                    name="reverses",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reversals",
                        to="pipeline.transaction",
                        verbose_name="冲销对象",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "pipeline_transaction_center_id_128245e4"',
                    'CREATE INDEX "pipeline_transaction_center_id_128245e4" ON "pipeline_transaction" ("center_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "pipeline_transaction_channel_owner_id_9ec62072"',
                    'CREATE INDEX "pipeline_transaction_channel_owner_id_9ec62072" ON "pipeline_transaction" ("channel_owner_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "pipeline_transaction_consultant_id_d1f0c271"',
                    'CREATE INDEX "pipeline_transaction_consultant_id_d1f0c271" ON "pipeline_transaction" ("consultant_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "pipeline_transaction_customer_id_eff62f1c"',
                    'CREATE INDEX "pipeline_transaction_customer_id_eff62f1c" ON "pipeline_transaction" ("customer_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "pipeline_transaction_deal_id_c52850c2"',
                    'CREATE INDEX "pipeline_transaction_deal_id_c52850c2" ON "pipeline_transaction" ("deal_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "pipeline_transaction_dispute_id_323ce51e"',
                    'CREATE INDEX "pipeline_transaction_dispute_id_323ce51e" ON "pipeline_transaction" ("dispute_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "pipeline_transaction_doctor_id_a6ca91dc"',
                    'CREATE INDEX "pipeline_transaction_doctor_id_a6ca91dc" ON "pipeline_transaction" ("doctor_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "pipeline_transaction_reverses_id_0e34c005"',
                    'CREATE INDEX "pipeline_transaction_reverses_id_0e34c005" ON "pipeline_transaction" ("reverses_id")',
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="transaction",
            index=models.Index(
                condition=models.Q(("center__isnull", False)),
                fields=["center", "month"],
                name="txn_center_month_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="transaction",
            index=models.Index(
                condition=models.Q(("doctor__isnull", False)),
                fields=["doctor", "month"],
                name="txn_doctor_month_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="transaction",
            index=models.Index(
                condition=models.Q(("consultant__isnull", False)),
                fields=["consultant", "month"],
                name="txn_consultant_month_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="transaction",
            index=models.Index(
                condition=models.Q(("deal__isnull", False)), fields=["deal"], name="txn_deal_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="transaction",
            index=models.Index(
                condition=models.Q(("dispute__isnull", False)), fields=["dispute"], name="txn_dispute_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="transaction",
            index=models.Index(
                condition=models.Q(("reverses__isnull", False)), fields=["reverses"], name="txn_reverses_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="transaction",
            index=models.Index(
                condition=models.Q(("channel_owner__isnull", False)),
                fields=["channel_owner"],
                name="txn_channel_owner_idx",
            ),
        ),
    ]
