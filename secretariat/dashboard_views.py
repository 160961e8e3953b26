"""The public dashboard, its CSV downloads and the printable annual "state of the Coalition"."""

import csv
from datetime import date

from django.core.files.storage import default_storage
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coalition.api import csv_cell
from commitments.filters import CommitmentFilter
from commitments.models import Commitment, Deliverable
from secretariat import dashboard, stats
from secretariat import open_data as open_data_files

FIRST_YEAR, LAST_YEAR = 2023, 2100  # the Coalition was launched in 2023


def _figures(request, filterset, partners, commitments) -> dict:
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


def index(request):
    filterset, partners, commitments = dashboard.filter_querysets(request.GET)
    figures = _figures(request, filterset, partners, commitments)
    query = dashboard.filter_query(filterset)
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
            "filter_names": dashboard.DASHBOARD_FILTERS,
            "map": dashboard.world_map(figures["countries"], filterset),
            "countries": dashboard.country_links(figures["countries"], filterset),
            "query": query,
            "browser_url": reverse("commitments:list") + (f"?{query}" if query else ""),
        },
    )


def figure_csv(request, slug: str):
    """One figure's table as CSV, for the same filters as the page."""
    if slug not in stats.FIGURES_BY_SLUG and slug not in ("growth", "countries"):
        raise Http404
    filterset, partners, commitments = dashboard.filter_querysets(request.GET)
    rows = _figures(request, filterset, partners, commitments)[slug]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}.csv"'
    columns = list(rows[0]) if rows else ["code", "label", "value"]
    writer = csv.writer(response, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(row.get(column)) for column in columns])
    return response


def report(request, year: int | None = None):
    """The "state of the Coalition" in a year: what ran that year, printable."""
    if year is None:
        chosen = request.GET.get("year", "")
        if chosen.isdigit() and FIRST_YEAR <= int(chosen) <= LAST_YEAR:
            return redirect("dashboard:report", year=int(chosen))
        year = date.today().year
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404
    filterset = CommitmentFilter({"year": str(year)}, queryset=Commitment.objects.public())
    commitments = filterset.qs.order_by()
    end_of_year = date(year, 12, 31)
    partners = dashboard.Organization.objects.public().filter(approved_at__date__lte=end_of_year)

    def build() -> dict:
        figures = stats.compute(partners=partners, commitments=commitments)
        figures["new_partners"] = partners.filter(approved_at__year=year).count()
        figures["new_commitments"] = commitments.filter(first_published_at__year=year).count()
        due = Deliverable.objects.filter(
            commitment__in=commitments.values("pk"), due_date__year=year
        )
        counts = dict(
            due.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
        )
        figures["deliverables_due"] = [
            {"code": status.value, "label": str(status.label), "value": counts.get(status, 0)}
            for status in Deliverable.Status
        ]
        return figures

    figures = stats.cached(("report", year), build)
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
        )
    ]
    return render(
        request,
        "dashboard/report.html",
        {
            "year": year,
            "years": range(FIRST_YEAR, max(date.today().year, FIRST_YEAR) + 1),
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
