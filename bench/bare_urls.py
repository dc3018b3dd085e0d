"""One bare DRF view: no authentication, permission or throttle, and no database query.

It answers /api/v1/me/ with the same JSON shape as the tenant API's MeView, so that the
throughput bench compares the cost of the tenant stack and nothing else.
"""

from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView


class BareMeView(APIView):
    authentication_classes = []
    permission_classes = []
    throttle_classes = []

    def get(self, request):
        return Response(
            {
                "business": "Bench Co",
                "time_zone": "America/New_York",
                "kind": "api_key",
                "name": "bench",
                "role": None,
                "scopes": ["read"],
            }
        )


urlpatterns = [path("api/v1/me/", BareMeView.as_view(), name="me")]
