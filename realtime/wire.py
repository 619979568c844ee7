"""What daphne's websocket layer does not say as FocusHub does (docs/realtime.md, "Close
codes"). Installed by asgi.py, the entry point daphne serves.

A frame too large: daphne caps a websocket message at 1 MiB
(`--websocket_max_message_size`) and autobahn, under it, then drops the TCP connection
without a word, before the application sees anything. Frames up to that cap reach the
consumer, which answers `message_too_large` and keeps the socket
(realtime.consumers.base). Above it, the protocol now answers as the rest of FocusHub
does: an `error` frame with code `message_too_large`, then a close with 1009.

A server in trouble: autobahn's sendClose() takes only 1000 and 3000-4999 from an
application, and raised on the codes the protocol keeps for the server itself, 1011
(could not serve this stream: a bug, or the database too busy) and 1012 (restarting,
come back). Those are now sent as the close frame they are, and the handshake ends as
any other close.
"""

from daphne.ws_protocol import WebSocketProtocol

from realtime.messages import encode, error_message

SERVER_CLOSE_CODES = (1011, 1012)
_server_close = WebSocketProtocol.serverClose


def _refuse_too_large(self, msg_size: int, max_msg_size: int, reason: str) -> None:
    if self.state == WebSocketProtocol.STATE_OPEN:
        detail = f"Messages are limited to {max_msg_size} bytes."
        self.sendMessage(encode(error_message("message_too_large", detail)).encode())
    self.failByDrop = False  # a close frame, not a dropped connection
    self._fail_connection(WebSocketProtocol.CLOSE_STATUS_CODE_MESSAGE_TOO_BIG, "message too large")


def _close(self, code: int | None = None) -> None:
    if code in SERVER_CLOSE_CODES:
        if self.state == WebSocketProtocol.STATE_OPEN:
            self.sendCloseFrame(code=code, isReply=False)
        return
    _server_close(self, code)


def install() -> None:
    WebSocketProtocol._max_message_size_exceeded = _refuse_too_large
    WebSocketProtocol.serverClose = _close
