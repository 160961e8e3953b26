from django.core.management.base import BaseCommand
from django.db import transaction

from commitments import demo as commitments_demo
from forum import demo as forum_demo
from partners import demo as partners_demo
from secretariat import demo as secretariat_demo


class Command(BaseCommand):
    help = "Loads the demo data (fictional partners and users). Safe to run again."

    @transaction.atomic
    def handle(self, *args, **options):
        cast = partners_demo.seed()
        commitments_demo.seed(secretariat=cast["secretariat"])
        forum_demo.seed()
        secretariat_demo.seed()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready: {len(cast['organizations'])} organizations. Log in as "
                f"{cast['secretariat'].email} (Secretariat) or {cast['partner'].email} (partner), "
                f"password {partners_demo.DEMO_PASSWORD!r}."
            )
        )
