"""Each agent's SIP password gets a random salt of its own (issue 18).

Existing agents keep a blank salt, so the password their phones were given still registers
(an AddField with the callable default would give every existing row the same new salt and
log all their phones out); agents made from now on, and any agent rotated, get their own.
"""

from django.db import migrations, models

import contactcenter.people.models


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0007_prealert_reservations_auto_answer'),
    ]

    operations = [
        migrations.AddField(
            model_name='agent',
            name='sip_password_salt',
            field=models.CharField(blank=True, default='', editable=False, max_length=32),
        ),
        migrations.AlterField(
            model_name='agent',
            name='sip_password_salt',
            field=models.CharField(blank=True, default=contactcenter.people.models.new_sip_password_salt, editable=False, max_length=32),
        ),
    ]
