"""The shared pieces of the REST API at /api/v1/ (DESIGN.md, "REST API contract").

Every resource's views are built from the classes here, so that all of them answer alike:

- rendering: JSON through orjson, CSV on list endpoints (`?format=csv`), errors always JSON;
- errors: `{"code", "message", "fields"}` with a stable code per error and per field;
- authentication by token (`Authorization: Token <key>`, see coalition.tokens), throttles that
  answer 429 with `Retry-After`;
- lists: a keyset cursor over (ordering key, id) bounded by the table's last change when the
  first page was read, so paging never skips nor repeats a record while records change;
  `updated_since` for incremental sync;
- conditional requests: `ETag` and `Last-Modified`, 304 when unchanged;
- the OpenAPI schema (every error and header described) and its Swagger UI, served locally.

Lists are built from `.values()` rows in one query (related codes and objects gathered as JSON
by `RelatedJsonList`, embedded as they are; a large representation's members written by the
database with `JsonMembers`) and rendered by orjson: on 100k commitments a ModelSerializer with
prefetching is ~9x one hand-written SQL query (NOTES-STACK.md, bench/report.md). The output
serializers of each app still describe every field for the schema; a test checks that every
response matches it exactly.
"""

import base64
import binascii
import copy
import csv
import hashlib
import io
import time
import weakref
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import django_filters
import orjson
from django import forms
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import (
    EmptyResultSet,
    FullResultSet,
    ImproperlyConfigured,
)
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connections, models
from django.db.backends.postgresql import base as postgresql_base
from django.db.models import F, Max, OuterRef, Subquery
from django.db.models.functions import Cast
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.template import engines
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_datetime
from django.utils.encoding import force_str
from django.utils.functional import Promise, cached_property
from django.utils.http import http_date, parse_etags, parse_http_date_safe, quote_etag
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django_countries import countries
from django_countries.fields import Country
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import _load_enum_name_overrides
from drf_spectacular.settings import patched_settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
    extend_schema_view,
)
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions, serializers
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.renderers import BaseRenderer, TemplateHTMLRenderer
from rest_framework.response import Response
from rest_framework.routers import APIRootView, DefaultRouter
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.viewsets import GenericViewSet

from coalition import vocabularies
from coalition.errors import ApplicationError
from coalition.models import (
    Constituency,
    Priority,
    Region,
    SustainableDevelopmentGoal,
    ThematicArea,
)
from coalition.tokens import api_token_authenticate

# A sync pass asks for records changed up to the time of its first page. The next pass starts
# this long before that time, so a record stamped just before it but committed just after (a
# slow transaction, a web server whose clock runs behind) is not missed; it may come twice,
# once in each pass, which a client that upserts by id does not notice.
SYNC_OVERLAP = timedelta(seconds=getattr(settings, "API_SYNC_OVERLAP_SECONDS", 60))
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# `Last-Modified` has whole seconds: it is sent only once its second is over (and a margin for
# transactions still committing), so that no later change can share it.
LAST_MODIFIED_SETTLE = timedelta(seconds=2)
DEFAULT_PAGE_SIZE = 100
MAX_ID = 2**63 - 1  # ids are 64-bit: a larger one is refused, not sent to the database
MAX_PAGE_SIZE = 1000

API_DESCRIPTION = """
The public data of the Coalition Registry of the Global Coalition for Social Justice: partners,
their commitments and the progress they report, and the vocabularies they use.

## Reading

Anonymous clients read everything that is public (approved partners, published commitments);
nothing else is ever shown to them. Lists are JSON by default; add `?format=csv` for CSV.

## Writing

Send a personal token, created on your account page (*My account → API tokens*), in the
`Authorization` header: `Authorization: Token crk_…`. A token acts as its owner: for the
organizations where they are a member, with their role there. Secretariat tokens may also
publish commitments and return them with a reason.

## Pages

Lists are paged with a cursor: follow `next` (also sent as a `Link` header) until it is `null`.
`page_size` is 100 by default, at most 1000. A pass through the pages sees the records as they
were when its first page was read: a record created or changed while you page is not repeated
nor skipped; it comes in your next sync. `ordering` chooses the order (`updated_at` by default);
there is no total count.

## Incremental sync

Keep a copy of a resource up to date with one loop:

1. First run: `GET /api/v1/commitments/` and follow `next` until it is `null`; store every
   record by `id`. Keep the `next_updated_since` value of the last page.
2. Every later run: `GET /api/v1/commitments/?updated_since=<the value you kept>` and follow
   `next`. A record with `"public": true` is new or changed: store it (replace by `id`). A record
   with `"public": false` has left public view (withdrawn, suspended...): delete your copy; it
   carries only `id`, `public`, `status` and `updated_at`. Keep the new `next_updated_since`.

```python
import requests

def sync(state, session=requests.Session()):
    url = "https://registry.example.org/api/v1/commitments/"
    params = {"updated_since": state["since"]} if state.get("since") else {}
    while url:
        page = session.get(url, params=params, timeout=30).json()
        for record in page["results"]:
            if record["public"]:
                state["records"][record["id"]] = record
            else:
                state["records"].pop(record["id"], None)
        url, params = page["next"], None
        state["since"] = page["next_updated_since"]
```

`next_updated_since` is a little earlier than the time of the first page, so consecutive runs
overlap by a minute: a record may come in two runs, never in none. A record that left public
view is reported only to clients that saw it public: one that never was public does not appear.

## Webhooks

Rather than polling, register a webhook (`POST /api/v1/webhooks/`, or *My account → Webhooks*)
with an https address and the events you want: `partner.approved`, `commitment.published`,
`commitment.updated` (published edits), `commitment.withdrawn`, `progress.posted`. The registry
then POSTs each event as JSON: `{"id": "<delivery id>", "event": "...", "created_at": "...",
"data": {...}}`, where `data` is the record as `GET` shows it to an anonymous client. Answer
with any 2xx status within 10 seconds; otherwise the delivery is tried again after 1 minute,
5 minutes, 30 minutes, 2 hours and 8 hours, with the same body and `id` (ignore an `id` you
already processed). A webhook whose deliveries fail 10 times in a row is disabled and its owner
emailed. Addresses on private networks are refused.

Each delivery carries `X-Coalition-Event`, `X-Coalition-Delivery` (the `id`) and
`X-Coalition-Signature: t=<unix time>,v1=<hex>`: an HMAC-SHA256, with the webhook's secret, of
the time, a dot and the raw body. Check it before trusting the body, and refuse an old time:

```python
import hashlib, hmac, time

def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    fields = dict(part.split("=", 1) for part in header.split(","))
    signed = f"{fields['t']}.".encode() + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    recent = abs(time.time() - int(fields["t"])) <= tolerance
    return recent and hmac.compare_digest(expected, fields["v1"])
```

## Errors

Errors are JSON: `{"code": "...", "message": "...", "fields": {"<field>": [{"code", "message"}]}}`.
`code` is stable (`invalid`, `parse_error`, `refused`, `not_authenticated`,
`authentication_failed`, `permission_denied`, `not_found`, `method_not_allowed`,
`not_acceptable`, `unsupported_media_type`, `throttled`); messages follow `Accept-Language`.
A throttled client gets 429 with `Retry-After` (seconds).

## Caching

Responses carry an `ETag` and, when known, `Last-Modified`; send them back in `If-None-Match` or
`If-Modified-Since` to get `304 Not Modified` when nothing changed.
"""


# Rendering ---------------------------------------------------------------------------------------


def _json_default(value: Any) -> Any:
    if isinstance(value, Promise):
        return force_str(value)
    if isinstance(value, Country):
        return value.code or None
    return str(value)  # Decimal, and anything with a textual form


def dumps(data: Any) -> bytes:
    return orjson.dumps(
        data, default=_json_default, option=orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS
    )


