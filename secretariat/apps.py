from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecretariatConfig(AppConfig):
    name = "secretariat"
    verbose_name = _("Secretariat")

    def ready(self) -> None:
        from coalition import emails
        from secretariat import services

        # Every email of every app goes through the delivery log (coalition.emails).
        emails.register_outbox(services.email_send_now)
