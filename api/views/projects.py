"""Project and member doors (docs/api.md). Each parses its input, calls one selector or
service (which decide visibility and rights: a private project is 404 to outsiders on
every path) and serializes the result.

REST needs a bearer token on every path here, public projects included: anonymous
callers get 401 (spectators watch public boards over the leaderboard websocket)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from api.pagination import ProjectPagination
from api.serializers.projects import (
    MemberAddInput,
    MemberOutput,
    MemberUpdateInput,
    ProjectCreateInput,
    ProjectListQuery,
    ProjectOutput,
    ProjectUpdateInput,
)
from focushub.projects import selectors, services

_404 = OpenApiResponse(description="Not found, or a private project the caller is not a member of.")
_403 = OpenApiResponse(description="Visible, but the caller's role does not allow this.")


def _field_kwargs(data: dict, renames: dict[str, str] | None = None) -> dict:
    """Only the fields the client sent, under the services' parameter names."""
    renames = renames or {}
    return {renames.get(name, name): value for name, value in data.items()}


@extend_schema_view(get=extend_schema(tags=["projects"], parameters=[ProjectListQuery]))
class ProjectListView(ListAPIView):
    """GET: projects I belong to (or, with `?visibility=public`, every public project), by name."""

    serializer_class = ProjectOutput
    pagination_class = ProjectPagination

    def get_queryset(self):
        return selectors.projects_of_user(user_id=self.request.user.pk, **ProjectListQuery.read(self.request))

    @extend_schema(tags=["projects"], request=ProjectCreateInput, responses={201: ProjectOutput})
    def post(self, request):
        """Create a project; the caller becomes its owner."""
        data = ProjectCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        project = services.project_create(owner=request.user, **data.validated_data)
        return Response(ProjectOutput(project).data, status=status.HTTP_201_CREATED)


class ProjectDetailView(APIView):
    @extend_schema(tags=["projects"], responses={200: ProjectOutput, 404: _404})
    def get(self, request, project_id):
        project = selectors.project_visible(user_id=request.user.pk, project_id=project_id)
        return Response(ProjectOutput(project).data)

    @extend_schema(tags=["projects"], request=ProjectUpdateInput, responses={200: ProjectOutput, 403: _403, 404: _404})
    def patch(self, request, project_id):
        """Owner and maintainers edit; `owner` (owner only) transfers the project."""
        data = ProjectUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = _field_kwargs(data.validated_data, {"owner": "owner_id"})
        project = services.project_update(actor=request.user, project_id=project_id, **fields)
        return Response(ProjectOutput(project).data)

    @extend_schema(tags=["projects"], responses={204: None, 403: _403, 404: _404})
    def delete(self, request, project_id):
        """Owner only: the project goes with its entries; its time leaves every leaderboard."""
        services.project_delete(actor=request.user, project_id=project_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(get=extend_schema(tags=["members"], responses={200: MemberOutput(many=True), 404: _404}))
class MemberListView(ListAPIView):
    """GET: the members, owner first (anyone who can see the project)."""

    serializer_class = MemberOutput
    pagination_class = ProjectPagination

    def get_queryset(self):
        project = selectors.project_visible(user_id=self.request.user.pk, project_id=self.kwargs["project_id"])
        return selectors.project_members(project_id=project.pk)

    @extend_schema(
        tags=["members"],
        request=MemberAddInput,
        responses={
            201: MemberOutput,
            403: _403,
            404: _404,
            409: OpenApiResponse(description="`already_member`"),
        },
    )
    def post(self, request, project_id):
        """Owner and maintainers add a user by username (unknown username: 400)."""
        data = MemberAddInput(data=request.data)
        data.is_valid(raise_exception=True)
        member = services.member_add(actor=request.user, project_id=project_id, **data.validated_data)
        return Response(MemberOutput(member).data, status=status.HTTP_201_CREATED)


class MemberDetailView(APIView):
    @extend_schema(tags=["members"], request=MemberUpdateInput, responses={200: MemberOutput, 403: _403, 404: _404})
    def patch(self, request, project_id, user_id):
        """Change a member's role (owner and maintainers; never the owner's)."""
        data = MemberUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        member = services.member_update(
            actor=request.user, project_id=project_id, user_id=user_id, role=data.validated_data["role"]
        )
        return Response(MemberOutput(member).data)

    @extend_schema(
        tags=["members"],
        responses={204: None, 403: _403, 404: _404, 409: OpenApiResponse(description="`owner_cannot_leave`")},
    )
    def delete(self, request, project_id, user_id):
        """Remove a member (owner and maintainers) or leave (your own user id)."""
        services.member_remove(actor=request.user, project_id=project_id, user_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
