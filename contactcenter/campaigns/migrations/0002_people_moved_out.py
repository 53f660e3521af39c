# Agents, human queues and the do-not-call list moved to the people app with their tables
# (people.0001_initial): campaigns forgets them in Django's state only; no table changes.
# Runs after the console's foreign keys to Agent point to people.Agent (console.0002).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0001_initial'),
        ('people', '0001_initial'),
        ('console', '0002_agent_moved_to_people'),
    ]

    state_operations = [
        migrations.AlterField(
            model_name='campaign',
            name='escalation_queue',
            field=models.ForeignKey(help_text="Where escalations go (sent to pbx as the call's queue).", on_delete=django.db.models.deletion.PROTECT, related_name='campaigns', to='people.humanqueue'),
        ),
        migrations.AlterField(
            model_name='campaign',
            name='overflow_queues',
            field=models.ManyToManyField(blank=True, help_text='Other queues the policy may send callers to; their free agents count for pacing too.', related_name='overflow_campaigns', to='people.humanqueue'),
        ),
        migrations.DeleteModel(
            name='Agent',
        ),
        migrations.DeleteModel(
            name='DoNotCall',
        ),
        migrations.DeleteModel(
            name='HumanQueue',
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations, database_operations=[]),
    ]
