from django.db import migrations

# A deliberation catalogue of ten categories, after Baitao's; staff can change it.
CATEGORIES = ["发展规划", "重大项目", "民生实事", "预算决算", "部门评议", "城市建设管理", "生态环境", "基层治理",
              "公共服务", "其他事项"]


def add(apps, schema_editor):
    OpinionCategory = apps.get_model("deputies", "OpinionCategory")
    for i, name in enumerate(CATEGORIES):
        OpinionCategory.objects.get_or_create(name=name, defaults={"order": i})


class Migration(migrations.Migration):
    dependencies = [("deputies", "0002_liaison_and_opinions")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
