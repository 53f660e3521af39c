# The people models moved here from the campaigns app with their tables (Meta.db_table):
# this migration creates them in Django's state only; the tables already exist, made by
# campaigns.0001_initial. campaigns.0002_people_moved_out then removes them from campaigns' state.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('campaigns', '0001_initial'),
    ]

    state_operations = [
        migrations.CreateModel(
            name='HumanQueue',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.SlugField(help_text='The Asterisk queue name.', max_length=80, unique=True)),
                ('description', models.CharField(blank=True, max_length=200)),
            ],
            options={
                'db_table': 'campaigns_humanqueue',
            },
        ),
        migrations.CreateModel(
            name='DoNotCall',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('phone', models.CharField(max_length=20, unique=True)),
                ('source', models.CharField(choices=[('admin', 'Admin'), ('api', 'Api'), ('import', 'Import'), ('opt_out', 'Opt Out')], default='admin', max_length=16)),
                ('reason', models.CharField(blank=True, max_length=200)),
                ('call_id', models.CharField(blank=True, max_length=64)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('campaign', models.ForeignKey(blank=True, help_text='Where it came from (it applies to all campaigns).', null=True, on_delete=django.db.models.deletion.SET_NULL, to='campaigns.campaign')),
            ],
            options={
                'verbose_name': 'do-not-call entry',
                'verbose_name_plural': 'do-not-call list',
                'db_table': 'campaigns_donotcall',
            },
        ),
        migrations.CreateModel(
            name='Agent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.SlugField(max_length=80, unique=True)),
                ('display_name', models.CharField(blank=True, max_length=120)),
                ('state', models.CharField(choices=[('offline', 'Offline'), ('available', 'Available'), ('ringing', 'Ringing'), ('on_call', 'On Call'), ('wrap_up', 'Wrap Up'), ('paused', 'Paused')], default='offline', max_length=16)),
                ('state_changed_at', models.DateTimeField(blank=True, null=True)),
                ('queues', models.ManyToManyField(blank=True, related_name='agents', to='people.humanqueue')),
            ],
            options={
                'db_table': 'campaigns_agent',
            },
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations, database_operations=[]),
    ]
