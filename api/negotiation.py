"""Content negotiation that answers each distinct question once per process.

DRF parses the Accept header and sorts its media types on every request, although clients
send the same few headers again and again (`*/*`, `application/json`): ~5 % of a kept
leaderboard read (bench/README.md). The answer depends only on the view's renderer
classes, the Accept header and the `format` parameter, so it is remembered under those;
whatever DRF would answer, including a 406, is what the client gets."""

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request

MEMO_SIZE = 256  # distinct (renderers, Accept, format) remembered; all are dropped when full
_memo: dict[tuple, tuple[int, str]] = {}


class RememberedNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request: Request, renderers: list[BaseRenderer],
                        format_suffix: str | None = None) -> tuple[BaseRenderer, str]:
        format_ = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        key = (tuple(type(renderer) for renderer in renderers), request.META.get("HTTP_ACCEPT"), format_)
        kept = _memo.get(key)
        if kept is None:
            renderer, media_type = super().select_renderer(request, renderers, format_suffix)  # or 406
            kept = (renderers.index(renderer), media_type)
            if len(_memo) >= MEMO_SIZE:
                _memo.clear()
            _memo[key] = kept
        return renderers[kept[0]], kept[1]
