"""Full-text search of good practices, built like the commitments' (commitments/search.py, whose
helpers it reuses): a stored tsvector in the configuration of the practice's language, with a GIN
index, on PostgreSQL; every word must appear somewhere (icontains) on SQLite, the demo database.
"""

from django.contrib.postgres.search import SearchVector
from django.db.models import Case, FloatField, Q, QuerySet, Value, When

from commitments.search import WebSearch, is_full_text_available, search_config


def _document_vector(config: str):
    return (
        SearchVector("title", config=config, weight="A")
        + SearchVector("summary", config=config, weight="B")
        + SearchVector("what_worked", "results", config=config, weight="C")
    )


def refresh_search_vector(practice) -> None:
    """Rebuilds one practice's vector after its text changed (a no-op on SQLite)."""
    if not is_full_text_available():
        return
    from secretariat.models import GoodPractice

    GoodPractice.objects.filter(pk=practice.pk).update(
        search_vector=_document_vector(search_config(practice.language))
    )


def search_good_practices(queryset: QuerySet, text: str) -> QuerySet:
    """Practices matching `text`, annotated with `search_rank` (a title match first)."""
    text = text.strip()
    if not text:
        return queryset
    if is_full_text_available():
        match = WebSearch(text)
        return queryset.filter(match).annotate(search_rank=match.rank())
    for word in text.split():
        queryset = queryset.filter(
            Q(title__icontains=word)
            | Q(summary__icontains=word)
            | Q(what_worked__icontains=word)
            | Q(results__icontains=word)
        )
    first = text.split()[0]
    return queryset.annotate(
        search_rank=Case(
            When(title__icontains=first, then=Value(1.0)),
            default=Value(0.0),
            output_field=FloatField(),
        )
    )
