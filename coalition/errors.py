class ApplicationError(Exception):
    """A domain rule refused an action; the message is shown to the person who asked, and the
    API's error names the field and `code`."""

    code = "refused"

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
