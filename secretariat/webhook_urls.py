"""The account pages of webhooks, included by coalition/urls.py at /accounts/webhooks/."""

from django.urls import path

from secretariat import webhook_views

app_name = "webhooks"

urlpatterns = [
    path("", webhook_views.webhook_list, name="list"),
    path("new/", webhook_views.webhook_create, name="create"),
    path("<int:pk>/", webhook_views.webhook_detail, name="detail"),
    path("<int:pk>/edit/", webhook_views.webhook_edit, name="edit"),
    path("<int:pk>/delete/", webhook_views.webhook_delete, name="delete"),
]
