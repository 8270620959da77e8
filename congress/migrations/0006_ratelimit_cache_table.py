"""The table of the rate-limit counters (congress.cache.SharedCounterCache), used when REDIS_URL is unset.

Made here rather than by a separate `createcachetable` step so that every database, the tests' included, has it.
"""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "congress_ratelimit_cache"


def create(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [
        ("congress", "0005_constraint_messages"),
    ]

    operations = [migrations.RunPython(create, drop)]
