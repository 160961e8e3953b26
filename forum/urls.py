from django.urls import path

from forum import views

app_name = "forum"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:year>/", views.edition, name="edition"),
    path("<int:year>/programme.ics", views.edition_calendar, name="edition_calendar"),
    path("<int:year>/register/", views.register, name="register"),
    path("<int:year>/participants/", views.participants, name="participants"),
    path("sessions/<int:pk>/", views.session, name="session"),
    path("sessions/<int:pk>/calendar.ics", views.session_calendar, name="session_calendar"),
    path("registrations/<int:pk>/", views.registration, name="registration"),
    path("registrations/<int:pk>/cancel/", views.registration_cancel, name="registration_cancel"),
    path("discussions/", views.thread_list, name="thread_list"),
    path("discussions/new/", views.thread_create, name="thread_create"),
    path("discussions/<int:pk>/", views.thread, name="thread"),
    path("discussions/<int:pk>/reply/", views.thread_reply, name="thread_reply"),
    path("posts/<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("posts/<int:pk>/report/", views.post_report, name="post_report"),
]
