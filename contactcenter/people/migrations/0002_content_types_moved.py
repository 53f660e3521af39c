# The moved models' content types follow them (campaigns.agent -> people.agent, ...), so the
# permissions given to users and groups, and the admin's history, stay attached to them. On a
# fresh database there is nothing to move: content types are created after migrating.

from django.db import migrations

MOVED = ("agent", "humanqueue", "donotcall")


def _relabel(apps, schema_editor, old: str, new: str) -> None:
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(schema_editor.connection.alias)
    for model in MOVED:
        if not content_types.filter(app_label=new, model=model).exists():
            content_types.filter(app_label=old, model=model).update(app_label=new)


def forwards(apps, schema_editor) -> None:
    _relabel(apps, schema_editor, "campaigns", "people")


def backwards(apps, schema_editor) -> None:
    _relabel(apps, schema_editor, "people", "campaigns")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('people', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
