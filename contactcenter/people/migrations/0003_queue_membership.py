# Agent.queues gets an explicit through model (QueueMembership) on the table Django made for it
# (campaigns_agent_queues: id, agent_id, humanqueue_id, unique together), so the memberships
# already stored are kept: this migration changes Django's state only. 0004 adds the penalty.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0002_content_types_moved'),
    ]

    state_operations = [
        migrations.CreateModel(
            name='QueueMembership',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('agent', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='people.agent')),
                ('queue', models.ForeignKey(db_column='humanqueue_id', on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='people.humanqueue')),
            ],
            options={
                'db_table': 'campaigns_agent_queues',
                'unique_together': {('agent', 'queue')},
            },
        ),
        migrations.AlterField(
            model_name='agent',
            name='queues',
            field=models.ManyToManyField(blank=True, related_name='agents', through='people.QueueMembership', to='people.humanqueue'),
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations, database_operations=[]),
    ]
