# The fail-safe queue (settings.CC_FAILSAFE_QUEUE, "support" by default) exists: pbx sends an
# answered call there when nothing else can take it, and the configuration snapshot must name it.

from django.conf import settings
from django.db import migrations


def forwards(apps, schema_editor) -> None:
    queues = apps.get_model("people", "HumanQueue").objects.using(schema_editor.connection.alias)
    queues.get_or_create(name=settings.CC_FAILSAFE_QUEUE)


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0004_queue_settings_skills_phones'),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
