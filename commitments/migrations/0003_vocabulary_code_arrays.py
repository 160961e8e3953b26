# The codes of a commitment's vocabulary relations and countries, kept on its row: read by the
# API's lists without joins, and filtered through GIN indexes (PostgreSQL; the demo's SQLite
# database filters through the relations). Filled here for the rows that exist.
from django.db import migrations, models

import commitments.models
import commitments.search

# relation -> (array, through table, its vocabulary column, vocabulary table, key column)
RELATIONS = {
    "thematic_areas": (
        "theme_codes",
        "commitments_commitment_thematic_areas",
        "thematicarea_id",
        "coalition_thematicarea",
        "code",
    ),
    "priorities": (
        "priority_codes",
        "commitments_commitment_priorities",
        "priority_id",
        "coalition_priority",
        "code",
    ),
    "sdgs": (
        "sdg_numbers",
        "commitments_commitment_sdgs",
        "sustainabledevelopmentgoal_id",
        "coalition_sustainabledevelopmentgoal",
        "number",
    ),
    "regions": (
        "region_codes",
        "commitments_commitment_regions",
        "region_id",
        "coalition_region",
        "m49",
    ),
}
TABLE = "commitments_commitment"


def _select(through, column, vocabulary, key):
    pk = "number" if key == "number" else "id"
    return (
        f"SELECT v.{key} AS code FROM {through} x JOIN {vocabulary} v ON v.{pk} = x.{column} "
        f"WHERE x.commitment_id = {TABLE}.id ORDER BY 1"
    )


def fill(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    assignments = []
    for array, *source in RELATIONS.values():
        select = _select(*source)
        if postgresql:
            assignments.append(f"{array} = ARRAY({select})")
        else:
            assignments.append(f"{array} = (SELECT json_group_array(code) FROM ({select}))")
    if postgresql:
        countries = "COALESCE(string_to_array(NULLIF(countries, ''), ','), '{}')"
    else:
        countries = (
            "(CASE WHEN countries = '' THEN '[]' "
            "ELSE '[\"' || replace(countries, ',', '\",\"') || '\"]' END)"
        )
    assignments.append(f"country_codes = {countries}")
    schema_editor.execute(f"UPDATE {TABLE} SET {', '.join(assignments)}")


class Migration(migrations.Migration):
    dependencies = [("commitments", "0002_search_vector_statistics")]

    operations = [
        migrations.AddField(
            model_name="commitment",
            name="country_codes",
            field=commitments.models.CodeArrayField(
                base_field=models.CharField(max_length=2), default=list, editable=False
            ),
        ),
        migrations.AddField(
            model_name="commitment",
            name="priority_codes",
            field=commitments.models.CodeArrayField(
                base_field=models.CharField(max_length=64), default=list, editable=False
            ),
        ),
        migrations.AddField(
            model_name="commitment",
            name="region_codes",
            field=commitments.models.CodeArrayField(
                base_field=models.CharField(max_length=3), default=list, editable=False
            ),
        ),
        migrations.AddField(
            model_name="commitment",
            name="sdg_numbers",
            field=commitments.models.CodeArrayField(
                base_field=models.PositiveSmallIntegerField(), default=list, editable=False
            ),
        ),
        migrations.AddField(
            model_name="commitment",
            name="theme_codes",
            field=commitments.models.CodeArrayField(
                base_field=models.CharField(max_length=64), default=list, editable=False
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        # The API's country filter: `country_codes @> ARRAY[...] OR region_codes && ARRAY[...]`
        # (its other vocabulary filters use the filter keys of 0004).
        *(
            commitments.search.PostgreSQLOnly(
                sql=f"CREATE INDEX commitment_{array}_gin ON {TABLE} USING gin ({array});",
                reverse_sql=f"DROP INDEX IF EXISTS commitment_{array}_gin;",
            )
            for array in ("region_codes", "country_codes")
        ),
    ]
