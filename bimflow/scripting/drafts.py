"""Test runs from the editor: unsaved code runs as a revision of the user's private
draft script (one per user, hidden from the library), so that the run keeps its exact
code and provenance like any other execution, without adding revisions to the script
being edited."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from bimflow.core.errors import ServiceError
from bimflow.projects.models import ModelVersion
from bimflow.projects.views import get_version
from bimflow.scripting import selectors
from bimflow.scripting.models import Category, Execution, Runtime, Script
from bimflow.scripting.params import schema_check
from bimflow.scripting.serializers import ExecutionSerializer
from bimflow.scripting.services import code_check, execution_create, revision_add

# Slugs the library never makes (slugify strips a leading underscore) and refuses.
DRAFT_PREFIX = "_draft-"
DRAFT_NAME = "Test run (unsaved draft)"


def draft_slug(user) -> str:
    return f"{DRAFT_PREFIX}{user.pk}"


@transaction.atomic
def script_test_run(
    *,
    user,
    version: ModelVersion,
    code: str,
    parameters_schema: dict | None,
    parameters: dict | None,
) -> Execution:
    """Run unsaved code (and schema) on a version as the user's draft script.

    1. Check the code compiles and the schema is JSON Schema (as saving would).
    2. Get or create the user's draft script (private, no project).
    3. Add a revision when the code or schema differ from the draft's current one.
    4. Queue an execution like any other (parameters validated against the schema)."""
    code_check(code)
    schema = parameters_schema or {"type": "object", "properties": {}}
    schema_check(schema)
    script, _ = Script.objects.get_or_create(
        slug=draft_slug(user),
        defaults={
            "name": DRAFT_NAME,
            "description": "Code run from the editor before it was saved.",
            "category": Category.CUSTOM,
            "runtime": Runtime.PYTHON,
            "owner": user,
            "is_public": False,
            "parameters_schema": schema,
        },
    )
    rev = script.current_revision
    if rev is None or rev.code != code or rev.parameters_schema != schema:
        revision_add(script=script, code=code, parameters_schema=schema, user=user)
    return execution_create(script=script, version=version, parameters=parameters, user=user)


class TestRunSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    code = serializers.CharField(trim_whitespace=False)
    parameters_schema = serializers.JSONField(required=False)
    parameters = serializers.JSONField(required=False, default=dict)


class ScriptTestRun(APIView):
    """Run code from the editor on a version without saving it (as your private draft)."""

    @extend_schema(request=TestRunSerializer, responses={201: ExecutionSerializer})
    def post(self, request):
        ser = TestRunSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        try:
            version = get_version(request, data["version"])
        except Http404:
            raise ServiceError("There is no version you can see with that id.", field="version")
        execution = script_test_run(
            user=request.user,
            version=version,
            code=data["code"],
            parameters_schema=data.get("parameters_schema"),
            parameters=data.get("parameters"),
        )
        execution = selectors.execution_get(request.user, execution.pk)
        return Response(ExecutionSerializer(execution).data, status=status.HTTP_201_CREATED)
