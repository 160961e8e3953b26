from django.db import migrations, models
from django.db.models import Exists, OuterRef, Q


def mark_editions_published_before(apps, schema_editor):
    """An edition is marked if it is published now or its history shows it published once (the
    clients that synced it then must learn that it left)."""
    ForumEdition = apps.get_model("forum", "ForumEdition")
    HistoricalForumEdition = apps.get_model("forum", "HistoricalForumEdition")
    published_once = HistoricalForumEdition.objects.filter(id=OuterRef("pk"), is_published=True)
    ForumEdition.objects.filter(Q(is_published=True) | Exists(published_once)).update(
        ever_published=True
    )


class Migration(migrations.Migration):
    dependencies = [
        ("forum", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="forumedition",
            name="ever_published",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text=(
                    "Once public, API clients that copied it are told when it leaves public view."
                ),
                verbose_name="published at least once",
            ),
        ),
        migrations.AddField(
            model_name="historicalforumedition",
            name="ever_published",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text=(
                    "Once public, API clients that copied it are told when it leaves public view."
                ),
                verbose_name="published at least once",
            ),
        ),
        migrations.RunPython(mark_editions_published_before, migrations.RunPython.noop),
    ]
