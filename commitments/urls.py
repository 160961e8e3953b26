from django.urls import path

from commitments import views

app_name = "commitments"

urlpatterns = [
    path("", views.browse, name="list"),
    path("export.csv", views.export_csv, name="export"),
    path("new/", views.create, name="create"),
    path("new/autosave/", views.autosave, name="autosave_new"),
    path("new/autosave/discard/", views.autosave_discard, name="autosave_discard_new"),
    path("smart-score/", views.smart, name="smart"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/autosave/", views.autosave, name="autosave"),
    path("<int:pk>/autosave/discard/", views.autosave_discard, name="autosave_discard"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/withdraw/", views.decide, {"decision": "withdraw"}, name="withdraw"),
    path("<int:pk>/complete/", views.decide, {"decision": "complete"}, name="complete"),
    path("<int:pk>/discard-changes/", views.revision_discard, name="revision_discard"),
    path("<int:pk>/co-partnership/", views.copartner_respond, name="copartner_respond"),
    path("<int:pk>/progress/new/", views.progress_create, name="progress_create"),
    path("<int:pk>/evidence/<int:file_pk>/", views.evidence, name="evidence"),
]
