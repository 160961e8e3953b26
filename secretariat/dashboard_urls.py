from django.urls import path

from secretariat import dashboard_views

app_name = "dashboard"

urlpatterns = [
    path("", dashboard_views.index, name="index"),
    path("data/<slug:slug>.csv", dashboard_views.figure_csv, name="csv"),
    path("report/", dashboard_views.report, name="report_choose"),
    path("report/<int:year>/", dashboard_views.report, name="report"),
    path("open-data/", dashboard_views.open_data, name="open_data"),
    path("open-data/<str:name>", dashboard_views.open_data_file, name="open_data_file"),
]
