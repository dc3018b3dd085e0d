"""The business's URLs plus a resource no app has yet: its scopes appear on their own."""

from django.urls import include, path
from rest_framework import viewsets
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from cxsuite.urls_tenant import api_urlpatterns
from cxsuite.urls_tenant import urlpatterns as tenant_urlpatterns


class GadgetViewSet(viewsets.ViewSet):
    def list(self, request):
        return Response([])

    def create(self, request):
        return Response({}, status=201)


router = DefaultRouter()
router.register("gadgets", GadgetViewSet, basename="gadget")

urlpatterns = [
    path("api/v1/", include((api_urlpatterns + router.urls, "api"))),
    *tenant_urlpatterns[1:],
]
