"""Loads a large, deterministic registry for benchmarks: 10,000 partners and 100,000 commitments
with their vocabularies, deliverables and progress updates, in under 30 s on a 2-core machine
(`make bench` times each load: bench/report.md). Measured here: 25 to 26 s, of which 13.5 to
14.7 s the copy of the commitments (Python making the rows, with PostgreSQL reading them on the
other core), 5 s the index rebuild and 2 to 2.6 s the ANALYZE. On the same machine the loader
took 32 to 40 s when PostgreSQL computed the search vectors, and 31 s when each word of each text
was drawn. The machine's speed varies: the same load took from 24.5 to 29.9 s in one session
before the ANALYZE was split.

Rows go in through PostgreSQL's COPY (psycopg's `cursor.copy`): on these machines COPY loaded
100k commitments with their relations in 13 s where `bulk_create` took 30 s (NOTES-STACK.md).
The commitments' search vectors are written here too, as PostgreSQL would compute them
(`SearchVectors`), and a sample is checked against PostgreSQL's before the load commits.
The same seed gives the same rows, ids included, so benchmark runs compare. Only for a database
that holds nothing else: it refuses a registry with data unless `--reset` empties it first.

Some words are planted for the full-text benchmark: "zanzibarite" in exactly 25 commitments (a
rare word), "apprenticeship" in about a third of them (a common one).
"""

import random
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from operator import getitem

import orjson
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, transaction
from django_countries import countries

from coalition.models import Constituency, Priority, Region, ThematicArea
from coalition.vocabularies import m49_rows
from commitments.models import Commitment, Deliverable, ProgressUpdate, filter_keys_of
from commitments.search import DEFAULT_SEARCH_CONFIG, SEARCH_CONFIGS, search_config
from partners.models import Organization

SEED = 2026
PARTNERS = 10_000
COMMITMENTS = 100_000
RARE_WORD = "zanzibarite"
RARE_COUNT = 25
START = datetime(2024, 1, 1, tzinfo=UTC)
# The commitments whose search vector is compared with the one PostgreSQL computes.
CHECKED_VECTORS = 500
# The words of the random text that sentences are cut from.
TEXT_WORDS = 1_000_000

# fmt: off
WORDS = (
    "decent", "work", "social", "protection", "youth", "employment", "skills", "training",
    "women", "workers", "informal", "economy", "transition", "green", "jobs", "dialogue",
    "union", "employers", "minimum", "wage", "safety", "health", "child", "labour", "forced",
    "migration", "rural", "cooperatives", "enterprises", "finance", "pensions", "coverage",
    "inclusion", "disability", "equality", "rights", "standards", "inspection", "care",
    "economy", "digital", "platform", "supply", "chains", "climate", "resilience",
    "agriculture", "fisheries", "construction", "textile", "tourism",
)
# fmt: on
COMMON_WORD = "apprenticeship"

ORGANIZATION_STATUSES = (
    [Organization.Status.APPROVED] * 92
    + [Organization.Status.APPLIED] * 3
    + [Organization.Status.SUSPENDED] * 2
    + [Organization.Status.WITHDRAWN] * 2
    + [Organization.Status.REJECTED]
)
COMMITMENT_STATUSES = (
    [Commitment.Status.PUBLISHED] * 80
    + [Commitment.Status.COMPLETED] * 8
    + [Commitment.Status.WITHDRAWN] * 4
    + [Commitment.Status.DRAFT] * 4
    + [Commitment.Status.SUBMITTED] * 2
    + [Commitment.Status.RETURNED] * 2
)
LEVELS = ["national"] * 60 + ["regional"] * 25 + ["global"] * 15
LANGUAGES = ["en"] * 70 + ["fr"] * 15 + ["es"] * 15


