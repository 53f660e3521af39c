# The trunk the stack hard-wired until Django owned trunks: PJSIP endpoint "trunk" at
# 127.0.0.1:5070. Campaigns naming "trunk" stay valid; an admin edits it to their carrier.

from django.db import migrations

from asterisk_config.dialling import TRUNK_ENDPOINT


def forwards(apps, schema_editor) -> None:
    trunks = apps.get_model("telephony", "Trunk").objects.using(schema_editor.connection.alias)
    trunks.get_or_create(name=TRUNK_ENDPOINT, defaults={"host": "127.0.0.1", "port": 5070})


class Migration(migrations.Migration):

    dependencies = [
        ('telephony', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
