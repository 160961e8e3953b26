# The keys the API's vocabulary filters look up in one GIN index (commitments.models,
# filter_keys_of): a three-filter page read ~130 index entries where a bitmap per array built
# ~50,000. Filled here for the rows that exist, from the arrays of 0003.
from django.db import migrations, models

import commitments.models
import commitments.search

ARRAYS = ("theme_codes", "priority_codes", "sdg_numbers", "region_codes", "country_codes")


def fill(apps, schema_editor):
    Commitment = apps.get_model("commitments", "Commitment")
    for row in Commitment.objects.values("pk", *ARRAYS).iterator():
        keys = commitments.models.filter_keys_of(**{array: row[array] for array in ARRAYS})
        Commitment.objects.filter(pk=row["pk"]).update(filter_keys=keys)


class Migration(migrations.Migration):
    dependencies = [("commitments", "0003_vocabulary_code_arrays")]

    operations = [
        migrations.AddField(
            model_name="commitment",
            name="filter_keys",
            field=commitments.models.CodeArrayField(
                base_field=models.CharField(max_length=80), default=list, editable=False
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        commitments.search.PostgreSQLOnly(
            sql=(
                "CREATE INDEX commitment_filter_keys_gin ON commitments_commitment "
                "USING gin (filter_keys);"
            ),
            reverse_sql="DROP INDEX IF EXISTS commitment_filter_keys_gin;",
        ),
    ]