class Command(BaseCommand):
    help = "Loads 10,000 partners and 100,000 commitments (PostgreSQL, for benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Empty the partners and commitments tables first (a benchmark database only).",
        )
        parser.add_argument("--partners", type=int, default=PARTNERS)
        parser.add_argument("--commitments", type=int, default=COMMITMENTS)

    def handle(self, *args, reset: bool, partners: int, commitments: int, **options):
        if connection.vendor != "postgresql":
            raise CommandError("seed_scale loads through PostgreSQL's COPY: set DATABASE_URL.")
        if not reset and (Organization.objects.exists() or Commitment.objects.exists()):
            raise CommandError(
                "The registry has data. seed_scale is for a benchmark database: run it with "
                "--reset to empty the partners and commitments tables first."
            )
        started = time.monotonic()
        loader = Loader(
            random.Random(SEED),
            partners=partners,
            commitments=commitments,
            log=self.stdout.write if options["verbosity"] > 1 else None,
        )
        with transaction.atomic(), connection.cursor() as cursor:
            if reset:
                loader.reset(cursor)
            counts = loader.load(cursor)
        loader.step("committed")
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE partners_organization, commitments_deliverable, "
                "commitments_progressupdate, commitments_commitment_thematic_areas, "
                "commitments_commitment_sdgs, commitments_commitment_regions"
            )
            # The search vector's statistics target (1000, migration 0002) makes ANALYZE read
            # every commitment; computing every other column's statistics from all of them too
            # took 2.6 s more than from the default sample.
            table = Commitment._meta.db_table
            others = [column for column in _columns(Commitment) if column != "search_vector"]
            cursor.execute(f"ANALYZE {table} (search_vector)")
            cursor.execute(f"ANALYZE {table} ({', '.join(others)})")
        loader.step("analyzed")
        elapsed = time.monotonic() - started
        summary = ", ".join(f"{count:,} {name}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Loaded {summary} in {elapsed:.1f} s."))


def codes_of(**arrays) -> dict:
    """The commitment's code arrays and filter keys (commitments.models.filter_keys_of), as
    PostgreSQL array literals: COPY takes them as text, where psycopg would adapt each list
    (the codes need no quoting)."""
    arrays["filter_keys"] = filter_keys_of(**arrays)
    return {name: "{" + ",".join(map(str, values)) + "}" for name, values in arrays.items()}


def _columns(model) -> list[str]:
    return [field.column for field in model._meta.concrete_fields]


# The vocabulary relations of a commitment and the columns of their tables.
M2M = {
    "thematic_areas": ["commitment_id", "thematicarea_id"],
    "sdgs": ["commitment_id", "sustainabledevelopmentgoal_id"],
    "priorities": ["commitment_id", "priority_id"],
    "regions": ["commitment_id", "region_id"],
}


class Entries(dict):
    """The entries of a tsvector literal at one position and weight, by word: the word's lexeme
    quoted, and the position ("'work':12C"). The vocabulary's lexemes are lowercase letters, with
    no quote to escape; numbers, the words not in the vocabulary, are their own lexemes."""

    def __init__(self, lexemes: dict[str, str], position: str):
        super().__init__((word, f"'{lexeme}':{position}") for word, lexeme in lexemes.items())
        self.position = position

    def __missing__(self, number: str) -> str:
        return f"'{number}':{self.position}"