def iso(value: datetime | None) -> str | None:
    """A time as the API writes it (UTC, "Z"), for values placed in strings such as cursors."""
    if value is None:
        return None
    return dumps(value).decode()[1:-1]


class ORJSONRenderer(BaseRenderer):
    media_type = "application/json"
    format = "json"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return dumps(data)


# A cell that starts with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ";".join(csv_cell(item) for item in value)
    if isinstance(value, datetime | Promise | Country):
        value = _json_default(value) if not isinstance(value, datetime) else iso(value)
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class CSVRenderer(BaseRenderer):
    """A list page as CSV: one row per record, nested objects flattened to `partner.name`
    columns, lists joined with `;`. The next page's address is in the `Link` header."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        view = (renderer_context or {}).get("view")
        columns = list(getattr(view, "csv_columns", None) or [])
        # Lists embed JSON fragments (raw_json): a round trip gives plain values to lay out.
        data = orjson.loads(dumps(data))
        rows = data.get("results", []) if isinstance(data, dict) else []
        if not columns:
            for row in rows:
                columns.extend(key for key in row if key not in columns)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([csv_cell(_dig(row, column)) for column in columns])
        return buffer.getvalue().encode("utf-8")


def _dig(row: dict, dotted: str) -> Any:
    value: Any = row
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


class ApiContentNegotiation(DefaultContentNegotiation):
    """An unknown `?format=` is 406 like an unknown `Accept`, not DRF's 404."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except Http404:
            raise exceptions.NotAcceptable(
                _("Unknown format. Use one of: %(formats)s.")
                % {"formats": ", ".join(renderer.format for renderer in renderers)}
            ) from None


# Errors ------------------------------------------------------------------------------------------

NON_FIELD_ERRORS = api_settings.NON_FIELD_ERRORS_KEY


class Refused(exceptions.APIException):
    """A domain rule refused the action (coalition.errors.ApplicationError)."""

    status_code = 400
    default_code = "refused"
    default_detail = gettext_lazy("This action is not allowed.")


def _is_leaf(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and set(item) == {"message", "code"}
        and isinstance(item["message"], str)
    )


def _flatten_details(details: Any, prefix: str = "") -> dict[str, list[dict]]:
    """DRF's nested error details as `{"deliverables.0.title": [{"code", "message"}]}`."""
    fields: dict[str, list[dict]] = {}
    if _is_leaf(details):
        fields.setdefault(prefix or NON_FIELD_ERRORS, []).append(details)
    elif isinstance(details, dict):
        for key, value in details.items():
            if key == NON_FIELD_ERRORS and prefix:
                path = prefix  # a nested list's own error ("not a list")
            else:
                path = f"{prefix}.{key}" if prefix else key
            for name, errors in _flatten_details(value, path).items():
                fields.setdefault(name, []).extend(errors)
    elif isinstance(details, list):
        for index, item in enumerate(details):
            if _is_leaf(item):
                fields.setdefault(prefix or NON_FIELD_ERRORS, []).append(item)
            else:
                for name, errors in _flatten_details(item, f"{prefix}.{index}").items():
                    fields.setdefault(name, []).extend(errors)
    return fields


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"code": code, "message": message, "fields": fields or {}}


def exception_handler(exc, context):
    """DRF's handler, with Django's and the domain's errors mapped, and one body for all."""
    if isinstance(exc, ApplicationError):
        if exc.field:
            exc = exceptions.ValidationError({exc.field: [exc.message]}, code=exc.code)
        else:
            exc = Refused(exc.message, exc.code)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a bug, not bad input: Django's handler answers 500 and logs it
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body(
            "invalid",
            _("Some values are not valid: see the message of each field."),
            _flatten_details(exc.get_full_details()),
        )
    else:
        response.data = error_body(exc.get_codes(), force_str(exc.detail))
    return response


@csrf_exempt  # any method: a POST to an unknown address is 404 too, not a CSRF page
def not_found(request, *args, **kwargs):
    """Unknown addresses under /api/v1/ answer in JSON too."""
    return HttpResponse(
        dumps(error_body("not_found", _("There is nothing at this address."))),
        status=404,
        content_type=ORJSONRenderer.media_type,
    )


# Filters ---------------------------------------------------------------------------------------


MAX_FORM_CLASSES = 256


class LeanFilterSetMixin:
    """For the API's FilterSets: each request gets shallow copies of the filters its query
    string gives a value for, where django-filter deep-copies all the declared ones (their
    labels, choices and arguments, ~1 ms a list page) and validates every field of its form.
    The filters hold no state of their own but their FilterSet and model, set here."""

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        declared = self.base_filters
        self.base_filters = {}  # django-filter's __init__ deep-copies this: nothing to copy
        super().__init__(data, queryset, request=request, prefix=prefix)
        del self.base_filters
        model = self.queryset.model
        self.filters = {}
        for name, declared_filter in declared.items():
            if declared_filter.field.widget.value_omitted_from_data(self.data, {}, name):
                continue
            filter_ = copy.copy(declared_filter)
            filter_.model, filter_.parent = model, self
            if filter_.method is not None:
                filter_.method = filter_.method  # binds its FilterMethod to the copy
            self.filters[name] = filter_

    def get_form_class(self):
        # The same for every request giving the same parameters: built once per FilterSet class
        # and set of parameters, where django-filter builds a class and its fields each time,
        # and its forms share the fields instead of deep-copying them (~0.7 ms a filtered page
        # together). The fields only validate, and keep nothing of a request: an API list never
        # renders its form.
        form_classes = type(self).__dict__.get("_lean_form_classes")
        if form_classes is None:
            form_classes = type(self)._lean_form_classes = {}
        given = frozenset(self.filters)
        form_class = form_classes.get(given)
        if form_class is None:
            form_class = super().get_form_class()
            form_class.base_fields = SharedFields(form_class.base_fields)
            if len(form_classes) < MAX_FORM_CLASSES:  # clients choose the sets: keep a bound
                form_classes[given] = form_class
        return form_class


class SharedFields(dict):
    """A form's fields, given as they are to each form (Django deep-copies `base_fields`)."""

    def __deepcopy__(self, memo):
        return dict(self)


class Codes(frozenset):
    """A fixed set of codes; filters are deep-copied for each request, these are not."""

    def __deepcopy__(self, memo):
        return self


class CodeField(forms.CharField):
    def __init__(self, *, codes: Codes, **kwargs):
        self.codes = codes
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value and value not in self.codes:
            raise DjangoValidationError(
                _("Select a valid choice. %(value)s is not one of the available choices."),
                code="invalid_choice",
                params={"value": value},
            )


class CodeFilter(django_filters.CharFilter):
    """A filter on a code of a fixed vocabulary, checked in memory: no query to look the code
    up and no list of choices to copy for each request (django-filter deep-copies its filters
    and their form fields: with a ModelChoiceFilter and the 250 countries that cost a list page
    8 ms). The schema lists the codes (VOCABULARY_FILTERS)."""

    field_class = CodeField

    def __init__(self, *, codes, **kwargs):
        super().__init__(codes=Codes(codes), **kwargs)


COUNTRY_CODES = Codes(code for code, _name in countries)


