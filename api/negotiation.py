"""Content negotiation that answers each distinct question once per process.

DRF parses the Accept header and sorts its media types on every request, although clients
send the same few headers again and again (`*/*`, `application/json`): ~9 % of a kept
leaderboard read under cProfile (bench/README.md). The answer depends only on the view's renderer
classes, the Accept header and the `format` parameter, so it is remembered under those;
whatever DRF would answer, including a 406, is what the client gets."""

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request

from api.memo import Memo

_chosen: Memo[tuple, tuple[int, str]] = Memo()  # (renderer classes, Accept, format) -> (index, media type)


class RememberedNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request: Request, renderers: list[BaseRenderer],
                        format_suffix: str | None = None) -> tuple[BaseRenderer, str]:
        format_ = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        key = (tuple(type(renderer) for renderer in renderers), request.META.get("HTTP_ACCEPT"), format_)
        kept = _chosen.get(key)
        if kept is None:
            renderer, media_type = super().select_renderer(request, renderers, format_suffix)  # or 406
            kept = _chosen.keep(key, (renderers.index(renderer), media_type))
        return renderers[kept[0]], kept[1]
