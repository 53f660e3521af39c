"""Campaigns created with the old default retry rules carry ``"lost"``, an outcome pbx never
reports; retry rules now accept call outcomes only, so it is dropped from stored campaigns."""

from django.db import migrations

NOT_AN_OUTCOME = "lost"


def drop_lost(apps, schema_editor) -> None:
    Campaign = apps.get_model("campaigns", "Campaign")
    for campaign in Campaign.objects.all().only("pk", "retry_minutes"):
        rules = campaign.retry_minutes
        if isinstance(rules, dict) and NOT_AN_OUTCOME in rules:
            del rules[NOT_AN_OUTCOME]
            Campaign.objects.filter(pk=campaign.pk).update(retry_minutes=rules)


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0002_people_moved_out")]
    operations = [migrations.RunPython(drop_lost, migrations.RunPython.noop)]
