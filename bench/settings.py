"""The project's settings for the API benchmark: the same stack, with throttle rates that no
benchmark reaches (the throttles still run, cache round trips included), and PostgreSQL's JIT
compiler off, as recommended for the project: the planner's cost estimate of a filtered page
(~120,000) passes `jit_above_cost` (100,000), and compiling the query then took 27 ms of the
page's 55 ms (bench/report.md)."""

from coalition.settings import *  # noqa: F403
from coalition.settings import DATABASES, REST_FRAMEWORK

DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"anon": "10000000/min", "user": "10000000/min"},
}
