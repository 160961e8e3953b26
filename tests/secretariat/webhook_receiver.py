"""A webhook receiver on loopback for the tests: an HTTP server in a thread that checks each
delivery's signature with `webhooks.verify`, as a client's server would, records what came, and
answers with the status codes a test lines up (200 once they run out). Test modules import the
`receiver` fixture: `from tests.secretariat.webhook_receiver import receiver_fixture`."""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from secretariat import webhooks


@dataclass
class Received:
    body: dict
    raw: bytes
    valid: bool
    event: str
    delivery: str
    signature: str


@dataclass
class Receiver:
    url: str = ""
    secret: str = ""
    # Status codes to answer, in order; then 200.
    answers: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self) -> int:
        with self.lock:
            return self.answers.pop(0) if self.answers else 200

    @property
    def valid(self) -> list[Received]:
        return [item for item in self.received if item.valid]


def start_receiver(receiver: Receiver) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            signature = self.headers.get(webhooks.SIGNATURE_HEADER, "")
            valid = webhooks.verify(receiver.secret, signature, raw)
            receiver.received.append(
                Received(
                    body=json.loads(raw),
                    raw=raw,
                    valid=valid,
                    event=self.headers.get(webhooks.EVENT_HEADER, ""),
                    delivery=self.headers.get(webhooks.DELIVERY_HEADER, ""),
                    signature=signature,
                )
            )
            status = receiver.answer() if valid else 401
            payload = b'{"ok": true}' if status < 300 else b"receiver says no"
            self.send_response(status)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    receiver.url = f"http://127.0.0.1:{server.server_port}/coalition-hook"
    return server


@pytest.fixture(name="receiver")
def receiver_fixture(settings):
    """A receiver on 127.0.0.1, which the registry may call in these tests only."""
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    receiver = Receiver()
    server = start_receiver(receiver)
    yield receiver
    server.shutdown()
    server.server_close()
