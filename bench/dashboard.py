"""Benchmark: the public dashboard and `/api/v1/stats/` at 100,000 commitments.

    DATABASE_URL=postgres://.../coalition_bench_dashboard REDIS_URL=redis://... \
        python bench/dashboard.py

In a PostgreSQL database of its own (created if missing; loaded by `manage.py seed_scale` unless
it already holds the scale data), it renders through the whole Django stack:

- cold: the figures computed for every request (the cache of `secretariat.stats` switched off),
  which is what the first visitor after a change waits for;
- warm: the figures from the cache (what every other visitor gets for a minute);

for the dashboard without filters, with two filters, and the stats endpoint, and prints the
median and p95 latency and the number of queries. The target (issue 7): under 200 ms.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("SECRET_KEY", "benchmark")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("DEBUG", "false")

if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("Set DATABASE_URL to a PostgreSQL database for the benchmark (it is filled).")

from bench.run import ensure_database  # noqa: E402  (sets Django up too)

ensure_database(os.environ["DATABASE_URL"])

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from commitments.models import Commitment  # noqa: E402
from secretariat import stats  # noqa: E402
from secretariat.management.commands.seed_scale import COMMITMENTS  # noqa: E402

PAGES = {
    "dashboard": "/dashboard/",
    "dashboard, filtered": "/dashboard/?thematic_area=employment&region=002",
    "api stats": "/api/v1/stats/",
}


def measure(client: Client, url: str, runs: int, *, cold: bool) -> tuple[list[float], int]:
    stats.CACHE_SECONDS = 0 if cold else 60
    times, queries = [], 0
    client.get(url)  # warms connections, templates and the world map's paths
    for _ in range(runs):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured)
    return times, queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if args.reseed or Commitment.objects.count() != COMMITMENTS:
        call_command("seed_scale", reset=True, verbosity=1)
    cache.clear()
    client = Client()
    print(f"{'page':<22} {'mode':<5} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for name, url in PAGES.items():
        for cold in (True, False):
            times, queries = measure(client, url, args.runs, cold=cold)
            p95 = sorted(times)[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            mode = "cold" if cold else "warm"
            print(
                f"{name:<22} {mode:<5} {statistics.median(times):>10.1f} {p95:>8.1f} {queries:>8}"
            )


if __name__ == "__main__":
    main()
