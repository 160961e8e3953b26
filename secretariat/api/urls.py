"""Included by coalition/api_urls.py at /api/v1/stats/ (the API's namespace)."""

from django.urls import path

from secretariat.api.views import StatsView

urlpatterns = [path("", StatsView.as_view(), name="stats")]
