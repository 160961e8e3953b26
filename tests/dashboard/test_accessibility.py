"""axe in Chromium on the dashboard and the annual report, in the three languages."""

import pytest

from secretariat import open_data
from tests.browser import assert_accessible
from tests.factories import ProgressUpdateFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("prefix", ["", "/fr", "/es"])
def test_the_dashboard_passes_axe(live_server, page, registry, prefix, settings):
    settings.SITE_URL = live_server.url
    # An amount mobilised: the resources charts draw their second bars and legend.
    ProgressUpdateFactory(commitment=registry["first"], resources_mobilised="300.00")
    open_data.build()
    page.goto(f"{live_server.url}{prefix}/dashboard/open-data/")
    assert page.locator("table.open-data-list tbody tr").count() == 6
    assert_accessible(page)
    page.goto(f"{live_server.url}{prefix}/dashboard/")
    assert page.locator("svg.world-map a").count() > 150
    assert page.locator("#fig-resources_by_region ~ .figure-body .chart-legend li").count() == 2
    assert_accessible(page)
    page.goto(f"{live_server.url}{prefix}/dashboard/report/2025/")
    assert_accessible(page)


def test_a_country_of_the_map_opens_its_commitments(live_server, page, registry):
    page.goto(f"{live_server.url}/dashboard/")
    page.locator('svg.world-map a:has(path[data-country="KE"])').click()
    page.wait_for_url("**/commitments/?country=KE")
    assert "2" in page.locator("#results-heading").inner_text()