class SearchVectors:
    """The stored vector of commitments.search (`_document_vector`), written here as a tsvector
    literal: PostgreSQL computing the 100k vectors with `to_tsvector` took 11 to 13 s after the
    copy, on one core, where the literals cost about 3 s of Python, and PostgreSQL about 3 s to
    read them while the rows are still being made. The texts are words of the vocabulary and
    numbers, separated by spaces: PostgreSQL gives the lexeme of each word once per
    configuration, and each word of a text is an entry of the literal at its position
    (PostgreSQL merges the entries of a lexeme as it reads the literal). `check` compares a
    sample with the vectors PostgreSQL computes."""

    def __init__(self, cursor, configs: set[str]):
        words = [*WORDS, COMMON_WORD, RARE_WORD]
        words += [word.capitalize() for word in words]  # a title's first word
        cursor.execute(
            "SELECT config, word, tsvector_to_array(to_tsvector(config::regconfig, word)) "
            "FROM unnest(%s::text[]) AS config, unnest(%s::text[]) AS word",
            [sorted(configs), words],
        )
        self.lexemes = defaultdict(dict)
        for config, word, lexemes in cursor.fetchall():
            # The literal gives each word one entry, at its rank in the text: a stop word (no
            # lexeme) would take a position without an entry, and move where `||` appends.
            if len(lexemes) != 1:
                raise CommandError(f"{word!r} has lexemes {lexemes} in {config}, not one.")
            self.lexemes[config][word] = lexemes[0]
        # By configuration and weight, the entries of each position from 1, made as needed.
        self.entries: dict[tuple[str, str], list[Entries]] = defaultdict(list)

    def literal(self, language: str, parts: list[tuple[str, str]]) -> str:
        """The vector of `parts`, (weight, text) pairs concatenated in order: as `||` does, the
        positions of a part follow the last position of the parts before."""
        config = search_config(language)
        entries = []
        end = 0
        for weight, text in parts:
            words = text.split()
            positions = self.entries_up_to(config, weight, end + len(words))
            entries += map(getitem, positions[end : end + len(words)], words)
            end += len(words)
        return " ".join(entries)

    def entries_up_to(self, config: str, weight: str, last: int) -> list[Entries]:
        positions = self.entries[config, weight]
        for position in range(len(positions) + 1, last + 1):
            positions.append(Entries(self.lexemes[config], f"{position}{weight}"))
        return positions

    def check(self, cursor, ids: range) -> int:
        """Compares the vectors of CHECKED_VECTORS commitments spread over `ids` with the ones
        PostgreSQL computes as commitments.search does; raises on a difference. Returns how
        many were compared."""
        sample = list(ids[:: max(1, len(ids) // CHECKED_VECTORS)])
        cursor.execute(
            f"""
            WITH deliverables AS (
                SELECT commitment_id,
                       string_agg(title || ' ' || indicator || ' ' || target, ' '
                                  ORDER BY position, id) AS text
                FROM {Deliverable._meta.db_table}
                WHERE commitment_id = ANY(%(ids)s)
                GROUP BY commitment_id
            ), computed AS (
                SELECT commitment.id, commitment.search_vector,
                       setweight(to_tsvector(config, title), 'A')
                       || setweight(to_tsvector(config, summary), 'B')
                       || setweight(to_tsvector(config, description || ' ' || expected_results),
                                    'C')
                       || setweight(to_tsvector(config, COALESCE(deliverables.text, '')), 'C')
                          AS vector
                FROM {Commitment._meta.db_table} AS commitment
                CROSS JOIN LATERAL (
                    SELECT COALESCE(%(configs)s::jsonb ->> language, %(default)s)::regconfig
                           AS config
                ) AS language
                LEFT JOIN deliverables ON deliverables.commitment_id = commitment.id
                WHERE commitment.id = ANY(%(ids)s)
            )
            SELECT id FROM computed WHERE search_vector IS DISTINCT FROM vector ORDER BY id
            """,
            {
                "ids": sample,
                "configs": orjson.dumps(SEARCH_CONFIGS).decode(),
                "default": DEFAULT_SEARCH_CONFIG,
            },
        )
        differing = [pk for (pk,) in cursor.fetchall()]
        if differing:
            raise CommandError(
                f"The search vectors written differ from PostgreSQL's for {len(differing)} of "
                f"{len(sample)} commitments, ids {differing[:10]}..."
            )
        return len(sample)


class Loader:
    def __init__(self, rng: random.Random, *, partners: int, commitments: int, log=None):
        self.rng = rng
        self.text = rng.choices(WORDS, k=TEXT_WORDS)
        self.log = log
        self.clock = time.monotonic()
        self.partner_count = partners
        self.commitment_count = commitments
        self.constituencies = list(Constituency.objects.order_by("pk").values_list("pk", flat=True))
        # Ids and codes: the relations take the ids, the commitment's arrays the codes.
        self.themes = dict(ThematicArea.objects.order_by("pk").values_list("pk", "code"))
        self.priorities = dict(Priority.objects.order_by("pk").values_list("pk", "code"))
        regions = dict(Region.objects.values_list("m49", "pk"))
        self.region_codes = {pk: m49 for m49, pk in regions.items()}
        # The sub-regions with their countries: a partner works in its own.
        self.sub_regions = [
            (regions[row.m49], row.countries) for row in m49_rows() if row.kind == "sub-region"
        ]
        self.countries = [code for code, _name in countries]
        if not (self.constituencies and self.themes and self.sub_regions):
            raise CommandError("The vocabularies are missing: run the migrations first.")

    def reset(self, cursor) -> None:
        tables = [model._meta.db_table for model in (Organization, Commitment)]
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        self.step("tables emptied")

    def step(self, what: str) -> None:
        if self.log:
            now = time.monotonic()
            self.log(f"{now - self.clock:6.2f} s  {what}")
            self.clock = now

    def copy(self, cursor, table: str, columns: list[str], rows) -> int:
        count = 0
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        self.step(f"{table}: {count:,} rows")
        return count

    def when(self, low: datetime, high: datetime) -> datetime:
        span = (high - low).total_seconds()
        return low + timedelta(seconds=self.rng.random() * span)

    def sentence(self, words: int) -> str:
        """`words` words running from a random place of a long random text: one draw per
        sentence, where drawing each word cost a fifth of the rows' making."""
        start = self.rng.randrange(len(self.text) - words)
        return " ".join(self.text[start : start + words])

    # Partners --------------------------------------------------------------------------------

    def organizations(self):
        rng = self.rng
        self.approved = []
        now = START + timedelta(days=700)
        for pk in range(1, self.partner_count + 1):
            region, region_countries = rng.choice(self.sub_regions)
            country = rng.choice(region_countries)
            status = rng.choice(ORGANIZATION_STATUSES)
            created = self.when(START, now)
            approved_at = (
                created + timedelta(days=rng.randint(1, 30))
                if status in ("approved", "suspended", "withdrawn")
                else None
            )
            if status == "approved":
                self.approved.append(pk)
            self.organization_regions.append((pk, region))
            yield {
                "id": pk,
                "created_at": created,
                "updated_at": (approved_at or created) + timedelta(seconds=rng.randint(0, 9999)),
                "name": f"Scale partner {pk:05}",
                "acronym": f"SP{pk}",
                "constituency_id": rng.choice(self.constituencies),
                "country": country,
                "countries": ",".join(sorted(set(rng.sample(region_countries, 1)))),
                "website": f"https://partner{pk}.example.org",
                "description": self.sentence(25),
                "logo": "",
                "languages": orjson.dumps(rng.sample(["en", "fr", "es", "ar", "pt"], 2)).decode(),
                "status": status,
                "status_changed_at": approved_at or created,
                "approved_at": approved_at,
            }

    # Commitments -----------------------------------------------------------------------------

    def commitment_rows(self):
        rng = self.rng
        rare = set(rng.sample(range(1, self.commitment_count + 1), RARE_COUNT))
        now = START + timedelta(days=720)
        deliverable_pk = progress_pk = 0
        for pk in range(1, self.commitment_count + 1):
            status = rng.choice(COMMITMENT_STATUSES)
            level = rng.choice(LEVELS)
            created = self.when(START, now - timedelta(days=20))
            start = created.date() + timedelta(days=rng.randint(-60, 60))
            end = start + timedelta(days=rng.randint(180, 1500))
            public = status in ("published", "completed", "withdrawn")
            published = created + timedelta(days=rng.randint(1, 15)) if public else None
            updated = (published or created) + timedelta(seconds=rng.randint(0, 2_000_000))
            region, region_countries = rng.choice(self.sub_regions)
            region_codes = []
            if level == "national":
                codes = rng.sample(region_countries, 1)
            elif level == "regional":
                codes = rng.sample(region_countries, min(len(region_countries), rng.randint(0, 3)))
                self.commitment_regions.append((pk, region))
                region_codes = [self.region_codes[region]]
            else:
                codes = []
            themes = rng.sample(list(self.themes), rng.randint(1, 2))
            for theme in themes:
                self.commitment_themes.append((pk, theme))
            goals = rng.sample(range(1, 18), rng.randint(1, 3))
            for goal in goals:
                self.commitment_sdgs.append((pk, goal))
            priorities = []
            if rng.random() < 0.6:
                priorities = [rng.choice(list(self.priorities))]
                self.commitment_priorities.append((pk, priorities[0]))
            description = self.sentence(40)
            if rng.random() < 0.33:
                description += f" {COMMON_WORD}"
            if pk in rare:
                description += f" {RARE_WORD}"
            reason = ""
            if status == "withdrawn":
                reason = "Funding ended."
            elif status == "returned":
                reason = "Add a measurable target."
            amount = Decimal(rng.randint(0, 5_000_000)) if rng.random() < 0.5 else None
            words = []
            for position in range(rng.randint(1, 3)):
                deliverable_pk += 1
                due = start + timedelta(days=rng.randint(30, max(31, (end - start).days)))
                deliverable = {
                    "id": deliverable_pk,
                    "created_at": created,
                    "updated_at": created,
                    "commitment_id": pk,
                    "position": position,
                    "title": self.sentence(6),
                    "indicator": self.sentence(5),
                    "baseline": "0",
                    "target": str(rng.randint(10, 5000)),
                    "due_date": min(due, end),
                    "status": rng.choice(["planned", "on_track", "delayed", "achieved"]),
                    "status_changed_at": None,
                }
                self.deliverables.append(deliverable)
                words.append(
                    f"{deliverable['title']} {deliverable['indicator']} {deliverable['target']}"
                )
            row = {
                "id": pk,
                "created_at": created,
                "updated_at": updated,
                "title": f"{self.sentence(5).capitalize()} {pk}",
                "summary": self.sentence(15),
                "description": description,
                "level": level,
                "countries": ",".join(sorted(codes)),
                "start_date": start,
                "end_date": end,
                "resource_types": orjson.dumps(
                    rng.sample(["financial", "in-kind", "staff"], rng.randint(0, 2))
                ).decode(),
                "resources_description": self.sentence(8),
                "resources_amount": amount,
                "resources_currency": "USD" if amount is not None else "",
                "expected_results": self.sentence(12),
                "language": rng.choice(LANGUAGES),
                "links": orjson.dumps([f"https://example.org/report/{pk}"]).decode(),
                "status": status,
                "status_changed_at": published or created,
                "status_reason": reason,
                "submitted_at": created + timedelta(hours=1) if status != "draft" else None,
                "first_published_at": published,
                "published_at": published,
                "last_edited_at": None,
                "lock_version": 1,
                "created_by_id": None,
                "last_edited_by_id": None,
                "lead_organization_id": rng.choice(self.approved),
                "submitted_by_id": None,
                # The codes of the relations above, as the services keep them on the row.
                **codes_of(
                    theme_codes=sorted(self.themes[theme] for theme in themes),
                    priority_codes=[self.priorities[priority] for priority in priorities],
                    sdg_numbers=sorted(goals),
                    region_codes=region_codes,
                    country_codes=sorted(codes),
                ),
            }
            # The parts of commitments.search's document, in its order.
            row["search_vector"] = self.vectors.literal(
                row["language"],
                [
                    ("A", row["title"]),
                    ("B", row["summary"]),
                    ("C", f"{description} {row['expected_results']}"),
                    ("C", " ".join(words)),
                ],
            )
            yield row
            if status in ("published", "completed"):
                for _update in range(rng.randint(0, 2)):
                    progress_pk += 1
                    moment = self.when(published, updated) if updated > published else published
                    self.progress.append(
                        {
                            "id": progress_pk,
                            "created_at": moment,
                            "updated_at": moment,
                            "commitment_id": pk,
                            "author_id": None,
                            "date": moment.date(),
                            "narrative": self.sentence(30),
                            "links": "[]",
                            "resources_mobilised": None,
                            "evidence_level": "self_reported",
                            "validated_by_id": None,
                            "validated_at": None,
                            "hidden": False,
                            "hidden_reason": "",
                            "hidden_by_id": None,
                            "hidden_at": None,
                        }
                    )

    def load(self, cursor) -> dict[str, int]:
        self.organization_regions: list[tuple[int, int]] = []
        self.commitment_regions: list[tuple[int, int]] = []
        self.commitment_themes: list[tuple[int, int]] = []
        self.commitment_sdgs: list[tuple[int, int]] = []
        self.commitment_priorities: list[tuple[int, int]] = []
        self.deliverables: list[dict] = []
        self.progress: list[dict] = []
        counts = {}
        tables = [
            Organization._meta.db_table,
            Organization.regions.through._meta.db_table,
            Commitment._meta.db_table,
            *(getattr(Commitment, name).through._meta.db_table for name in M2M),
            Deliverable._meta.db_table,
            ProgressUpdate._meta.db_table,
        ]
        self.bulk_settings(cursor)
        indexes = self.drop_indexes(cursor, tables)

        columns = _columns(Organization)
        counts["partners"] = self.copy(
            cursor,
            Organization._meta.db_table,
            columns,
            ([row[column] for column in columns] for row in self.organizations()),
        )
        self.copy(
            cursor,
            Organization.regions.through._meta.db_table,
            ["organization_id", "region_id"],
            self.organization_regions,
        )
        self.vectors = SearchVectors(cursor, {search_config(language) for language in LANGUAGES})
        columns = _columns(Commitment)
        counts["commitments"] = self.copy(
            cursor,
            Commitment._meta.db_table,
            columns,
            ([row[column] for column in columns] for row in self.commitment_rows()),
        )
        for name, rows in (
            ("thematic_areas", self.commitment_themes),
            ("sdgs", self.commitment_sdgs),
            ("priorities", self.commitment_priorities),
            ("regions", self.commitment_regions),
        ):
            self.copy(cursor, getattr(Commitment, name).through._meta.db_table, M2M[name], rows)
        for model, rows, name in (
            (Deliverable, self.deliverables, "deliverables"),
            (ProgressUpdate, self.progress, "progress updates"),
        ):
            columns = _columns(model)
            counts[name] = self.copy(
                cursor,
                model._meta.db_table,
                columns,
                ([row[column] for column in columns] for row in rows),
            )
        checked = self.vectors.check(cursor, range(1, counts["commitments"] + 1))
        self.step(f"search vectors of {checked} commitments equal PostgreSQL's")
        for model in (Organization, Commitment, Deliverable, ProgressUpdate):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
        self.restore_indexes(cursor, indexes)
        return counts

    def bulk_settings(self, cursor) -> None:
        """For this transaction only: more memory to build indexes, no wait for the WAL flush,
        and no foreign-key triggers (the rows are consistent by construction), where the
        database role may skip them (a superuser; elsewhere they run, slower)."""
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute("SET LOCAL synchronous_commit = off")
        try:
            with transaction.atomic():
                cursor.execute("SET LOCAL session_replication_role = replica")
        except DatabaseError:
            self.step("foreign keys checked (the role may not skip them)")

    def drop_indexes(self, cursor, tables: list[str]) -> list[str]:
        """Drops the secondary indexes of `tables` (a bulk load then rebuilds each once, rather
        than updating it row by row); returns their definitions. Constraints stay."""
        cursor.execute(
            """
            SELECT indexname, indexdef FROM pg_indexes
            WHERE schemaname = current_schema() AND tablename = ANY(%s)
              AND indexname NOT IN (SELECT conname FROM pg_constraint)
            ORDER BY indexname
            """,
            [tables],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        self.step(f"{len(indexes)} indexes dropped")
        return [definition for _name, definition in indexes]

    def restore_indexes(self, cursor, definitions: list[str]) -> None:
        for definition in definitions:
            cursor.execute(definition)
        self.step(f"{len(definitions)} indexes rebuilt")
