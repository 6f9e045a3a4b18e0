from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from bimflow.core.services import health_report


@extend_schema(responses={200: dict})
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def health(request):
    """Database, broker, live workers and the sandbox protections they enforce."""
    report = health_report()
    return Response(report, status=200 if report["status"] == "ok" else 503)
