# Agent moved to the people app with its table (people.0001_initial): the console's foreign
# keys now name people.Agent, in Django's state only; the columns and constraints already
# point to that table.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('console', '0001_initial'),
        ('people', '0001_initial'),
    ]

    state_operations = [
        migrations.AlterField(
            model_name='agentprofile',
            name='agent',
            field=models.OneToOneField(help_text="Its name is the agent's PJSIP endpoint (a webrtc=yes one).", on_delete=django.db.models.deletion.CASCADE, related_name='profile', to='people.agent'),
        ),
        migrations.AlterField(
            model_name='consolecall',
            name='agent',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='console_calls', to='people.agent'),
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations, database_operations=[]),
    ]
