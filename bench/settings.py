"""The project's settings for the API benchmark: the same stack, with throttle rates that no
benchmark reaches (the throttles still run, cache round trips included)."""

from coalition.settings import *  # noqa: F403
from coalition.settings import REST_FRAMEWORK

REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"anon": "10000000/min", "user": "10000000/min"},
}
