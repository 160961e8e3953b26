"""Loads the reference vocabularies of `coalition/vocabularies.py`.

Rows are written with update_or_create, keyed by their stable code, so that a later data
migration can load an edited vocabularies.py again over this one without duplicating anything.
"""

from django.db import migrations

from coalition import vocabularies


def load_vocabularies(apps, schema_editor):
    vocabularies.load(apps)


def remove_vocabularies(apps, schema_editor):
    for model_name, terms in vocabularies.TERM_VOCABULARIES:
        model = apps.get_model("coalition", model_name)
        model.objects.filter(code__in=[term.code for term in terms]).delete()

    goal_model = apps.get_model("coalition", "SustainableDevelopmentGoal")
    goal_model.objects.filter(
        number__in=[goal.number for goal in vocabularies.SUSTAINABLE_DEVELOPMENT_GOALS]
    ).delete()

    # A region protects its children: the smallest areas go first.
    region_model = apps.get_model("coalition", "Region")
    codes = [row.m49 for row in vocabularies.m49_rows()]
    for kind in reversed(vocabularies.M49_KINDS):
        region_model.objects.filter(m49__in=codes, kind=kind).delete()


class Migration(migrations.Migration):
    dependencies = [("coalition", "0001_initial")]

    operations = [migrations.RunPython(load_vocabularies, remove_vocabularies)]
