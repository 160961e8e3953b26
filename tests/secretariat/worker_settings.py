"""Settings of the Celery worker that the integration tests start: the project's settings, with
emails recorded in a file the test reads and a dedicated queue. A short visibility timeout makes
Redis hand a killed worker's unacknowledged task to the next worker within seconds instead of an
hour (which is why the worker uses a Redis database of its own: the timeout applies to every
message of the database)."""

import os

from coalition.settings import *  # noqa: F403

MAILERS = {
    "default": {
        "BACKEND": "tests.secretariat.mail_backends.RecordingBackend",
        "OPTIONS": {
            "path": os.environ["TEST_MAIL_LOG"],
            "stall_after": int(os.environ["TEST_MAIL_STALL_AFTER"])
            if os.environ.get("TEST_MAIL_STALL_AFTER")
            else None,
        },
    }
}
CELERY_TASK_DEFAULT_QUEUE = os.environ["TEST_CELERY_QUEUE"]
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("TEST_VISIBILITY_TIMEOUT", "10")),
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
