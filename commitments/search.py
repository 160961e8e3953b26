"""Full-text search of commitments: a stored tsvector on PostgreSQL, a plain fallback on SQLite.

Each commitment's vector is built in the configuration of its own language (English, French and
Spanish stemming; `simple` for the other languages) from its title (weight A), summary (B),
description, expected results and deliverables (C). A query is parsed in every configuration and
the results OR-ed, so that a visitor finds a French commitment with a French word whatever the
interface language, and the GIN index still serves the constant query.

The vector is refreshed by the services after each change of content (`refresh_search_vector`),
and in bulk by `refresh_search_vectors` for data loaded without them.
"""

from django.contrib.postgres.search import SearchVector
from django.contrib.postgres.search import SearchVectorField as _PostgresSearchVectorField
from django.db import connection, migrations
from django.db.models import BooleanField, Case, Expression, FloatField, Q, QuerySet, Value, When

SEARCH_CONFIGS = {"en": "english", "fr": "french", "es": "spanish"}
DEFAULT_SEARCH_CONFIG = "simple"
QUERY_CONFIGS = ("english", "french", "spanish", "simple")


def search_config(language: str) -> str:
    return SEARCH_CONFIGS.get(language, DEFAULT_SEARCH_CONFIG)


class SearchVectorField(_PostgresSearchVectorField):
    """Django's tsvector field, usable without `django.contrib.postgres` in INSTALLED_APPS.

    The demo runs on SQLite, where the column exists (SQLite accepts any type name) and stays
    empty; nothing of `django.contrib.postgres` beyond the field and its `@@` lookup is used.
    """

    def _check_postgres_installed(self, *args):
        return []


class PostgreSQLOnly(migrations.RunSQL):
    """A RunSQL that runs on PostgreSQL only: GIN indexes do not exist on SQLite (the demo)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def is_full_text_available() -> bool:
    return connection.vendor == "postgresql"


def _document_vector(config: str, deliverables_text: str):
    return (
        SearchVector("title", config=config, weight="A")
        + SearchVector("summary", config=config, weight="B")
        + SearchVector("description", "expected_results", config=config, weight="C")
        + SearchVector(Value(deliverables_text), config=config, weight="C")
    )


def _deliverables_text(commitment_id: int) -> str:
    from commitments.models import Deliverable

    rows = Deliverable.objects.filter(commitment_id=commitment_id).values_list(
        "title", "indicator", "target"
    )
    return " ".join(" ".join(row) for row in rows)


def refresh_search_vector(commitment) -> None:
    """Rebuilds one commitment's vector after its content changed (a no-op on SQLite)."""
    if not is_full_text_available():
        return
    from commitments.models import Commitment

    Commitment.objects.filter(pk=commitment.pk).update(
        search_vector=_document_vector(
            search_config(commitment.language), _deliverables_text(commitment.pk)
        )
    )


def refresh_search_vectors(queryset: QuerySet) -> int:
    """Rebuilds the vectors of many commitments (after a bulk load); returns how many."""
    if not is_full_text_available():
        return 0
    count = 0
    for pk, language in queryset.values_list("pk", "language").iterator():
        from commitments.models import Commitment

        count += Commitment.objects.filter(pk=pk).update(
            search_vector=_document_vector(search_config(language), _deliverables_text(pk))
        )
    return count


class WebSearch(Expression):
    """A test of the listed row's stored vector against `text` parsed as a web search in every
    configuration of QUERY_CONFIGS, OR-ed: `"table"."search_vector" @@ (<tsquery>)`, or, as
    `rank()`, its ts_rank. The SQL Django's SearchQuery and SearchRank write, without building
    and resolving their nine expressions at each request (~1 ms of a search page's 7 ms,
    bench/report.md)."""

    conditional = True
    output_field = BooleanField()
    template = "{vector} @@ ({query})"

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def rank(self) -> "WebSearchRank":
        return WebSearchRank(self.text)

    def as_sql(self, compiler, connection):
        quote = connection.ops.quote_name
        vector = f"{quote(compiler.query.get_initial_alias())}.{quote('search_vector')}"
        query = " || ".join(
            f"websearch_to_tsquery('{config}'::regconfig, %s)" for config in QUERY_CONFIGS
        )
        return self.template.format(vector=vector, query=query), [self.text] * len(QUERY_CONFIGS)


class WebSearchRank(WebSearch):
    """The ts_rank of the row's vector against WebSearch's query. A class of its own rather than
    a WebSearch given another template: Django takes expressions of one class and arguments for
    equal (an ORDER BY of one becomes a reference to the other selected), and the rank is not
    the test."""

    conditional = False
    output_field = FloatField()
    template = "ts_rank({vector}, ({query}))"


def search_commitments(queryset: QuerySet, text: str, *, ranked: bool = True) -> QuerySet:
    """Commitments matching `text`, annotated with `search_rank` unless not `ranked` (the API,
    which has no order by relevance).

    PostgreSQL: the stored vector, ranked (a title match weighs most). SQLite: every word must
    appear in the title, summary, description or a deliverable (case-insensitive).
    """
    text = text.strip()
    if not text:
        return queryset
    if is_full_text_available():
        match = WebSearch(text)
        queryset = queryset.filter(match)
        return queryset.annotate(search_rank=match.rank()) if ranked else queryset
    from commitments.models import Deliverable

    for word in text.split():
        in_deliverables = Deliverable.objects.filter(
            Q(title__icontains=word) | Q(indicator__icontains=word) | Q(target__icontains=word)
        ).values("commitment_id")
        queryset = queryset.filter(
            Q(title__icontains=word)
            | Q(summary__icontains=word)
            | Q(description__icontains=word)
            | Q(pk__in=in_deliverables)
        )
    if not ranked:
        return queryset
    # No ranking function on SQLite: a commitment whose title has the first word comes first.
    first = text.split()[0]
    return queryset.annotate(
        search_rank=Case(
            When(title__icontains=first, then=Value(1.0)),
            default=Value(0.0),
            output_field=FloatField(),
        )
    )
