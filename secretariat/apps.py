from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecretariatConfig(AppConfig):
    name = "secretariat"
    verbose_name = _("Secretariat")

    def ready(self) -> None:
        from coalition import emails, events
        from secretariat import services, webhook_services

        # Every email of every app goes through the delivery log (coalition.emails).
        emails.register_outbox(services.email_send_now)
        # Public events of every app reach the webhooks subscribed to them (coalition.events).
        events.register_emitter(webhook_services.webhook_emit)