# Authentication, permissions and throttles -------------------------------------------------------


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: Token <key>`: the request acts as the token's owner."""

    keyword = "Token"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the key after the word Token, separated by one space.")
            )
        try:
            key = parts[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("This token is not valid.")) from None
        token = api_token_authenticate(key=key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("This token is not valid or was revoked."))
        return token.user, token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "coalition.api.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "A personal token created on the account page, sent as "
                "`Authorization: Token crk_…`."
            ),
        }


class ReadOrTokenWrite(BasePermission):
    """Anyone reads (what each may see is the selectors' business); writes need a token.
    What a token's owner may change is decided by the services and access functions."""

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or bool(
            request.user and request.user.is_authenticated
        )


class CountingThrottle(BaseThrottle):
    """A request counter per client and fixed window (`120/min`: at most 120 requests in each
    calendar minute), kept in the cache: two O(1) cache operations a request. DRF's
    SimpleRateThrottle keeps the time of every request of the window and rewrites that list at
    each request, which costs in proportion to the rate.

    The rate is read at each request from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope]
    (DRF binds it at import), `default_rate` until the setting names the scope.
    """

    scope: str
    default_rate: str

    def get_rate(self) -> str | None:
        rates = api_settings.DEFAULT_THROTTLE_RATES or {}
        return rates.get(self.scope, self.default_rate)

    def client_key(self, request) -> str | None:
        raise NotImplementedError

    def client_address(self, request) -> str:
        # Without NUM_PROXIES, DRF would trust X-Forwarded-For, which any client can forge to
        # escape the throttle: the peer address counts unless the number of proxies is known.
        if api_settings.NUM_PROXIES is None:
            return request.META.get("REMOTE_ADDR", "")
        return self.get_ident(request)

    def allow_request(self, request, view) -> bool:
        rate, client = self.get_rate(), self.client_key(request)
        if rate is None or client is None:
            return True
        limit, duration = SimpleRateThrottle.parse_rate(None, rate)
        now = time.time()
        window = int(now // duration)
        key = f"throttle:{self.scope}:{client}:{window}"
        count = _count(key, duration + 1)
        self.retry_after = duration - (now % duration)
        return count <= limit

    def wait(self) -> float:
        return self.retry_after


# INCR, and EXPIRE on the first count, in one atomic step: a counter never outlives its window.
COUNT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""

_redis_counters: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _redis_counter(backend: RedisCache):
    """COUNT_SCRIPT on Django's Redis client for this cache, made once per cache object:
    `get_client` builds a new `redis.Redis` at each call (~0.08 ms, mostly its table of reply
    parsers), though one is safe to share; it uses the cache's own connection pool."""
    cache_client = backend._cache
    counter = _redis_counters.get(cache_client)
    if counter is None:
        client = cache_client.get_client(write=True)
        counter = _redis_counters[cache_client] = client.register_script(COUNT_SCRIPT)
    return counter


def _count(key: str, timeout: int) -> int:
    """Adds one to a counter that expires `timeout` seconds after its first count. On Redis,
    one round trip running COUNT_SCRIPT (a pipeline of INCR and EXPIRE NX costs twice the
    Python work); Django's cache API takes three (SET NX, EXISTS, INCR), each with a new
    client object: ~2.5 ms a request here."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        return _redis_counter(backend)(keys=[backend.make_and_validate_key(key)], args=[timeout])
    if backend.add(key, 1, timeout):
        return 1
    try:
        return backend.incr(key)
    except ValueError:  # expired between add and incr: a new window
        backend.add(key, 1, timeout)
        return 1


class AnonymousClientThrottle(CountingThrottle):
    scope = "anon"
    default_rate = "120/min"

    def client_key(self, request):
        if request.user and request.user.is_authenticated:
            return None  # TokenClientThrottle's
        return self.client_address(request)


class TokenClientThrottle(CountingThrottle):
    scope = "user"
    default_rate = "1200/min"

    def client_key(self, request):
        if request.user and request.user.is_authenticated:
            return str(request.user.pk)
        return None


# Lists: keyset pagination ------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderingKey:
    """An order a list may be read in: the column sorted on and the type of its values (the
    cursor stores the last value). Every list breaks ties by id."""

    column: str
    kind: type  # datetime, date, str or int


@dataclass(frozen=True)
class Cursor:
    ordering: str
    key: Any
    id: int
    until: datetime


def _invalid(field: str, message: str, code: str = "invalid") -> exceptions.ValidationError:
    return exceptions.ValidationError({field: [exceptions.ErrorDetail(message, code=code)]})


def whole_number(raw, field: str, *, default=None, maximum: int) -> int | None:
    """A query parameter that is a number from 1 to `maximum`, `default` when not given."""
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _invalid(field, _("Give a whole number.")) from None
    if not 1 <= value <= maximum:
        raise _invalid(
            field, _("Give a number from 1 to %(max)d.") % {"max": maximum}, "out_of_range"
        )
    return value


def encode_cursor(cursor: Cursor) -> str:
    key = cursor.key
    if isinstance(key, datetime):
        key = iso(key)
    elif isinstance(key, date):
        key = key.isoformat()
    payload = dumps([cursor.ordering, key, cursor.id, iso(cursor.until)])
    return base64.urlsafe_b64encode(payload).rstrip(b"=").decode()


def _parse_date(value: Any) -> date:
    if not isinstance(value, str):
        raise TypeError("date")
    return date.fromisoformat(value)


def _parse_time(value: Any) -> datetime:
    moment = datetime.fromisoformat(value)
    if timezone.is_naive(moment):
        raise ValueError("naive")
    return moment


def decode_cursor(text: str, orderings: dict[str, OrderingKey]) -> Cursor:
    try:
        if len(text) > 2000:
            raise ValueError("too long")
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        ordering, key, pk, until = orjson.loads(raw)
        spec = orderings[ordering.removeprefix("-")]
        if spec.kind is datetime:
            key = _parse_time(key)
        elif spec.kind is date:
            key = _parse_date(key)
        elif not isinstance(key, spec.kind) or isinstance(key, bool):
            raise ValueError("key type")
        if not isinstance(pk, int) or isinstance(pk, bool) or not 0 < pk < 2**63:
            raise ValueError("id")
        if spec.kind is int and not -(2**63) < key < 2**63:
            raise ValueError("key range")
        return Cursor(ordering, key, pk, _parse_time(until))
    except (
        ValueError,
        TypeError,
        KeyError,
        AttributeError,
        binascii.Error,
        orjson.JSONDecodeError,
    ):
        raise _invalid(
            "cursor",
            _("This cursor is not valid: use the `next` address of a page as it is."),
            "invalid_cursor",
        ) from None


class After(models.Expression):
    """The rows after a cursor's in its order and changed until the end of its pass:
    `(key, id) > (k, i) AND updated_at <= until` (`<` in descending order). Written as SQL, with
    the row comparison both databases have, where four ORM lookups cost more to build than the
    index range scan they bound."""

    conditional = True
    output_field = models.BooleanField()

    def __init__(self, model, column: str, cursor: Cursor, *, descending: bool):
        super().__init__()
        self.model, self.column, self.cursor, self.descending = model, column, cursor, descending

    def as_sql(self, compiler, connection):
        quote = connection.ops.quote_name
        table = quote(compiler.query.get_initial_alias())
        key, updated = (self.model._meta.get_field(name) for name in (self.column, "updated_at"))
        comparison = "<" if self.descending else ">"
        sql = (
            f"({table}.{quote(key.column)}, {table}.{quote('id')}) {comparison} (%s, %s) "
            f"AND {table}.{quote(updated.column)} <= %s"
        )
        params = [
            key.get_db_prep_value(self.cursor.key, connection),
            self.cursor.id,
            updated.get_db_prep_value(self.cursor.until, connection),
        ]
        return sql, params


def related_column(model, foreign_key: str, column: str) -> Subquery:
    """A column of the row a listed row's `foreign_key` points to, read by a subquery rather
    than a join: a view's projection may not join (projection_of), so that a page's FROM clause
    is its filters' alone."""
    return Subquery(model.objects.filter(pk=OuterRef(foreign_key)).values(column))


@dataclass(frozen=True)
class Projection:
    """A view's `project()` over its bare table, compiled: the names of its columns, its SELECT
    list and parameters, and the converters Django applies to its values."""

    names: tuple[str, ...]
    sql: str
    params: tuple
    converters: dict


_projections: dict[tuple[type, str], Projection] = {}


def projection_of(view, connection) -> Projection:
    """Compiled once per view class and database: a view's projection depends on nothing of
    the request, and a list page only adds its own few columns to it (page_rows)."""
    key = (type(view), connection.alias)
    if key not in _projections:
        query = view.project(view.model.objects.using(connection.alias).all()).query
        compiler = query.get_compiler(connection=connection)
        compiler.setup_query()
        if sum(1 for count in query.alias_refcount.values() if count) != 1:
            raise ImproperlyConfigured(
                f"{type(view).__name__}.project() joins another table: read its columns with "
                "a subquery, so that a page's FROM clause is its filters' alone."
            )
        quote = connection.ops.quote_name
        parts, params = [], []
        for _expression, (sql, sql_params), alias in compiler.select:
            parts.append(f"{sql} AS {quote(alias)}" if alias else sql)
            params.extend(sql_params)
        _projections[key] = Projection(
            names=(*query.values_select, *query.annotation_select),
            sql=", ".join(parts),
            params=tuple(params),
            converters=compiler.get_converters([entry[0] for entry in compiler.select]),
        )
    return _projections[key]


class PreparingCursor(postgresql_base.ServerBindingCursor):
    """Sends its statements as prepared statements: PostgreSQL parses and analyses a list
    page's statement (5 kB of SQL, ~0.9 ms) once per connection; each execution is still
    planned for its values (`plan_cache_mode`, settings)."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


def prepared_cursor(connection):
    """A cursor whose statements are prepared on PostgreSQL, made as `connection.cursor()`
    makes Django's own (a persistent connection that failed its health check is replaced,
    errors are Django's, and tests count its queries); on SQLite a plain cursor."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        return connection._prepare_cursor(PreparingCursor(connection.connection))


def page_rows(
    view, queryset, *, column: str, descending: bool, added: dict, limit: int
) -> tuple[list[dict], str]:
    """A page of `queryset` (the client's records, filtered) as rows of the view's projection
    with the `added` expressions, in `column` order and then by id: one statement put together
    from the projection compiled once (projection_of) and, for this request, the filters'
    FROM and WHERE and the added columns. Building the projection and compiling the whole
    query at each request was a third of a list page's Python work (bench/report.md); the
    SELECT is the one the ORM would write for `project(queryset).annotate(**added)`.

    Returns the rows and the name of the column holding each row's `column` value."""
    connection = connections[queryset.db]
    projection = projection_of(view, connection)
    query = queryset.query
    if query.distinct or query.group_by is not None or query.combinator or query.extra:
        raise NotImplementedError(
            "A list's filters give a plain WHERE clause: no DISTINCT, GROUP BY, set operation "
            "or extra()."
        )
    names, select, params = list(projection.names), [projection.sql], list(projection.params)
    converters = dict(projection.converters)
    key = column
    if column not in names:
        key = "keyset_key"
        added = {**added, key: F(column)}
    compiler = query.get_compiler(connection=connection)
    quote = connection.ops.quote_name
    resolved = [expression.resolve_expression(query) for expression in added.values()]
    for name, expression in zip(added, resolved, strict=True):
        sql, sql_params = compiler.compile(expression)
        select.append(f"{sql} AS {quote(name)}")
        params.extend(sql_params)
    for position, converter in compiler.get_converters(resolved).items():
        converters[len(names) + position] = converter
    names.extend(added)
    try:
        where, where_params = compiler.compile(query.where)
    except EmptyResultSet:
        return [], key
    except FullResultSet:
        where, where_params = "", []
    query.get_initial_alias()  # a query without filters has no table yet
    tables, table_params = compiler.get_from_clause()
    direction = "DESC" if descending else "ASC"
    sql = (
        f"SELECT {', '.join(select)} FROM {' '.join(tables)}"
        f"{' WHERE ' + where if where else ''} ORDER BY {names.index(key) + 1} {direction}, "
        f"{names.index('id') + 1} {direction} LIMIT {int(limit)}"
    )
    with prepared_cursor(connection) as cursor:
        cursor.execute(sql, [*params, *table_params, *where_params])
        rows = cursor.fetchall()
    if converters:
        rows = compiler.apply_converters(rows, converters)
    return [dict(zip(names, row, strict=True)) for row in rows], key


@dataclass
class Page:
    rows: list[dict]
    next_url: str | None
    until: datetime


class KeysetPagination:
    """Pages of a list in `ordering` order, each after the last (key, id) of the previous one.

    The first page fixes `until`, the last change of the table when it was read (in the same
    statement); every page of the pass shows only records changed until then. A record changed
    while the client pages leaves this pass (its new `updated_at` is later) and comes in the next
    sync, so no record is skipped or repeated, and a deep page costs what the first costs (no
    OFFSET). An unchanged table gives the same pages, so their ETags match."""

    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    ordering_query_param = "ordering"

    def _page_size(self, request) -> int:
        return whole_number(
            request.query_params.get(self.page_size_query_param),
            self.page_size_query_param,
            default=DEFAULT_PAGE_SIZE,
            maximum=MAX_PAGE_SIZE,
        )

    def _ordering(self, request, view) -> str:
        ordering = request.query_params.get(self.ordering_query_param) or view.default_ordering
        if ordering.removeprefix("-") not in view.orderings:
            raise _invalid(
                self.ordering_query_param,
                _("Order by one of: %(choices)s.")
                % {"choices": ", ".join(self.ordering_choices(view))},
                "invalid_choice",
            )
        return ordering

    @staticmethod
    def ordering_choices(view) -> list[str]:
        return [name for key in view.orderings for name in (key, f"-{key}")]

    def paginate(self, queryset, request, view) -> Page:
        ordering = self._ordering(request, view)
        size = self._page_size(request)
        raw_cursor = request.query_params.get(self.cursor_query_param)
        cursor = decode_cursor(raw_cursor, view.orderings) if raw_cursor else None
        if cursor is not None and cursor.ordering != ordering:
            raise _invalid(
                "cursor",
                _("This cursor belongs to another ordering."),
                "invalid_cursor",
            )
        descending = ordering.startswith("-")
        column = view.orderings[ordering.removeprefix("-")].column
        if cursor is not None:
            queryset = queryset.filter(After(view.model, column, cursor, descending=descending))
        # What the page adds to the projection: the last change it shows (if the view knows
        # it) and, on a first page, the end of the pass (the table's last change, read in the
        # same statement: a bound taken from the clock would make every first page differ, and
        # its ETag never match).
        added = view.list_annotations()
        if cursor is None:
            added["sync_until"] = OnceAsText(LastChange(view.model, **view.sync_scope()))
        rows, key = page_rows(
            view, queryset, column=column, descending=descending, added=added, limit=size + 1
        )
        if cursor is not None:
            until = cursor.until
        elif rows:
            until = parse_db_time(rows[0]["sync_until"])
        else:
            until = view.model.objects.filter(**view.sync_scope()).aggregate(
                until=Max("updated_at")
            )["until"]
        until = until or EPOCH

        next_url = None
        if len(rows) > size:
            rows = rows[:size]
            last = rows[-1]
            token = encode_cursor(Cursor(ordering, last[key], last["id"], until))
            next_url = replace_query_param(
                request.build_absolute_uri(), self.cursor_query_param, token
            )
        return Page(rows=rows, next_url=next_url, until=until)

    # drf-spectacular reads these two.
    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "in": "query",
                "required": False,
                "description": "Where the page starts: copy it from the `next` address.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "in": "query",
                "required": False,
                "description": f"Records per page (default {DEFAULT_PAGE_SIZE}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
            {
                "name": self.ordering_query_param,
                "in": "query",
                "required": False,
                "description": (
                    f"Order of the records (default `{view.default_ordering}`); `-` reverses it. "
                    "Ties are broken by id."
                ),
                "schema": {"type": "string", "enum": self.ordering_choices(view)},
            },
        ]

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results", "next", "next_updated_since"],
            "additionalProperties": False,
            "properties": {
                "results": schema,
                "next": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "The next page, or null on the last one.",
                },
                "next_updated_since": {
                    "type": "string",
                    "format": "date-time",
                    "description": (
                        "Keep it from the last page and send it as `updated_since` in your "
                        "next sync."
                    ),
                },
            },
        }


def _json_value(column: str) -> str:
    """A column's value as JSON text; `null` for NULL, which would void a concatenation."""
    return f"COALESCE(to_json({column})::text, 'null')"


def _json_pairs(value: dict[str, str]) -> str:
    """The members of a JSON object, `"name":value` for each, concatenated in SQL."""
    return " || ',' || ".join(
        f"'\"{name}\":' || {_json_value(column)}" for name, column in value.items()
    )


class RelatedJsonList(models.Expression):
    """The rows related to each row of a list, as a JSON array (text) computed in the list's
    own query: the codes or objects come ready to embed in the response (`raw_json`), with
    nothing to parse or convert in Python. Concatenated on PostgreSQL, as compact as orjson
    writes (json_agg and json_build_object write `[1, 2]` and `{"id" : 1}`, and took 0.15 ms
    more for the deliverables of a page of 100 commitments), `json_group_array` on SQLite (the
    demo). Written as SQL: a page of 100 commitments gathers six such lists, and building and
    compiling them as ORM subqueries cost more than running them (~5 ms a page).

    `value` is a column expression, or a mapping of names to column expressions for objects;
    `source` the FROM clause; `where` the condition, `{outer}` standing for the listed row's
    table (the query's base alias); `order` the ORDER BY of the array.
    """

    output_field = models.TextField()

    def __init__(self, *, value: str | dict[str, str], source: str, where: str, order: str):
        super().__init__()
        self.value, self.source, self.where, self.order = value, source, where, order

    def _where(self, compiler) -> str:
        return self.where.format(
            outer=compiler.connection.ops.quote_name(compiler.query.get_initial_alias())
        )

    def _sqlite_value(self) -> str:
        if isinstance(self.value, dict):
            pairs = ", ".join(f"'{name}', {column}" for name, column in self.value.items())
            return f"json_object({pairs})"
        return self.value

    def as_postgresql(self, compiler, connection):
        where = self._where(compiler)
        if isinstance(self.value, dict):
            item = "'{' || " + _json_pairs(self.value) + " || '}'"
        else:
            item = _json_value(self.value)
        sql = (
            f"COALESCE((SELECT '[' || string_agg({item}, ',' ORDER BY {self.order}) || ']' "
            f"FROM {self.source} WHERE {where}), '[]')"
        )
        return sql, []

    def as_sqlite(self, compiler, connection):
        item = "json(related.value)" if isinstance(self.value, dict) else "related.value"
        sql = (
            f"(SELECT json_group_array({item}) FROM (SELECT {self._sqlite_value()} AS value "
            f"FROM {self.source} WHERE {self._where(compiler)} ORDER BY {self.order}) AS related)"
        )
        return sql, []

    def as_sql(self, compiler, connection):
        raise NotImplementedError(f"RelatedJsonList has no SQL for {connection.vendor}.")


class RelatedJsonObject(RelatedJsonList):
    """The one row a listed row points to (its lead partner...) as a JSON object (text), from
    a correlated subquery rather than a join: PostgreSQL evaluates it for the rows of the page
    only, after the sort and the limit, where a filtered page joined all its candidate rows
    (hashing the 10,000 partners: ~3 ms of a three-filter page). `value` maps names to
    column expressions (in the object's order); `source` and `where` as RelatedJsonList's."""

    def __init__(self, *, value: dict[str, str], source: str, where: str):
        super().__init__(value=value, source=source, where=where, order="")

    def as_postgresql(self, compiler, connection):
        pairs = _json_pairs(self.value)
        where = self._where(compiler)
        return f"(SELECT '{{' || {pairs} || '}}' FROM {self.source} WHERE {where})", []

    def as_sqlite(self, compiler, connection):
        where = self._where(compiler)
        return f"(SELECT {self._sqlite_value()} FROM {self.source} WHERE {where})", []


class JsonMembers(models.Expression):
    """Members of a row's JSON object, written by the database as text (`,"title":"..."`
    for each), so that a list's rows reach Python as one string each: no column to convert
    nor object to build and serialize per row (~20 µs a row otherwise, the larger part of a
    page's Python time). As compact as orjson writes, strings escaped alike (quote, backslash,
    control characters).

    `members` maps each name, in order, to `(kind, column)`: a column of the listed row's
    table of one of the kinds below, or ("json", expression) for an expression that gives
    JSON text (RelatedJsonList, RelatedJsonObject). Kinds: "text", "date" (ISO),
    "time" (ISO in UTC, `Z`, microseconds when not zero, as orjson), "decimal" (a string
    with its two places), "json" (a JSON column as stored), "codes" (a CodeArrayField),
    "countries" (a CountryField(multiple=True)). Columns of kinds "text" and "date" must not
    be null.
    """

    output_field = models.TextField()

    POSTGRESQL = {
        "text": "to_json({c})::text",
        "date": "to_json({c})::text",
        "time": (
            "COALESCE('\"' || to_char({c} AT TIME ZONE 'UTC', CASE WHEN date_trunc('second', {c})"
            " = {c} THEN 'YYYY-MM-DD\"T\"HH24:MI:SS' ELSE 'YYYY-MM-DD\"T\"HH24:MI:SS.US' END)"
            " || 'Z\"', 'null')"
        ),
        "decimal": "COALESCE(to_json({c}::text)::text, 'null')",
        "json": "{c}::text",
        "codes": "array_to_json({c})::text",
        "countries": "COALESCE(array_to_json(string_to_array(NULLIF({c}, ''), ','))::text, '[]')",
    }
    SQLITE = {
        "text": "json_quote({c})",
        "date": "json_quote({c})",
        # Django keeps UTC times as "YYYY-MM-DD HH:MM:SS[.ffffff]" on SQLite.
        "time": "COALESCE('\"' || replace({c}, ' ', 'T') || 'Z\"', 'null')",
        "decimal": "CASE WHEN {c} IS NULL THEN 'null' ELSE json_quote(printf('%%.2f', {c})) END",
        "json": "json({c})",
        "codes": "json({c})",
        "countries": (
            "CASE WHEN {c} = '' THEN '[]' ELSE '[\"' || replace({c}, ',', '\",\"') || '\"]' END"
        ),
    }

    def __init__(self, members: dict[str, tuple[str, Any]]):
        super().__init__()
        self.members = members

    @cached_property
    def identity(self):
        # The ORM hashes the selected expressions to order a query; Expression's identity
        # would walk every member (~0.2 ms). The members are a module's constant mapping.
        return (self.__class__, id(self.members))

    def _sql(self, compiler, connection, templates: dict[str, str]):
        quote = connection.ops.quote_name
        table = quote(compiler.query.get_initial_alias())
        parts, params = [], []
        for name, (kind, column) in self.members.items():
            if isinstance(column, str):
                value = templates[kind].format(c=f"{table}.{quote(column)}")
            else:
                value, column_params = compiler.compile(column)
                params.extend(column_params)
                if kind == "json" and connection.vendor == "sqlite":
                    value = f"json({value})"
            parts.append(f"',\"{name}\":' || {value}")
        return "(" + " || ".join(parts) + ")", params

    def as_postgresql(self, compiler, connection):
        return self._sql(compiler, connection, self.POSTGRESQL)

    def as_sqlite(self, compiler, connection):
        return self._sql(compiler, connection, self.SQLITE)

    def as_sql(self, compiler, connection):
        raise NotImplementedError(f"JsonMembers has no SQL for {connection.vendor}.")


class LastChange(models.Expression):
    """`(SELECT MAX(updated_at) FROM <model's table> [WHERE <column> = ...])`: the last change
    of a table, one step down its `updated_at` index, computed once per query. Written as SQL
    because an ORM subquery costs ~0.5 ms to prepare, more than it takes to run."""

    output_field = models.DateTimeField()

    def __init__(self, model, **equal):
        super().__init__()
        self.model, self.equal = model, equal

    def as_sql(self, compiler, connection):
        quote = connection.ops.quote_name
        where = " AND ".join(f"{quote(column)} = %s" for column in self.equal)
        sql = f"(SELECT MAX({quote('updated_at')}) FROM {quote(self.model._meta.db_table)}"
        return f"{sql}{' WHERE ' + where if where else ''})", list(self.equal.values())


class OnceAsText(models.Func):
    """A value the same for every row of a page (the table's last change) as text, converted
    once in an uncorrelated subquery: each row's copy would otherwise become a datetime in
    psycopg and Django's time zone handling (~2 µs each), and a cast in the row itself would
    run for every row a sort reads. `parse_db_time` reads the first row's."""

    template = "(SELECT CAST(%(expressions)s AS text))"
    output_field = models.TextField()


def parse_db_time(text: str | None) -> datetime | None:
    """A time the database wrote as text (UTC: PostgreSQL's session and SQLite's storage)."""
    if text is None:
        return None
    moment = parse_datetime(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def json_text(field: str) -> models.Func:
    """A JSON column as its text, to embed as it is (Django would parse it with `json`)."""
    return Cast(field, output_field=models.TextField())


raw_json = orjson.Fragment


# Views -------------------------------------------------------------------------------------------


def _not_modified(request, etag: str, last_modified: int | None) -> bool:
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        etags = parse_etags(if_none_match)
        bare = etag.removeprefix("W/")
        return "*" in etags or any(tag.removeprefix("W/") == bare for tag in etags)
    if_modified_since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
    return (
        if_modified_since is not None
        and last_modified is not None
        and last_modified <= if_modified_since
    )


class ApiViewMixin:
    """The policies every API view shares. Renderers: JSON everywhere, CSV on lists."""

    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [ReadOrTokenWrite]
    throttle_classes = [AnonymousClientThrottle, TokenClientThrottle]
    renderer_classes = [ORJSONRenderer, CSVRenderer]
    parser_classes = [JSONParser]
    content_negotiation_class = ApiContentNegotiation
    metadata_class = None  # OPTIONS answers 405: the schema describes every operation

    def get_exception_handler(self):
        return exception_handler

    def get_renderers(self):
        renderers = super().get_renderers()
        if getattr(self, "action", None) != "list":
            renderers = [renderer for renderer in renderers if renderer.format != "csv"]
        return renderers

    def initial(self, request, *args, **kwargs):
        # An operation that does not exist is 405 for everyone, before asking for a token.
        if not hasattr(self, request.method.lower()):
            raise exceptions.MethodNotAllowed(request.method)
        # PostgreSQL refuses NUL in text; catching it here spares every field and filter.
        if "\x00" in request.META.get("QUERY_STRING", "") or "%00" in request.META.get(
            "QUERY_STRING", ""
        ):
            raise exceptions.ValidationError(
                {NON_FIELD_ERRORS: [_("The address contains a NUL character.")]}
            )
        super().initial(request, *args, **kwargs)
        # A multipart body carries files, where NUL bytes are data; its text fields reach
        # serializers whose CharFields refuse NUL, and the body is never read whole.
        if (
            request.method not in SAFE_METHODS
            and not request.content_type.startswith("multipart/")
            and (b"\x00" in request.body or b"\\u0000" in request.body)
        ):
            raise exceptions.ValidationError(
                {NON_FIELD_ERRORS: [_("The request contains a NUL character.")]}
            )

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code >= 400 and isinstance(
            getattr(response, "accepted_renderer", None), CSVRenderer
        ):
            response.accepted_renderer = ORJSONRenderer()
            response.accepted_media_type = ORJSONRenderer.media_type
        patch_vary_headers(response, ["Accept", "Authorization"])
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            response["Cache-Control"] = (
                "private, no-cache" if request.user.is_authenticated else "no-cache"
            )
            return self._conditional(request, response)
        return response

    def _conditional(self, request, response):
        response.render()
        # SHA-256, 128 bits of it: CPUs compute it in hardware (0.21 ms for a page, BLAKE2 0.33).
        etag = quote_etag(hashlib.sha256(response.content).hexdigest()[:32])
        response["ETag"] = etag
        last_modified = None
        changed = getattr(response, "last_changed", None)
        if changed is not None and changed <= timezone.now() - LAST_MODIFIED_SETTLE:
            last_modified = int(changed.timestamp())
            response["Last-Modified"] = http_date(last_modified)
        if _not_modified(request, etag, last_modified):
            not_modified = HttpResponseNotModified()
            for header in ("ETag", "Last-Modified", "Vary", "Cache-Control"):
                if header in response:
                    not_modified[header] = response[header]
            return not_modified
        return response


class ResourceViewSet(ApiViewMixin, GenericViewSet):
    """A resource of the registry, read from `.values()` rows:

    - `get_queryset()` calls the app's selector (what this client may see);
    - `project(queryset)` selects the columns of the representation, in one query;
    - `represent(row)` turns a row into the JSON object the output serializer documents.

    Its operations come from the mixins below and from the app's own write methods.
    """

    filter_backends = [DjangoFilterBackend]
    pagination_class = KeysetPagination
    orderings: dict[str, OrderingKey] = {
        "updated_at": OrderingKey("updated_at", datetime),
        "created_at": OrderingKey("created_at", datetime),
        "id": OrderingKey("id", int),
    }
    default_ordering = "updated_at"
    lookup_value_converter = "int"
    csv_columns: list[str] = []

    @property
    def is_sync(self) -> bool:
        """True when the client asks for changes (`updated_since`): records that left public
        view since then come too, marked `"public": false`."""
        return self.action == "list" and bool(self.request.query_params.get("updated_since"))

    def project(self, queryset):
        raise NotImplementedError

    def represent(self, row: dict) -> dict:
        raise NotImplementedError

    def last_changed_expression(self):
        """An expression for the last change of anything a list of this resource shows: its
        `Last-Modified`, read in the page's own query (an uncorrelated subquery, computed once).
        """
        return None

    @property
    def model(self):
        return self.queryset.model

    def filter_queryset(self, queryset):
        # A list without filter parameters (a sync's first pass, its deeper pages) skips the
        # FilterSet and its form (~1.5 ms): the FilterSet's `unfiltered` says what it shows.
        filterset_class = self.filterset_class
        if filterset_class is not None and not any(
            self.request.query_params.get(name) for name in filterset_class.base_filters
        ):
            unfiltered = getattr(filterset_class, "unfiltered", None)
            return unfiltered(queryset) if unfiltered else queryset
        return super().filter_queryset(queryset)

    def sync_scope(self) -> dict:
        """The rows whose last change bounds a pass through the pages: the whole table, or
        those with these column values."""
        return {}

    @property
    def paginator(self):
        if not hasattr(self, "_paginator"):
            self._paginator = self.pagination_class() if self.action == "list" else None
        return self._paginator


class KeysetListMixin:
    """GET on the collection: filters, then one keyset page, in one query."""

    def list_annotations(self) -> dict:
        """What a page selects besides the projection: the last change it shows, if known."""
        changed = self.last_changed_expression()
        return {} if changed is None else {"last_changed": OnceAsText(changed)}

    def represent_page(self, rows: list[dict]) -> list:
        return [self.represent(row) for row in rows]

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginator.paginate(queryset, request, self)
        response = Response(
            {
                "results": self.represent_page(page.rows),
                "next": page.next_url,
                "next_updated_since": max(page.until - SYNC_OVERLAP, EPOCH),
            },
            headers={"Link": f'<{page.next_url}>; rel="next"'} if page.next_url else None,
        )
        if page.rows and "last_changed" in page.rows[0]:
            response.last_changed = parse_db_time(page.rows[0]["last_changed"])
        return response


class RowRetrieveMixin:
    """GET on a record. `retrieve` asks the app's access function first (404 or 403), then
    answers `represented(queryset)` for the record it allowed."""

    def represented(self, queryset, *, status: int = 200, headers=None) -> Response:
        row = self.project(queryset).first()
        if row is None:
            raise Http404
        response = Response(self.represent(row), status=status, headers=headers)
        response.last_changed = row.get("updated_at")
        return response


class VocabularyViewSet(ApiViewMixin, GenericViewSet):
    """A small fixed list (thematic areas, SDGs...): one page, no cursor."""

    pagination_class = None
    lookup_value_converter = "slug"
    csv_columns: list[str] = []

    def list(self, request, *args, **kwargs):
        return Response({"results": [self.represent(row) for row in self.rows()]})

    def retrieve(self, request, *args, **kwargs):
        key = str(kwargs[self.lookup_url_kwarg or self.lookup_field])
        for row in self.rows():
            if str(row[self.lookup_field]) == key:
                return Response(self.represent(row))
        raise Http404

    def rows(self):
        return list(self.get_queryset().values())

    def represent(self, row: dict) -> dict:
        return row


# Schema ------------------------------------------------------------------------------------------


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable code, e.g. `required`, `invalid_choice`.")
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text=(
            "Stable code: invalid, parse_error, refused, not_authenticated, "
            "authentication_failed, permission_denied, not_found, method_not_allowed, "
            "not_acceptable, unsupported_media_type, throttled."
        )
    )
    message = serializers.CharField()
    fields = serializers.DictField(
        child=ErrorDetailSerializer(many=True),
        help_text=(
            "The errors of each field (nested fields as `deliverables.0.title`); "
            f"`{NON_FIELD_ERRORS}` for the request as a whole."
        ),
    )


def _header(name: str, description: str, codes: list[int], type_=OpenApiTypes.STR):
    return OpenApiParameter(
        name,
        type=type_,
        location=OpenApiParameter.HEADER,
        response=codes,
        description=description,
        required=False,
    )


class ApiAutoSchema(AutoSchema):
    """drf-spectacular's schema plus what every operation of this API shares: the error
    responses it may answer, 304, the response headers, and CSV described as text."""

    def _is_read(self) -> bool:
        return self.method in ("GET", "HEAD")

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self._is_read():
            parameters += [
                _header("ETag", "Send it back in `If-None-Match`.", [200, 304]),
                _header("Last-Modified", "Send it back in `If-Modified-Since`.", [200, 304]),
                OpenApiParameter(
                    "If-None-Match",
                    type=OpenApiTypes.STR,
                    location=OpenApiParameter.HEADER,
                    required=False,
                    description="An `ETag` received before: 304 if unchanged.",
                ),
                OpenApiParameter(
                    "If-Modified-Since",
                    type=OpenApiTypes.STR,
                    location=OpenApiParameter.HEADER,
                    required=False,
                    description="A `Last-Modified` received before: 304 if unchanged.",
                ),
            ]
            if self._is_list_view() and self._get_paginator():
                parameters.append(_header("Link", 'The next page, `rel="next"`.', [200]))
        parameters.append(
            _header("Retry-After", "Seconds to wait before trying again.", [429], OpenApiTypes.INT)
        )
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, response in responses.items():
            content = response.get("content", {})
            if code.startswith("2") and "text/csv" in content:
                content["text/csv"] = {
                    "schema": {
                        "type": "string",
                        "description": (
                            "One row per record; nested objects as `partner.name` columns, "
                            "lists joined with `;`."
                        ),
                    }
                }

        def error(code: int, description: str) -> None:
            responses.setdefault(
                str(code),
                self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=description),
                    str(code),
                    media_types=["application/json"],
                    direction=direction,
                ),
            )

        has_lookup = "{" in self.path
        if self._is_read():
            responses.setdefault(
                "304",
                {
                    "description": "Not modified since the given validator.",
                    "headers": {
                        name: {"schema": {"type": "string"}, "description": text}
                        for name, text in (
                            ("ETag", "As sent with the 200 response."),
                            ("Last-Modified", "As sent with the 200 response."),
                        )
                    },
                },
            )
        error(400, "Invalid input: the message of each field says why.")
        error(401, "The token is not valid or was revoked, or a write without a token.")
        if not self._is_read():
            error(403, "The token's owner may not do this.")
        if has_lookup or not self._is_read():
            error(404, "No such record, or not visible to this client.")
        error(406, "Unknown `format` or `Accept`.")
        if not self._is_read():
            error(415, "The request body is not JSON.")
        if self.method in ("PUT", "PATCH"):
            error(409, "Someone saved the record since you read it: read it again.")
        error(429, "Too many requests: wait `Retry-After` seconds.")
        return dict(sorted(responses.items()))

    def _get_parameters(self):
        parameters = super()._get_parameters()
        for parameter in parameters:
            if parameter["in"] == "query":
                # As in the website's forms, an empty parameter is one not given.
                parameter["allowEmptyValue"] = True
        return parameters

    def get_auth(self):
        auths = super().get_auth()
        if self.method in SAFE_METHODS and {} not in auths:
            auths.append({})  # reads need no token
        return auths

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "response":
            # The objects are exactly as documented: clients and tests may rely on it.
            schema["additionalProperties"] = False
        return schema


