from django.apps import AppConfig
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

VOCABULARIES_MIGRATION = ("coalition", "0002_vocabularies")


def _restore_vocabularies(sender, using, apps=None, **kwargs):
    """Puts the reference vocabularies back after `flush` emptied their tables (as contenttypes
    does for itself; test runs flush after each transactional test). Migration 0002 loads them
    on a new database."""
    from django.apps import apps as global_apps

    from coalition import vocabularies

    apps = apps or global_apps  # flush sends no migration state

    if VOCABULARIES_MIGRATION not in MigrationRecorder(connections[using]).applied_migrations():
        return
    if not apps.get_model("coalition", "Constituency").objects.using(using).exists():
        vocabularies.load(apps)


class CoalitionConfig(AppConfig):
    name = "coalition"
    verbose_name = _("Coalition")

    def ready(self):
        post_migrate.connect(_restore_vocabularies, sender=self)
