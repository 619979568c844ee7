"""What happens to a frame too large for daphne's websocket layer (docs/realtime.md,
"Close codes").

daphne caps a websocket message at 1 MiB (`--websocket_max_message_size`) and autobahn,
under it, then drops the TCP connection without a word, before the application sees
anything. Frames up to that cap reach the consumer, which answers `message_too_large`
and keeps the socket (realtime.consumers.base). Above it, the protocol now answers as
the rest of FocusHub does: an `error` frame with code `message_too_large`, then a close
with 1009 (message too big). Installed by asgi.py, the entry point daphne serves.
"""

from daphne.ws_protocol import WebSocketProtocol

from realtime.messages import encode, error_message


def _refuse_too_large(self, msg_size: int, max_msg_size: int, reason: str) -> None:
    if self.state == WebSocketProtocol.STATE_OPEN:
        detail = f"Messages are limited to {max_msg_size} bytes."
        self.sendMessage(encode(error_message("message_too_large", detail)).encode())
    self.failByDrop = False  # a close frame, not a dropped connection
    self._fail_connection(WebSocketProtocol.CLOSE_STATUS_CODE_MESSAGE_TOO_BIG, "message too large")


def install() -> None:
    WebSocketProtocol._max_message_size_exceeded = _refuse_too_large
