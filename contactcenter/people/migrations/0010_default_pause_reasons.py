"""A fresh installation offers these pause reasons; the admin edits, reorders or deactivates them."""

from django.db import migrations

DEFAULTS = ("Lunch", "Break", "Training", "Coaching", "Meeting")


def seed(apps, schema_editor):
    PauseReason = apps.get_model("people", "PauseReason")
    for order, label in enumerate(DEFAULTS, start=1):
        PauseReason.objects.get_or_create(label=label, defaults={"order": order * 10})


def unseed(apps, schema_editor):
    # Only the untouched defaults: a reason the admin changed is theirs.
    PauseReason = apps.get_model("people", "PauseReason")
    for order, label in enumerate(DEFAULTS, start=1):
        PauseReason.objects.filter(label=label, order=order * 10, active=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("people", "0009_pause_reasons"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
