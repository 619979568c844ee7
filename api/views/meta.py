from drf_spectacular.renderers import OpenApiJsonRenderer
from drf_spectacular.utils import extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from focushub import health

_READINESS = inline_serializer(
    "Readiness", {"status": serializers.CharField(), "checks": serializers.DictField(child=serializers.CharField())}
)


class HealthView(APIView):
    """Liveness: the process answers."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(responses=inline_serializer("Health", {"status": serializers.CharField()}))
    def get(self, request):
        return Response({"status": "ok"})


class ReadyView(APIView):
    """Readiness: the database and (when configured) Redis answer."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: _READINESS, 503: _READINESS})
    def get(self, request):
        checks = health.readiness()
        ok = all(value == "ok" for value in checks.values())
        return Response({"status": "ok" if ok else "unavailable", "checks": checks}, status=200 if ok else 503)


class OpenApiView(SpectacularAPIView):
    """The OpenAPI 3 document, always as JSON."""

    authentication_classes = []
    permission_classes = [AllowAny]
    renderer_classes = [OpenApiJsonRenderer]


class DocsView(SpectacularSwaggerView):
    """Swagger UI for the document above; its assets are served locally (works offline)."""

    authentication_classes = []
    permission_classes = [AllowAny]
