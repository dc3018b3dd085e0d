"""A business's own host: the dashboard, each app's pages, and the API under /api/v1/."""

from django.conf import settings
from django.urls import include, path, re_path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from apps.accounts import api as accounts_api
from apps.appointments import api as appointments_api
from apps.campaigns import api as campaigns_api
from apps.contacts import api as contacts_api
from apps.feedback import api as feedback_api
from apps.journeys import api as journeys_api
from apps.loyalty import api as loyalty_api
from apps.messaging import api as messaging_api
from apps.webhooks import api as webhooks_api
from cxsuite.health import healthz

# A path no view matches, an exception outside any view (in middleware): API paths still get
# the API's error body.
handler404 = "cxsuite.lib.api.not_found"
handler500 = "cxsuite.lib.api.server_error"

router = DefaultRouter()
router.register("users", accounts_api.UserViewSet, basename="user")
router.register("invitations", accounts_api.InvitationViewSet, basename="invitation")

api_urlpatterns = [path("me/", accounts_api.MeView.as_view(), name="me")]
contacts_api.register(router, api_urlpatterns)
messaging_api.register(router, api_urlpatterns)
appointments_api.register(router, api_urlpatterns)
webhooks_api.register(router, api_urlpatterns)
campaigns_api.register(router, api_urlpatterns)
journeys_api.register(router, api_urlpatterns)
feedback_api.register(router, api_urlpatterns)
loyalty_api.register(router, api_urlpatterns)
api_urlpatterns += router.urls

urlpatterns = [
    path("api/v1/", include((api_urlpatterns, "api"))),  # first: the hottest path resolves fastest
    path("", include("apps.dashboard.urls")),
    path("", include("apps.contacts.urls")),
    path("", include("apps.messaging.urls")),
    path("", include("apps.appointments.urls")),
    path("", include("apps.loyalty.urls")),
    path("", include("apps.feedback.urls")),
    path("", include("apps.notifications.urls")),
    path("", include("apps.webhooks.urls")),
    path("", include("apps.campaigns.urls")),
    path("", include("apps.journeys.urls")),
    path("", include("apps.accounts.urls")),
    path("api/schema/", SpectacularAPIView.as_view(urlconf=__name__), name="api_schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    path("healthz", healthz, name="healthz"),
    # e-mail providers' delivery, bounce, open and click webhooks (django-anymail)
    path("webhooks/email/", include("anymail.urls")),
]

if settings.SERVE_MEDIA:
    urlpatterns.append(
        re_path(r"^media/(?P<path>.+)$", serve, {"document_root": settings.MEDIA_ROOT})
    )
