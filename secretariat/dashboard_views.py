"""The public dashboard, its CSV downloads and the printable annual "state of the Coalition"."""

import csv

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coalition.api import csv_cell
from secretariat import dashboard, stats
from secretariat import open_data as open_data_files
from secretariat.stats import FIRST_YEAR, LAST_YEAR


def _figures(request, filterset, partners, commitments) -> dict:
    """Without a filter, the stored summary (one query); else computed and briefly cached."""
    if not dashboard.filter_query(filterset):
        return stats.summary(stats.DASHBOARD_KEY)
    key = ("dashboard", sorted(filterset.form.data.items()))
    return stats.cached(key, lambda: stats.compute(partners=partners, commitments=commitments))


def _charts(figures: dict, query: str, specs=stats.FIGURES) -> list[dict]:
    charts = []
    for spec in specs:
        rows = figures[spec.slug]
        charts.append(
            {
                "spec": spec,
                "rows": rows,
                "chart": dashboard.bars(rows, money=spec.money),
                "csv_url": reverse("dashboard:csv", kwargs={"slug": spec.slug})
                + (f"?{query}" if query else ""),
            }
        )
    return charts


GROWTH_FIGURES = (
    stats.FigureSpec(
        "partners", gettext_lazy("Partners, running total by year"), gettext_lazy("Partners")
    ),
    stats.FigureSpec(
        "commitments",
        gettext_lazy("Commitments published, running total by year"),
        gettext_lazy("Commitments"),
    ),
)


def _growth_charts(rows: list[dict], query: str) -> list[dict]:
    csv_url = reverse("dashboard:csv", kwargs={"slug": "growth"}) + (f"?{query}" if query else "")
    charts = []
    for spec in GROWTH_FIGURES:
        bars = [{"label": str(row["year"]), "value": row[spec.slug]} for row in rows]
        charts.append(
            {"spec": spec, "rows": bars, "chart": dashboard.bars(bars), "csv_url": csv_url}
        )
    return charts


def _map_and_filters(figures: dict, filterset) -> tuple[dict, str]:
    """The world map and the filter form (its five choice lists are five queries), drawn once
    for the same language and filters: without filters until the summary is recomputed, with
    filters as long as their figures are cached."""
    data = sorted(filterset.form.data.items())
    if data:
        key, seconds = stats.cache_key(("dashboard-page", data)), stats.CACHE_SECONDS
    else:
        key = stats.cache_key(("dashboard-first-view", figures["computed_at"].timestamp()))
        seconds = int(2 * stats.SUMMARY_MAX_AGE.total_seconds())
    parts = cache.get(key) if seconds > 0 else None
    if parts is None:
        parts = (
            dashboard.world_map(figures["countries"], filterset),
            render_to_string(
                "dashboard/_filters.html",
                {"filter": filterset, "filter_names": dashboard.DASHBOARD_FILTERS},
            ),
        )
        if seconds > 0:
            cache.set(key, parts, seconds)
    return parts


def index(request):
    filterset, partners, commitments = dashboard.filter_querysets(request.GET)
    figures = _figures(request, filterset, partners, commitments)
    query = dashboard.filter_query(filterset)
    world_map, filters_html = _map_and_filters(figures, filterset)
    return render(
        request,
        "dashboard/index.html",
        {
            "filter": filterset,
            "figures": figures,
            "totals": figures["totals"],
            "charts": _charts(figures, query),
            "growth": figures["growth"],
            "growth_charts": _growth_charts(figures["growth"], query),
            "map": world_map,
            "filters_html": filters_html,
            "countries": dashboard.country_links(figures["countries"], filterset),
            "query": query,
            "browser_url": reverse("commitments:list") + (f"?{query}" if query else ""),
        },
    )


def _csv_columns(slug: str) -> tuple[list[str], list[str]]:
    """The keys of a figure's rows to write, and their headings (named here: the summary table
    stores rows as JSON objects, whose key order PostgreSQL does not keep)."""
    spec = stats.FIGURES_BY_SLUG.get(slug)
    if spec and spec.money:  # the rows' `value` is the amount pledged
        columns = ["code", "label", "currency", "value", "mobilised"]
        return columns, ["pledged" if column == "value" else column for column in columns]
    columns = {
        "growth": ["year", "new_partners", "new_commitments", "partners", "commitments"],
        "countries": ["code", "label", "commitments", "partners"],
        "commitments_by_sdg": ["code", "label", "value", "colour"],
    }.get(slug, ["code", "label", "value"])
    return columns, columns


def figure_csv(request, slug: str):
    """One figure's table as CSV, for the same filters as the page."""
    if slug not in stats.FIGURES_BY_SLUG and slug not in ("growth", "countries"):
        raise Http404
    filterset, partners, commitments = dashboard.filter_querysets(request.GET)
    rows = _figures(request, filterset, partners, commitments)[slug]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}.csv"'
    columns, header = _csv_columns(slug)
    writer = csv.writer(response, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(row.get(column)) for column in columns])
    return response


def report(request, year: int | None = None):
    """The "state of the Coalition" in a year: what ran that year, printable."""
    this_year = timezone.localdate().year
    if year is None:
        chosen = request.GET.get("year", "")
        if chosen.isdigit() and FIRST_YEAR <= int(chosen) <= LAST_YEAR:
            return redirect("dashboard:report", year=int(chosen))
        year = this_year
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404
    if year <= this_year:
        figures = stats.summary(stats.report_key(year))
    else:  # years to come: rarely asked for, so not kept in the summary table
        figures = stats.cached(("report", year), lambda: dashboard.report_figures(year))
    themes = figures["commitments_by_thematic_area"]
    gaps = sorted(themes, key=lambda row: (row["value"], row["code"]))[:3]
    specs = [
        stats.FIGURES_BY_SLUG[slug]
        for slug in (
            "partners_by_constituency",
            "partners_by_region",
            "commitments_by_thematic_area",
            "commitments_by_sdg",
            "deliverables_by_status",
            "commitments_by_reporting_status",
            "resources_by_thematic_area",
            "resources_by_region",
            "resources_by_constituency",
        )
    ]
    return render(
        request,
        "dashboard/report.html",
        {
            "year": year,
            "years": range(FIRST_YEAR, max(this_year, FIRST_YEAR) + 1),
            "figures": figures,
            "totals": figures["totals"],
            "gaps": gaps,
            "charts": _charts(figures, f"year={year}", specs),
            "title": _("The state of the Coalition in %(year)s") % {"year": year},
        },
    )


def open_data(request):
    """The bulk files of the last run, with their date and size."""
    return render(
        request,
        "dashboard/open_data.html",
        {
            "files": open_data_files.current_files(),
            "licence_name": open_data_files.LICENCE_NAME,
            "licence_url": open_data_files.LICENCE_URL,
        },
    )


def open_data_file(request, name: str):
    for item in open_data_files.current_files():
        if item["name"] == name:
            response = FileResponse(
                default_storage.open(item["path"]), as_attachment=True, filename=name
            )
            response["Cache-Control"] = "public, max-age=3600"
            return response
    raise Http404
