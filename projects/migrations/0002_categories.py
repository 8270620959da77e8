from django.db import migrations

# The categories seen in Chongqing's voted projects (DOMAIN.md); staff can add more.
CATEGORIES = ["交通出行", "城镇建设管理", "乡村建设", "生态环境", "养老服务", "教育", "医疗卫生",
              "老旧小区改造", "停车设施", "路灯照明", "供水设施"]


def add(apps, schema_editor):
    Category = apps.get_model("projects", "Category")
    for i, name in enumerate(CATEGORIES):
        Category.objects.get_or_create(name=name, defaults={"order": i})


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
