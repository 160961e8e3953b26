"""What the dashboard draws: the filtered querysets, bar charts and the world map, laid out in
Python so that the templates only write SVG elements (no JavaScript, no chart library, no
`style` attribute: the Content Security Policy refuses inline styles, SVG attributes are fine).

The world map comes from the npm package `world-atlas` (Natural Earth 1:110m countries as
TopoJSON, in node_modules like the other front-end packages); its arcs are decoded and
projected here once per process (equirectangular), and each country links to the commitments
browser filtered by that country.
"""

import functools
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django_countries import countries

from commitments.filters import CommitmentFilter
from commitments.models import Commitment, Deliverable
from partners.models import Organization
from secretariat import stats

WORLD_ATLAS = settings.BASE_DIR / "node_modules" / "world-atlas" / "countries-110m.json"

# The map's frame: longitudes -180..180, latitudes 84 N..58 S (Antarctica left out).
MAP_WIDTH = 960
NORTH, SOUTH = 84.0, -58.0
SCALE = MAP_WIDTH / 360
MAP_HEIGHT = round((NORTH - SOUTH) * SCALE)
ANTARCTICA = "010"

# Sequential blues (ColorBrewer), light to dark; the first is "none".
MAP_COLOURS = ("#e8edf2", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
BAR_COLOUR = "#1f5fa8"
CHART_WIDTH = 640
BAR_ROW = 34  # label line above a bar
MOBILISED_COLOUR = "#8c4a0c"  # 7:1 against white, and apart from the pledged blue for all eyes


# Filters -----------------------------------------------------------------------------------------

# The filters of the commitments browser that the dashboard offers (sorting and paging aside).
DASHBOARD_FILTERS = (
    "search",
    "thematic_area",
    "priority",
    "sdg",
    "constituency",
    "region",
    "country",
    "level",
    "status",
    "year",
    "partner",
)


def filter_querysets(data) -> tuple[CommitmentFilter, QuerySet[Organization], QuerySet]:
    """The commitments browser's FilterSet on public commitments, and the approved partners
    narrowed by the filters that apply to a partner (constituency, region and country of
    headquarters). An invalid filter is left out, as the browser does."""
    data = {key: data.get(key) for key in DASHBOARD_FILTERS if data.get(key)}
    filterset = CommitmentFilter(data, queryset=Commitment.objects.public())
    commitments = filterset.qs.order_by()  # validates: the cleaned data are the valid filters
    cleaned = filterset.form.cleaned_data
    partners = Organization.objects.public()
    if cleaned.get("constituency"):
        partners = partners.filter(constituency=cleaned["constituency"])
    if cleaned.get("country"):
        partners = partners.filter(country=cleaned["country"])
    if cleaned.get("region"):
        partners = partners.filter(country__in=cleaned["region"].country_codes)
    if cleaned.get("partner"):
        partners = partners.filter(pk=cleaned["partner"].pk)
    return filterset, partners, commitments


def report_figures(year: int) -> dict:
    """The figures of the annual report: the commitments running in the year, the partners
    approved by its end, what was new in it and the deliverables due in it."""
    filterset = CommitmentFilter({"year": str(year)}, queryset=Commitment.objects.public())
    commitments = filterset.qs.order_by()
    partners = Organization.objects.public().filter(approved_at__date__lte=date(year, 12, 31))
    figures = stats.compute(partners=partners, commitments=commitments)
    figures["new_partners"] = partners.filter(approved_at__year=year).count()
    figures["new_commitments"] = commitments.filter(first_published_at__year=year).count()
    due = Deliverable.objects.filter(commitment__in=commitments.values("pk"), due_date__year=year)
    counts = dict(
        due.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    figures["deliverables_due"] = [
        {"code": status.value, "label": str(status.label), "value": counts.get(status, 0)}
        for status in Deliverable.Status
    ]
    return figures


def filter_query(filterset: CommitmentFilter, **extra) -> str:
    """The valid filters as a query string (for links to the browser and the downloads)."""
    data, errors = filterset.form.data, filterset.form.errors
    params = {key: data[key] for key in DASHBOARD_FILTERS if data.get(key) and key not in errors}
    params.update({key: value for key, value in extra.items() if value})
    return urlencode(params)


# Bar charts --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | Decimal
    width: float
    y: int
    colour: str
    text: str
    # Money charts: the amount mobilised, drawn under the amount pledged.
    mobilised_width: float = 0
    mobilised_text: str = ""

    @property
    def text_x(self) -> float:
        return round(self.width + 6, 1)

    @property
    def mobilised_text_x(self) -> float:
        return round(self.mobilised_width + 6, 1)


MONEY_ROW = BAR_ROW + 18  # a second bar: the amount mobilised


def bars(rows: list[dict], *, money: bool = False) -> dict:
    """A horizontal bar chart: one bar per row (two for money: pledged, then mobilised), widths
    relative to the largest value."""
    values = [row["value"] for row in rows]
    if money:
        values += [row["mobilised"] for row in rows]
    largest = max(values, default=0) or 1
    usable = CHART_WIDTH - 90  # room for the value after the bar
    step = MONEY_ROW if money else BAR_ROW

    def width(value) -> float:
        return round(float(value) / float(largest) * usable, 1)

    drawn = []
    for index, row in enumerate(rows):
        value = row["value"]
        extra = {}
        if money:
            extra = {
                "mobilised_width": width(row["mobilised"]),
                "mobilised_text": f"{row['mobilised']:,.0f}",
            }
        drawn.append(
            Bar(
                label=row["label"] + (f" ({row['currency']})" if money else ""),
                value=value,
                width=width(value),
                y=index * step,
                colour=row.get("colour") or BAR_COLOUR,
                text=f"{value:,.0f}" if money else f"{value:,}",
                **extra,
            )
        )
    return {
        "bars": drawn,
        "width": CHART_WIDTH,
        "height": max(len(drawn), 1) * step,
        "money": money,
        "mobilised_colour": MOBILISED_COLOUR,
    }


# The world map -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    code: str  # ISO 3166-1 alpha-2, "" when world-atlas gives no id (disputed areas)
    path: str


def _project(lon: float, lat: float) -> tuple[float, float]:
    lat = max(min(lat, NORTH), SOUTH)
    return round((lon + 180) * SCALE, 1), round((NORTH - lat) * SCALE, 1)


@functools.cache
def world_shapes() -> tuple[Shape, ...]:
    """The countries of world-atlas as SVG paths, decoded from TopoJSON once per process."""
    topology = json.loads(WORLD_ATLAS.read_bytes())
    (scale_x, scale_y), (translate_x, translate_y) = (
        topology["transform"]["scale"],
        topology["transform"]["translate"],
    )
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:  # quantized and delta-encoded
            x, y = x + dx, y + dy
            points.append(_project(x * scale_x + translate_x, y * scale_y + translate_y))
        arcs.append(points)

    def ring(indexes: list[int]) -> str:
        points: list[tuple[float, float]] = []
        for index in indexes:
            arc = arcs[index] if index >= 0 else arcs[~index][::-1]
            points.extend(arc[1:] if points else arc)
        return "M" + "L".join(f"{x:g},{y:g}" for x, y in points) + "Z"

    shapes = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        numeric = geometry.get("id")
        if numeric == ANTARCTICA or geometry["type"] not in ("Polygon", "MultiPolygon"):
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        path = "".join(ring(rings) for polygon in polygons for rings in polygon)
        code = (countries.alpha2(numeric) or "") if numeric else ""
        shapes.append(Shape(code=code, path=path))
    return tuple(shapes)


def _classes(largest: int) -> list[tuple[int, int]]:
    """Five classes of equal width from 1 to the largest value (fewer when values are small)."""
    if largest <= 0:
        return []
    step = max(1, -(-largest // 5))
    return [(low, min(low + step - 1, largest)) for low in range(1, largest + 1, step)]


def world_map(country_rows: list[dict], filterset: CommitmentFilter) -> dict:
    """The choropleth of commitments per country, each country a link to its commitments."""
    by_code = {row["code"]: row for row in country_rows}
    classes = _classes(max((row["commitments"] for row in country_rows), default=0))
    browser = reverse("commitments:list")

    def colour(count: int) -> str:
        for index, (_low, high) in enumerate(classes, start=1):
            if count <= high:
                return MAP_COLOURS[index]
        return MAP_COLOURS[0]

    drawn = []
    for shape in world_shapes():
        row = by_code.get(shape.code, {})
        committed, partners = row.get("commitments", 0), row.get("partners", 0)
        name = str(countries.name(shape.code)) if shape.code else ""
        drawn.append(
            {
                "path": shape.path,
                "fill": colour(committed),
                "code": shape.code,
                "commitments": committed,
                "partners": partners,
                "href": f"{browser}?{filter_query(filterset, country=shape.code)}"
                if shape.code
                else "",
                "label": _("%(country)s: %(commitments)s commitments, %(partners)s partners")
                % {"country": name, "commitments": committed, "partners": partners},
            }
        )
    legend = [{"colour": MAP_COLOURS[0], "label": _("none")}] + [
        {
            "colour": MAP_COLOURS[index],
            "label": f"{low}" if low == high else f"{low}–{high}",
        }
        for index, (low, high) in enumerate(classes, start=1)
    ]
    return {
        "shapes": drawn,
        "svg": _shapes_svg(drawn),
        "legend": legend,
        "width": MAP_WIDTH,
        "height": MAP_HEIGHT,
    }


LINKED_SHAPE = (
    '<a href="{}" aria-label="{}"><path d="{}" fill="{}" stroke="#6b7785" stroke-width="0.4" '
    'data-country="{}" data-commitments="{}"><title>{}</title></path></a>'
)
PLAIN_SHAPE = (
    '<path d="{}" fill="{}" stroke="#6b7785" stroke-width="0.4" aria-hidden="true"></path>'
)


def _shapes_svg(shapes: list[dict]) -> str:
    """The countries as SVG elements, escaped by format_html: written here rather than by a
    template loop, which took most of the page's rendering time (176 countries)."""
    return mark_safe(  # every value is escaped by format_html
        "\n".join(
            format_html(
                LINKED_SHAPE,
                shape["href"],
                shape["label"],
                shape["path"],
                shape["fill"],
                shape["code"],
                shape["commitments"],
                shape["label"],
            )
            if shape["href"]
            else format_html(PLAIN_SHAPE, shape["path"], shape["fill"])
            for shape in shapes
        )
    )


def country_links(country_rows: list[dict], filterset: CommitmentFilter) -> list[dict]:
    browser = reverse("commitments:list")
    return [
        {**row, "href": f"{browser}?{filter_query(filterset, country=row['code'])}"}
        for row in country_rows
    ]
