from django.db import migrations, models
from django.db.models import F


def mark_existing_sent(apps, schema_editor):
    # Runs created before this field existed were sent when they were created.
    WorkflowRun = apps.get_model("automation", "WorkflowRun")
    WorkflowRun.objects.filter(dispatched_at__isnull=True).update(dispatched_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("automation", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="workflowrun",
            name="dispatched_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(mark_existing_sent, migrations.RunPython.noop),
    ]
