from django.urls import path

from partners import views

app_name = "partners"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("<int:pk>/", views.profile, name="profile"),
    path("join/", views.apply, name="apply"),
    path("workspace/", views.workspace, name="workspace"),
    path("workspace/<int:pk>/edit/", views.organization_edit, name="organization_edit"),
    path("workspace/<int:pk>/members/", views.members, name="members"),
    path(
        "workspace/<int:pk>/members/<int:membership_pk>/",
        views.membership_change,
        name="membership_change",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
