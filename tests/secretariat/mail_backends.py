"""Email backends of the notification tests."""

import fcntl
import json
import os
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class FlakyBackend(LocmemBackend):
    """The test outbox, preceded by the failures queued in `FlakyBackend.failures`: each
    send (or connection, for those queued in `open_failures`) raises the next one."""

    failures: list[Exception] = []
    open_failures: list[Exception] = []

    def open(self):
        if FlakyBackend.open_failures:
            raise FlakyBackend.open_failures.pop(0)
        return super().open()

    def send_messages(self, messages):
        if FlakyBackend.failures:
            raise FlakyBackend.failures.pop(0)
        return super().send_messages(messages)


class RecordingBackend(BaseEmailBackend):
    """What a Celery worker process sends, one JSON line per message appended to a file, so the
    test process can count them. `stall_after`: once the file holds that many lines, the next
    send hangs (the worker is then killed in the middle of its batch)."""

    def __init__(self, *, path: str, stall_after: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.path = Path(path)
        self.stall_after = stall_after

    def _lines(self) -> int:
        if not self.path.exists():
            return 0
        with self.path.open() as log:
            return sum(1 for _line in log)

    def send_messages(self, messages):
        for message in messages:
            if self.stall_after is not None and self._lines() >= self.stall_after:
                time.sleep(3600)
            record = {
                "to": message.to,
                "subject": message.subject,
                "message_id": message.extra_headers["Message-ID"],
                "pid": os.getpid(),
            }
            with self.path.open("a") as log:
                fcntl.flock(log, fcntl.LOCK_EX)
                log.write(json.dumps(record) + "\n")
                log.flush()
                os.fsync(log.fileno())
        return len(messages)


def read_records(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
