"""The commitments app's domain errors (all `coalition.errors.ApplicationError`s)."""

from coalition.errors import ApplicationError


class CommitmentError(ApplicationError):
    """A commitment rule refused the action."""


class NotAllowed(CommitmentError):
    """The actor's role does not allow the action (the views answer 403)."""


class StaleEdit(CommitmentError):
    """Someone saved the commitment after this edit began: saving would overwrite their work."""

    def __init__(self, message: str, *, current: dict, lock_version: int, edited_by, edited_at):
        super().__init__(message)
        self.current = current
        self.lock_version = lock_version
        self.edited_by = edited_by
        self.edited_at = edited_at
