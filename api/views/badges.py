"""Badge doors (docs/api.md): GET /badges (catalog with the caller's earned_at and progress),
POST /badges and PATCH /badges/{id} (admins only; criteria validated by the domain)."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from api.pagination import CatalogPagination
from api.serializers.badges import BadgeInput, BadgeOutput, RecentUnlockOutput, RecentUnlocksQuery
from focushub.badges import selectors, services
from focushub.errors import NotFound
from focushub.ids import parse_id
from focushub.timeline.selectors import recent_badge_unlocks


class AdminWrites(permissions.BasePermission):
    """Reads for every signed-in user; writes for admins (403 `forbidden` before the body is
    read). The services check again, so no other door can skip the rule."""

    message = "Only administrators can manage badges."

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or request.user.is_admin


def _write_args(request, data: dict) -> dict:
    upload = data.pop("image", None)
    if upload is not None:
        data["image"] = upload.read()
        data["media_base_url"] = request.build_absolute_uri(settings.MEDIA_URL)
    return data


def _int(value) -> int:
    badge_id = parse_id(value)
    if badge_id is None:
        raise NotFound()
    return badge_id


def _present(badge, user) -> dict:
    """A written badge as the (admin) caller sees it, re-read with its earned_at."""
    badge = selectors.badge_catalog(user=user).get(pk=badge.pk)
    progress = selectors.badge_progress(user=user, badges=[badge])
    return BadgeOutput(badge, context={"progress": progress}).data


class _BadgeDoor(APIView):
    permission_classes = [permissions.IsAuthenticated, AdminWrites]
    parser_classes = [JSONParser, MultiPartParser]


@extend_schema(tags=["badges"])
class BadgeListView(_BadgeDoor, ListAPIView):
    serializer_class = BadgeOutput
    pagination_class = CatalogPagination

    @extend_schema(
        description="Active badges (admins also see inactive ones) with earned_at and progress for the caller.",
    )
    def get(self, request):
        page = self.paginate_queryset(selectors.badge_catalog(user=request.user))
        progress = selectors.badge_progress(user=request.user, badges=page)
        return self.get_paginated_response(BadgeOutput(page, many=True, context={"progress": progress}).data)

    @extend_schema(request=BadgeInput, responses={201: BadgeOutput})
    def post(self, request):
        serializer = BadgeInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        badge = services.badge_create(actor=request.user, **_write_args(request, dict(serializer.validated_data)))
        return Response(_present(badge, request.user), status=status.HTTP_201_CREATED)


@extend_schema(tags=["badges"])
class BadgeDetailView(_BadgeDoor):
    @extend_schema(responses={200: BadgeOutput})
    def get(self, request, badge_id):
        badge = selectors.badge_catalog(user=request.user).filter(pk=_int(badge_id)).first()
        if badge is None:
            raise NotFound()
        progress = selectors.badge_progress(user=request.user, badges=[badge])
        return Response(BadgeOutput(badge, context={"progress": progress}).data)

    @extend_schema(request=BadgeInput(partial=True), responses={200: BadgeOutput})
    def patch(self, request, badge_id):
        serializer = BadgeInput(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        badge = services.badge_update(
            actor=request.user, badge_id=badge_id, **_write_args(request, dict(serializer.validated_data))
        )
        return Response(_present(badge, request.user))



class RecentUnlocksView(APIView):
    """GET /badges/recent: the newest public badge unlocks, open to anyone like the /live
    page that shows them as a ticker."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(parameters=[RecentUnlocksQuery], responses={200: RecentUnlockOutput(many=True)}, tags=["badges"])
    def get(self, request):
        return Response(RecentUnlockOutput(recent_badge_unlocks(**RecentUnlocksQuery.read(request)), many=True).data)
