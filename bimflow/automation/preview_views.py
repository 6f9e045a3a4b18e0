"""Previews for the automation pages: what a cron expression means and when it fires
next, and which versions a batch would cover, before anything is saved or queued."""

from __future__ import annotations

import zoneinfo
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from bimflow.automation.services.batches import batch_preview
from bimflow.automation.services.workflows import cron_check, timezone_check
from bimflow.projects.views import get_project

NEXT_RUNS = 5


def cron_preview(*, cron: str, tz: str | None, now: datetime | None = None) -> dict:
    """A sentence for the expression and its next run times (aware, in `tz`)."""
    from cron_descriptor import Options, get_description
    from croniter import croniter

    cron = cron_check(cron)
    tz = timezone_check(tz)
    options = Options()
    options.use_24hour_time_format = True
    options.verbose = True
    local = (now or timezone.now()).astimezone(zoneinfo.ZoneInfo(tz))
    it = croniter(cron, local)
    return {
        "cron": cron,
        "timezone": tz,
        "description": get_description(cron, options),
        "next_runs": [it.get_next(datetime) for _ in range(NEXT_RUNS)],
    }


class CronPreviewSerializer(serializers.Serializer):
    cron = serializers.CharField()
    timezone = serializers.CharField()
    description = serializers.CharField()
    next_runs = serializers.ListField(child=serializers.DateTimeField())


class CronPreview(APIView):
    """A cron expression in words and its next five run times (in `timezone`, default
    the server's)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("cron", str, required=True),
            OpenApiParameter("timezone", str),
        ],
        responses={200: CronPreviewSerializer},
    )
    def get(self, request):
        tz = request.query_params.get("timezone") or settings.TIME_ZONE
        data = cron_preview(cron=request.query_params.get("cron", ""), tz=tz)
        return Response(CronPreviewSerializer(data).data)


class BatchPreviewRequestSerializer(serializers.Serializer):
    model_filter = serializers.CharField(required=False, default="*", allow_blank=True)
    versions = serializers.JSONField(
        required=False, default="latest", help_text='"latest", "all" or a list of version ids'
    )


class PreviewVersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    model = serializers.IntegerField(source="model_id")
    model_name = serializers.CharField(source="model.name")
    number = serializers.IntegerField()
    element_count = serializers.IntegerField(allow_null=True)


class BatchPreviewSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    max_batch_versions = serializers.IntegerField()
    versions = PreviewVersionSerializer(many=True)


class BatchPreview(APIView):
    """The ready versions a batch with this model filter and selection would run on."""

    @extend_schema(request=BatchPreviewRequestSerializer, responses={200: BatchPreviewSerializer})
    def post(self, request, project_id: int):
        project = get_project(request, project_id)
        ser = BatchPreviewRequestSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        selected = batch_preview(
            project=project,
            model_filter=ser.validated_data.get("model_filter") or "*",
            versions=ser.validated_data.get("versions"),
        )
        data = {
            "count": len(selected),
            "max_batch_versions": settings.BIMFLOW_MAX_BATCH_VERSIONS,
            "versions": selected,
        }
        return Response(BatchPreviewSerializer(data).data)
