# Roles arrive (contactcenter/people/roles.py): the console is for the agent role, so every user
# already linked to an agent gets it and keeps their console. Calls offered before this
# migration were linked to their attempt on the browser's word; they keep their link.

from django.db import migrations, models
from django.db.models import F


def forwards(apps, schema_editor) -> None:
    db = schema_editor.connection.alias
    agent_group, _ = apps.get_model("auth", "Group").objects.using(db).get_or_create(name="agent")
    for profile in apps.get_model("console", "AgentProfile").objects.using(db).select_related("user"):
        if not profile.user.is_superuser and not profile.user.groups.filter(name__in=["admin", "supervisor"]).exists():
            profile.user.groups.add(agent_group)
    calls = apps.get_model("console", "ConsoleCall").objects.using(db)
    calls.filter(attempt__isnull=False).update(confirmed_at=F("offered_at"))


class Migration(migrations.Migration):

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        ('console', '0002_agent_moved_to_people'),
    ]

    operations = [
        migrations.AddField(
            model_name='consolecall',
            name='confirmed_at',
            field=models.DateTimeField(blank=True, help_text='When the call was confirmed as offered to this agent.', null=True),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
