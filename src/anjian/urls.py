from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from anjian.api import api
from anjian.core import contributions
from anjian.core import views as core_views
from anjian.core.file_views import serve_file
from anjian.orgs import views as org_views

admin.site.site_header = "安监 运维后台"
admin.site.site_title = "安监 运维后台"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    # Browsers and bookmarks ask for /favicon.ico whatever the page links.
    path("favicon.ico", RedirectView.as_view(url=static("anjian/favicon.ico"), permanent=True)),
    # Stored files, only through the scoped view: MEDIA_URL is deliberately not served.
    path(
        "files/<str:app_label>/<str:model_name>/<int:pk>/<str:field>/",
        serve_file,
        name="file",
    ),
    path("inbox/", core_views.inbox, name="inbox"),
    path("inbox/<int:pk>/", core_views.notification_open, name="notification_open"),
    path("login/", core_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/password/", org_views.password_change, name="password_change"),
    # each app's pages, as the app declares them (anjian.core.contributions)
    *[path(pages.prefix, include(pages.urlconf)) for pages in contributions.pages()],
    path("api/v1/", api.urls),
    # The admin's own password form would change a password past the service (no audit
    # row, tokens kept): operators change theirs on the account page like everyone.
    path("ops/password_change/", RedirectView.as_view(pattern_name="password_change")),
    path("ops/", admin.site.urls),
]

handler500 = "anjian.core.views.server_error"
