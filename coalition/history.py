"""Who and why, for the audit history that django-simple-history writes on each save."""

from coalition.models import User


def record_change(instance, *, actor: User | None, reason: str = "") -> None:
    """Call before `save()` or `delete()`: the history row keeps the actor and the reason."""
    instance._history_user = actor
    instance._change_reason = reason
