from django.contrib.auth import authenticate, get_user_model, login, logout
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.authtoken.models import Token
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from bimflow.accounts import services
from bimflow.accounts.models import Membership, Role
from bimflow.accounts.permissions import require_role
from bimflow.accounts.serializers import (
    LoginSerializer,
    MembershipSerializer,
    TokenSerializer,
    UserBriefSerializer,
    UserSerializer,
)

User = get_user_model()


def _authenticate(request):
    data = LoginSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    user = authenticate(
        request, username=data.validated_data["username"], password=data.validated_data["password"]
    )
    if user is None:
        raise ValidationError({"detail": "Wrong username or password."})
    return user


@extend_schema(request=None, responses={200: None})
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
@ensure_csrf_cookie
def csrf(request):
    """Sets the `csrftoken` cookie for browser sessions."""
    return Response({"detail": "CSRF cookie set."})


@extend_schema(request=LoginSerializer, responses={200: UserSerializer})
@api_view(["POST"])
@permission_classes([AllowAny])
def login_view(request):
    """Session login for the browser."""
    user = _authenticate(request)
    login(request._request, user)
    return Response(UserSerializer(user).data)


@extend_schema(request=None, responses={204: None})
@api_view(["POST"])
@permission_classes([AllowAny])
def logout_view(request):
    logout(request._request)
    return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(request=LoginSerializer, responses={200: TokenSerializer})
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
def token(request):
    """Exchange a username and password for an API token (`Authorization: Token ...`)."""
    user = _authenticate(request)
    tok, _ = Token.objects.get_or_create(user=user)
    return Response({"token": tok.key})


@extend_schema(responses={200: UserSerializer})
@api_view(["GET"])
def me(request):
    return Response(UserSerializer(request.user).data)


class MemberList(generics.GenericAPIView):
    serializer_class = MembershipSerializer
    pagination_class = None

    def get(self, request, project_id: int):
        require_role(request.user, project_id)
        members = Membership.objects.filter(project_id=project_id).select_related("user")
        return Response(self.get_serializer(members.order_by("user__username"), many=True).data)

    def post(self, request, project_id: int):
        require_role(request.user, project_id, Role.ADMIN)
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        membership = services.membership_add(
            project_id=project_id,
            role=ser.validated_data["role"],
            user_id=ser.validated_data.get("user_id"),
            username=ser.validated_data.get("user", {}).get("username"),
        )
        return Response(self.get_serializer(membership).data, status=status.HTTP_201_CREATED)


class MemberDetail(APIView):
    serializer_class = MembershipSerializer

    def patch(self, request, project_id: int, user_id: int):
        require_role(request.user, project_id, Role.ADMIN)
        role = request.data.get("role")
        membership = services.membership_update(project_id=project_id, user_id=user_id, role=role)
        return Response(MembershipSerializer(membership).data)

    def delete(self, request, project_id: int, user_id: int):
        require_role(request.user, project_id, Role.ADMIN)
        services.membership_remove(project_id=project_id, user_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserSearch(generics.ListAPIView):
    """Active users by username prefix, so project admins can add members."""

    serializer_class = UserBriefSerializer

    def get_queryset(self):
        q = self.request.query_params.get("search", "")
        qs = User.objects.filter(is_active=True).order_by("username")
        if q:
            qs = qs.filter(username__istartswith=q)
        return qs
