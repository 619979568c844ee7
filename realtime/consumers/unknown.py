"""Any other /ws/ path: there is no such stream (4404), instead of an unhandled routing
error that would surface as a 500 handshake."""

from channels.generic.websocket import AsyncWebsocketConsumer

from realtime.messages import encode, error_message


class UnknownStream(AsyncWebsocketConsumer):
    channel_layer_alias = None

    async def connect(self) -> None:
        await self.accept()
        await self.send(text_data=encode(error_message("not_found", "No such stream.")))
        await self.close(code=4404)
