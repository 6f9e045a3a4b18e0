import hashlib

from django.core.cache import cache
from django.http import Http404, HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from bimflow.catalog import selectors
from bimflow.catalog.models import Element
from bimflow.catalog.serializers import (
    ELEMENT_FIELDS,
    DiffSerializer,
    ElementDetailSerializer,
    ElementSerializer,
    ElementWithPsetsSerializer,
    MetadataSerializer,
    StatisticsSerializer,
)
from bimflow.core.errors import ServiceError
from bimflow.projects.models import ModelVersion, VersionStatus
from bimflow.projects.views import get_version


def _ready_version(request, version_id: int) -> ModelVersion:
    version = get_version(request, version_id)
    if version.status != VersionStatus.READY:
        raise ServiceError(
            f"Version {version.number} of '{version.model.name}' is {version.status}; "
            "its catalog is available once it is ready.",
            status_code=409,
        )
    return version


@extend_schema(
    parameters=[
        OpenApiParameter("ifc_class", str, description="IFC class (comma-separated for several)"),
        OpenApiParameter("storey", str, description="Storey name"),
        OpenApiParameter(
            "storey_guid",
            str,
            description="Storey GlobalId, or 'none' for elements outside any storey",
        ),
        OpenApiParameter("search", str, description="Part of the name, GUID or type name"),
        OpenApiParameter("has_pset", str, description="Elements having this property set"),
        OpenApiParameter("ordering", str, description="guid, ifc_class, name, storey, type_name"),
        OpenApiParameter("fields", str, description="'psets' adds each element's property sets"),
    ]
)
class ElementList(generics.ListAPIView):
    def get_serializer_class(self):
        if self.request.query_params.get("fields") == "psets":
            return ElementWithPsetsSerializer
        return ElementSerializer

    def get_queryset(self):
        return self._queryset(_ready_version(self.request, self.kwargs["version_id"]))

    def _queryset(self, version: ModelVersion):
        p = self.request.query_params
        qs = selectors.element_list(
            version_id=version.pk,
            ifc_class=p.get("ifc_class"),
            storey=p.get("storey"),
            storey_guid=p.get("storey_guid"),
            search=p.get("search"),
            has_pset=p.get("has_pset"),
            ordering=p.get("ordering"),
        )
        if p.get("fields") != "psets":
            qs = qs.defer("properties")
        return qs

    def list(self, request, *args, **kwargs):
        if request.query_params.get("fields") == "psets":
            return super().list(request, *args, **kwargs)
        version = _ready_version(request, self.kwargs["version_id"])
        as_json = request.accepted_media_type == "application/json"  # not indented/browsable
        # A ready version's catalog never changes (a new upload is a new version), so a
        # page, once rendered, is kept in this process's cache: the permission check above
        # runs on every request, the count, the page query and the rendering do not.
        key = _page_key(request, version) if as_json else None
        body = cache.get(key) if key else None
        if body is None:
            # The plain fields straight from the rows: the same JSON as ElementSerializer
            # without building a model and a serializer field per value.
            page = self.paginate_queryset(self._queryset(version).values(*ELEMENT_FIELDS))
            response = self.get_paginated_response(list(page))
            if not key:
                return response
            body = JSONRenderer().render(response.data)
            if len(body) <= PAGE_CACHE_MAX_BYTES:
                cache.set(key, body, timeout=PAGE_CACHE_S)
        return HttpResponse(body, content_type="application/json")


# Rendered element pages stay cached this long (they cannot go stale: see ElementList).
# Big pages (page_size up to 1,000) are not kept: with the cache's 300 entries a process
# holds at most about 60 MB of pages (a default page of 100 elements is about 40 KB).
PAGE_CACHE_S = 600
PAGE_CACHE_MAX_BYTES = 200_000


def _page_key(request, version: ModelVersion) -> str:
    """The page's cache key: the version as it became ready, and the request's host and
    query (the `next`/`previous` links are absolute URLs)."""
    ready = version.ready_at.timestamp() if version.ready_at else 0
    query = request.META.get("QUERY_STRING", "")
    digest = hashlib.sha1(f"{request.get_host()}|{query}".encode()).hexdigest()
    return f"elements:{version.pk}:{ready}:{digest}"


class ElementDetail(generics.RetrieveAPIView):
    serializer_class = ElementDetailSerializer

    def get_object(self):
        version = _ready_version(self.request, self.kwargs["version_id"])
        element = (
            Element.objects.filter(version=version, guid=self.kwargs["guid"])
            .order_by("step_id")
            .first()
        )
        if element is None:
            raise Http404("No element with this GUID in this version.")
        return element


class VersionStatistics(APIView):
    """Counts by class and storey, property coverage, materials and systems (computed at
    ingest)."""

    @extend_schema(responses={200: StatisticsSerializer})
    def get(self, request, version_id: int):
        version = _ready_version(request, version_id)
        return Response(version.statistics)


class VersionMetadata(APIView):
    """The IFC header, schema, units, project/site/building and georeferencing."""

    @extend_schema(responses={200: MetadataSerializer})
    def get(self, request, version_id: int):
        version = _ready_version(request, version_id)
        return Response(version.metadata)


class VersionDiff(APIView):
    """Elements added, removed and changed (by GUID) from this version to `to`."""

    @extend_schema(
        parameters=[OpenApiParameter("to", int, required=True)],
        responses={200: DiffSerializer},
    )
    def get(self, request, version_id: int):
        version = _ready_version(request, version_id)
        to_id = request.query_params.get("to")
        if not (to_id and to_id.isdigit()):
            raise ServiceError("Give the version to compare with as ?to=<version id>.", field="to")
        other = _ready_version(request, int(to_id))
        if other.model.project_id != version.model.project_id:
            raise Http404("Not found.")
        return Response(selectors.version_diff(from_version_id=version.pk, to_version_id=other.pk))