# The names of shared choice sets: the project's (SPECTACULAR_SETTINGS, which `check --deploy`
# uses too), and those each app adds when its serializers are imported
# (`ENUM_NAME_OVERRIDES["LevelEnum"] = Level.choices`). A choice set has one name only.
ENUM_NAME_OVERRIDES: dict[str, Any] = dict(
    getattr(settings, "SPECTACULAR_SETTINGS", {}).get("ENUM_NAME_OVERRIDES", {})
)

SCHEMA_SETTINGS = {
    "TITLE": "Coalition Registry API",
    "DESCRIPTION": API_DESCRIPTION,
    "VERSION": "1.0.0",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": ENUM_NAME_OVERRIDES,
}


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 document, YAML by default, JSON with `?format=json`."""

    custom_settings = SCHEMA_SETTINGS
    throttle_classes = []

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        # drf-spectacular caches the enum names by language only, whatever the settings of the
        # view that asked first: start from ours.
        _load_enum_name_overrides.cache_clear()
        return super().get(request, *args, **kwargs)


# Swagger UI without the inline <style> of drf-spectacular's page, which the site's Content
# Security Policy refuses; its assets come from drf-spectacular-sidecar (static files), so the
# page loads nothing from another host.
DOCS_PAGE = """{% load static %}<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
{% if favicon_href %}<link rel="icon" href="{{ favicon_href }}">{% endif %}
<link rel="stylesheet" href="{{ swagger_ui_css }}">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{{ swagger_ui_bundle }}"></script>
<script src="{{ swagger_ui_standalone }}"></script>
<script src="{{ script_url }}"></script>
</body>
</html>
"""
DOCS_TEMPLATE_NAME = "coalition/api-docs.html"


class _DocsRenderer(TemplateHTMLRenderer):
    def resolve_template(self, template_names):
        if template_names == [DOCS_TEMPLATE_NAME]:
            return engines["django"].from_string(DOCS_PAGE)
        return super().resolve_template(template_names)


class DocsView(SpectacularSwaggerSplitView):
    """Interactive documentation at /api/v1/docs/."""

    renderer_classes = [_DocsRenderer]
    template_name = DOCS_TEMPLATE_NAME
    title = "Coalition Registry API"
    url_name = "api:schema"
    throttle_classes = []

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        # validatorUrl: Swagger UI would otherwise ask validator.swagger.io about the schema.
        ui_settings = {"deepLinking": True, "validatorUrl": None, "tryItOutEnabled": False}
        with patched_settings({"SWAGGER_UI_SETTINGS": ui_settings}):
            return super().get(request, *args, **kwargs)


class ApiRootView(ApiViewMixin, APIRootView):
    """The list of resources, with links to the schema and the docs."""

    @extend_schema(
        summary="List the resources",
        responses={
            200: {
                "type": "object",
                "additionalProperties": {"type": "string", "format": "uri"},
                "description": "The address of each resource, of the schema and of the docs.",
            }
        },
    )
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response.data["schema"] = request.build_absolute_uri("schema/")
        response.data["docs"] = request.build_absolute_uri("docs/")
        return response


class ApiRouter(DefaultRouter):
    """Path converters (`<int:pk>`) rather than regexes, so the schema types the ids."""

    APIRootView = ApiRootView
    include_format_suffixes = False

    def __init__(self):
        super().__init__(use_regex_path=False)


def _query_enum(name: str, values: list, description: str, type_=OpenApiTypes.STR):
    return OpenApiParameter(
        name, type=type_, location=OpenApiParameter.QUERY, enum=values, description=description
    )


# The vocabulary filters with their codes, which drf-spectacular cannot read from the database
# (a code outside the list is 400).
VOCABULARY_FILTERS = {
    "constituency": _query_enum(
        "constituency",
        [term.code for term in vocabularies.CONSTITUENCIES],
        "Constituency (see `constituencies/`).",
    ),
    "thematic_area": _query_enum(
        "thematic_area",
        [term.code for term in vocabularies.THEMATIC_AREAS],
        "Thematic area (see `thematic-areas/`).",
    ),
    "priority": _query_enum(
        "priority",
        [term.code for term in vocabularies.PRIORITIES],
        "Initial priority (see `priorities/`).",
    ),
    "sdg": _query_enum(
        "sdg",
        [goal.number for goal in vocabularies.SUSTAINABLE_DEVELOPMENT_GOALS],
        "Sustainable Development Goal, 1 to 17.",
        OpenApiTypes.INT,
    ),
    "region": _query_enum(
        "region",
        [row.m49 for row in vocabularies.m49_rows()],
        "UN M49 region, sub-region or intermediate region (see `regions/`).",
    ),
    "country": _query_enum(
        "country", [code for code, _name in countries], "Country, ISO 3166-1 alpha-2."
    ),
}


def vocabulary_filters(*names: str) -> list[OpenApiParameter]:
    return [VOCABULARY_FILTERS[name] for name in names]


# Declared here because the schema class is defined after the views' base classes.
ApiViewMixin.schema = ApiAutoSchema()


# Vocabularies ------------------------------------------------------------------------------------


class NamesSerializer(serializers.Serializer):
    en = serializers.CharField()
    fr = serializers.CharField()
    es = serializers.CharField()


def _names(row: dict) -> dict:
    return {"en": row["name_en"], "fr": row["name_fr"], "es": row["name_es"]}


class ThematicAreaSerializer(serializers.Serializer):
    """One of the six areas of immediate action of the Coalition."""

    code = serializers.SlugField()
    names = NamesSerializer()
    position = serializers.IntegerField()


class PrioritySerializer(ThematicAreaSerializer):
    """One of the four initial priorities of the Coalition."""

    description_en = serializers.CharField(allow_blank=True)


class ConstituencySerializer(ThematicAreaSerializer):
    """One of the eight kinds of organization the Coalition is open to."""


class SdgSerializer(serializers.Serializer):
    """One of the 17 Sustainable Development Goals."""

    number = serializers.IntegerField(min_value=1, max_value=17)
    names = NamesSerializer()
    colour = serializers.CharField(help_text="Colour of its official icon, `#RRGGBB`.")


class RegionSerializer(serializers.Serializer):
    """A UN M49 region, sub-region or intermediate region, with its countries."""

    m49 = serializers.CharField()
    kind = serializers.ChoiceField(choices=Region.Kind.choices)
    parent = serializers.CharField(allow_null=True, help_text="M49 code of the larger region.")
    names = NamesSerializer()
    countries = serializers.ListField(
        child=serializers.CharField(), help_text="ISO 3166-1 alpha-2 codes."
    )


def vocabulary_schema(serializer_class):
    """Documents a vocabulary endpoint: a `{"results": [...]}` list (one page, no cursor) and
    a record."""
    envelope = type(
        f"{serializer_class.__name__.removesuffix('Serializer')}List",
        (serializers.Serializer,),
        {"results": serializer_class(many=True)},
    )
    return extend_schema_view(
        list=extend_schema(responses=extend_schema_serializer(many=False)(envelope)),
        retrieve=extend_schema(responses=serializer_class),
    )


def csv_columns_of(serializer, prefix: str = "") -> list[str]:
    """The CSV columns of a representation: nested objects as `partner.name` columns."""
    columns = []
    for name, field in serializer.fields.items():
        if isinstance(field, serializers.Serializer):
            columns += csv_columns_of(field, f"{prefix}{name}.")
        else:
            columns.append(f"{prefix}{name}")
    return columns


@vocabulary_schema(ThematicAreaSerializer)
class ThematicAreaViewSet(VocabularyViewSet):
    queryset = ThematicArea.objects.order_by("position", "code")
    lookup_field = "code"
    csv_columns = csv_columns_of(ThematicAreaSerializer())

    def represent(self, row):
        return {"code": row["code"], "names": _names(row), "position": row["position"]}


@vocabulary_schema(PrioritySerializer)
class PriorityViewSet(VocabularyViewSet):
    queryset = Priority.objects.order_by("position", "code")
    lookup_field = "code"
    csv_columns = csv_columns_of(PrioritySerializer())

    def represent(self, row):
        return {
            "code": row["code"],
            "names": _names(row),
            "position": row["position"],
            "description_en": row["description_en"],
        }


@vocabulary_schema(ConstituencySerializer)
class ConstituencyViewSet(VocabularyViewSet):
    queryset = Constituency.objects.order_by("position", "code")
    lookup_field = "code"
    csv_columns = csv_columns_of(ConstituencySerializer())

    def represent(self, row):
        return {"code": row["code"], "names": _names(row), "position": row["position"]}


@vocabulary_schema(SdgSerializer)
class SdgViewSet(VocabularyViewSet):
    queryset = SustainableDevelopmentGoal.objects.order_by("number")
    lookup_field = "number"
    lookup_value_converter = "int"
    csv_columns = csv_columns_of(SdgSerializer())

    def represent(self, row):
        return {"number": row["number"], "names": _names(row), "colour": row["colour"]}


@vocabulary_schema(RegionSerializer)
class RegionViewSet(VocabularyViewSet):
    queryset = Region.objects.order_by("m49")
    lookup_field = "m49"
    csv_columns = csv_columns_of(RegionSerializer())

    def rows(self):
        return list(
            self.get_queryset().values(
                "m49",
                "kind",
                "name_en",
                "name_fr",
                "name_es",
                "countries",
                parent_m49=F("parent__m49"),
            )
        )

    def represent(self, row):
        return {
            "m49": row["m49"],
            "kind": row["kind"],
            "parent": row["parent_m49"],
            "names": _names(row),
            "countries": row["countries"].split(",") if row["countries"] else [],
        }
