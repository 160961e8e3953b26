from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from coalition.celery import app as celery_app


def home(request):
    return render(request, "home.html")


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def _cache_ok() -> bool:
    try:
        cache.set("healthz", "ok", 5)
        return cache.get("healthz") == "ok"
    except Exception:
        return False


def _broker_ok() -> bool:
    if celery_app.conf.task_always_eager:
        return True
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


@never_cache
@require_GET
def healthz(request):
    checks = {"database": _database_ok(), "cache": _cache_ok(), "broker": _broker_ok()}
    healthy = all(checks.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "error",
            "checks": {k: "ok" if v else "error" for k, v in checks.items()},
        },
        status=200 if healthy else 503,
    )
