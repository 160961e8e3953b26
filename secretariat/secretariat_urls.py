from django.urls import path

from secretariat import views

app_name = "secretariat"

urlpatterns = [
    path("desk/", views.desk, name="desk"),
    path("coordinating-group/", views.coordinating_group, name="coordinating_group"),
    path("coordinating-group/area/", views.coordinating_group_area, name="coordinating_group_area"),
    path("announcements/", views.announcement_list, name="announcements"),
    path("announcements/<int:pk>/", views.announcement_detail, name="announcement"),
]
