from django.urls import path

from secretariat import views

app_name = "good_practices"

urlpatterns = [
    path("", views.good_practice_list, name="list"),
    path("mine/", views.good_practice_mine, name="mine"),
    path("new/", views.good_practice_create, name="create"),
    path("<int:pk>/", views.good_practice_detail, name="detail"),
    path("<int:pk>/edit/", views.good_practice_edit, name="edit"),
    path("<int:pk>/submit/", views.good_practice_submit, name="submit"),
    path("<int:pk>/files/", views.good_practice_attachment_add, name="attachment_add"),
    path("<int:pk>/files/<int:file_pk>/", views.good_practice_attachment, name="attachment"),
    path(
        "<int:pk>/files/<int:file_pk>/delete/",
        views.good_practice_attachment_delete,
        name="attachment_delete",
    ),
]
