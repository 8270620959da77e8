from django.db import migrations, models

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def give_references(apps, schema_editor):
    import secrets

    Project = apps.get_model("projects", "Project")
    taken = set()
    for project in Project.objects.filter(reference__isnull=True).only("pk"):
        while True:
            ref = "MS" + "".join(secrets.choice(ALPHABET) for _ in range(8))
            if ref not in taken:
                break
        taken.add(ref)
        Project.objects.filter(pk=project.pk).update(reference=ref)


class Migration(migrations.Migration):

    dependencies = [
        ("projects", "0006_tallyresult_scrutineers"),
    ]

    operations = [
        migrations.AddField(
            model_name="project",
            name="reference",
            field=models.CharField(blank=True, editable=False, max_length=12, null=True, unique=True,
                                   verbose_name="reference"),
        ),
        migrations.RunPython(give_references, migrations.RunPython.noop),
    ]
