"""Ship the role groups. Their permissions are synced after migrate (org.roles.sync_role_permissions)."""

from django.db import migrations

ROLE_NAMES = ["管理层", "运营管理", "市场部", "客户管理部", "护理部", "客服中心", "财务/人事", "咨询师"]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLE_NAMES:
        Group.objects.get_or_create(name=name)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_NAMES).delete()


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_groups, remove_groups)]
