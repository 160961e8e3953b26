"""Public events other systems may be told of (webhooks): "a partner was approved", "a commitment
was published"...

The apps that make these events happen sit below the `secretariat` app, which keeps the
webhooks, in the import chain: they call `emit` here, and the `secretariat` app registers the
function that records the deliveries when Django starts (`register_emitter`), as it does for
emails (coalition.emails). `emit` runs in the caller's transaction: a rolled-back change tells
nobody.
"""

from collections.abc import Callable

from django.db import models

Emitter = Callable[[str, models.Model], None]
_emitter: Emitter | None = None


def register_emitter(emitter: Emitter) -> None:
    """Called once by the app that keeps the webhooks, from its AppConfig.ready()."""
    global _emitter
    _emitter = emitter


def emit(event: str, obj: models.Model) -> None:
    """Tells the webhooks subscribed to `event` about `obj` (after the commit). Without the
    webhooks app installed, nobody is listening."""
    if _emitter is not None:
        _emitter(event, obj)
