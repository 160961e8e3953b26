"""/healthz: what the load balancer and the container healthchecks ask before sending traffic."""

import socket
import time

import pytest
from celery import Celery
from django.conf import settings as django_settings

from coalition import views
from coalition.celery import app as celery_app

ALL_OK = {"status": "ok", "checks": {"database": "ok", "cache": "ok", "broker": "ok"}}


@pytest.fixture
def closed_port():
    """A local port that refuses connections: bound, never listening, held for the test."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.fixture
def dead_broker(monkeypatch, closed_port):
    """Points the view at a Celery app whose broker is down.

    A separate app rather than a change to the shared one's broker_url: the shared app caches its
    connection pool and other tests (and a real worker) use it.
    """
    app = Celery("healthz-dead-broker", set_as_current=False)
    app.conf.broker_url = f"redis://127.0.0.1:{closed_port}/0"
    monkeypatch.setattr(views, "celery_app", app)
    yield
    app.close()


@pytest.mark.django_db
def test_it_reports_every_check_ok_on_the_real_stack(client):
    # The broker check is only real when tasks are not run in process (REDIS_URL is set).
    assert django_settings.REDIS_URL
    assert not celery_app.conf.task_always_eager

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == ALL_OK


@pytest.mark.django_db
@pytest.mark.usefixtures("dead_broker")
def test_it_answers_503_when_the_broker_is_down(client):
    started = time.monotonic()
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "checks": {"database": "ok", "cache": "ok", "broker": "error"},
    }
    # One retry at most: a healthcheck that hangs is killed by its timeout and says nothing.
    assert time.monotonic() - started < 10


@pytest.mark.django_db
def test_it_answers_503_when_the_cache_is_down(client, settings, closed_port):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port}/0",
        }
    }

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "checks": {"database": "ok", "cache": "error", "broker": "ok"},
    }


@pytest.mark.django_db
def test_it_is_never_cached(client):
    response = client.get("/healthz")

    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-cache", "no-store", "must-revalidate"} <= cache_control
    assert "Expires" in response


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "head", "options"])
def test_it_answers_only_get(client, method):
    response = getattr(client, method)("/healthz")

    assert response.status_code == 405
    assert response["Allow"] == "GET"
