"""A thin relay between a WebSocket and the protocol/services."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer


class SessionConsumer(AsyncJsonWebsocketConsumer):
    """One participant's or facilitator's socket on a live session."""

    async def connect(self):
        """Accept and send the first state message."""
        await self.accept()
        await self.send_json({"type": "state", "seq": 0, "payload": {}})
