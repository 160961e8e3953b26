from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from coalition import accounts, tokens, views

# The admin logs in through allauth: verified email and two-factor authentication apply there too.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("coalition.api_urls")),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("accounts/profile/", accounts.profile, name="account_profile"),
    path("accounts/tokens/", tokens.api_tokens, name="account_tokens"),
    path("accounts/webhooks/", include("secretariat.webhook_urls")),
    path("accounts/", include("allauth.urls")),
    path("partners/", include("partners.urls")),
    path("commitments/", include("commitments.urls")),
    path("forum/", include("forum.urls")),
    path("notifications/", include("secretariat.urls")),
    path("good-practices/", include("secretariat.good_practice_urls")),
    path("secretariat/", include("secretariat.secretariat_urls")),
    path("dashboard/", include("secretariat.dashboard_urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

if settings.DEBUG:
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
