"""The gateway half of the double: HELLO, heartbeats, IDENTIFY/READY, RESUME, dispatch and faults."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from aiohttp import WSMsgType, web

from .recording import GatewayFrame, monotonic

if TYPE_CHECKING:
    from .server import DiscordDouble

log = logging.getLogger(__name__)

# Opcodes (https://discord.com/developers/docs/topics/opcodes-and-status-codes#gateway).
OP_DISPATCH = 0
OP_HEARTBEAT = 1
OP_IDENTIFY = 2
OP_PRESENCE_UPDATE = 3
OP_VOICE_STATE_UPDATE = 4
OP_RESUME = 6
OP_RECONNECT = 7
OP_REQUEST_GUILD_MEMBERS = 8
OP_INVALID_SESSION = 9
OP_HELLO = 10
OP_HEARTBEAT_ACK = 11

CLIENT_OPS = {OP_HEARTBEAT, OP_IDENTIFY, OP_PRESENCE_UPDATE, OP_VOICE_STATE_UPDATE, OP_RESUME, OP_REQUEST_GUILD_MEMBERS}


@dataclass
class Connection:
    """One gateway websocket connection (a reconnect makes a new one)."""

    index: int
    path: str
    query: dict[str, str]
    ws: web.WebSocketResponse
    transport: Any
    opened_at: float
    closed_at: float | None = None
    close_code: int | None = None
    authenticated: bool = False
    how: str | None = None  # "identify" or "resume" once the client said which
    send_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    closed: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class Session:
    """A gateway session: survives disconnects, so RESUME can replay what was missed."""

    id: str
    identify: dict[str, Any]
    seq: int = 0
    log: list[dict[str, Any]] = field(default_factory=list)
    connection: Connection | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def intents(self) -> int:
        return int(self.identify.get("intents") or 0)


class GatewayMixin:
    """Gateway behaviour of :class:`DiscordDouble` (split out for readability)."""

    def _gateway_init(self: DiscordDouble) -> None:
        self.connections: list[Connection] = []
        self.session: Session | None = None
        self.sessions: list[Session] = []
        self._heartbeat_ack_delay = 0.0
        self._ack_heartbeats = True
        self._reject_next_resume = False
        self._background: set[asyncio.Task[Any]] = set()
        self._connection_count = 0

    # -- public gateway API (documented on DiscordDouble) ---------------------------------------

    @property
    def heartbeats(self) -> list[GatewayFrame]:
        """Heartbeats (op 1) received from the client, in order; ``frame.time`` is monotonic."""
        return [f for f in self._frames.items if f.direction == "recv" and f.op == OP_HEARTBEAT]

    @property
    def connection(self) -> Connection | None:
        """The live gateway connection, if any."""
        if self.connections and self.connections[-1].closed_at is None:
            return self.connections[-1]
        return None

    @property
    def intents(self) -> int:
        """Intents the client sent in its last IDENTIFY (0 before any)."""
        return self.session.intents if self.session else 0

    async def dispatch(self: DiscordDouble, event: str, data: dict[str, Any]) -> int:
        """Send a DISPATCH (op 0) event on the current session and return its sequence number.

        If the client is disconnected the event is kept in the session log and replayed when the
        client RESUMEs, as Discord does. Raises ``RuntimeError`` if no session was ever identified.
        """
        session = self.session
        if session is None:
            raise RuntimeError("no gateway session yet: the client has not sent IDENTIFY")
        async with session.lock:
            return await self._dispatch_locked(session, event, data)

    async def drop_gateway(self: DiscordDouble, code: int | None = None, reason: str = "dropped by test") -> None:
        """Break the current gateway connection.

        ``code=None`` cuts the TCP connection without a close frame (a network failure);
        an int sends a close frame with that code (e.g. 4000 "unknown error", 1001 "going away",
        or 4004 "authentication failed", after which discord.py gives up). The session is kept,
        so the client can RESUME; events dispatched meanwhile are replayed.
        """
        conn = self.connection
        if conn is None:
            raise RuntimeError("no live gateway connection to drop")
        if code is None:
            conn.transport.close()
        else:
            await self._close(conn, code, reason)
        await self.wait_for_gateway_closed(conn.index)

    async def send_reconnect(self: DiscordDouble) -> None:
        """Send op 7 RECONNECT: the client must close and RESUME."""
        conn = self.connection
        if conn is None:
            raise RuntimeError("no live gateway connection")
        await self._send(conn, {"op": OP_RECONNECT, "d": None, "s": None, "t": None})

    async def invalidate_session(self: DiscordDouble, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION now; with ``resumable=False`` the client must IDENTIFY afresh."""
        conn = self.connection
        if conn is None:
            raise RuntimeError("no live gateway connection")
        if not resumable:
            self.session = None
        await self._send(conn, {"op": OP_INVALID_SESSION, "d": resumable, "s": None, "t": None})

    def reject_next_resume(self: DiscordDouble) -> None:
        """Answer the next RESUME with INVALID_SESSION (d=false), forcing a fresh IDENTIFY."""
        self._reject_next_resume = True

    def delay_heartbeat_ack(self: DiscordDouble, seconds: float) -> None:
        """Delay every following HEARTBEAT_ACK by ``seconds`` (0 restores immediate ACKs)."""
        self._heartbeat_ack_delay = max(0.0, float(seconds))

    def stop_heartbeat_acks(self: DiscordDouble, stopped: bool = True) -> None:
        """Stop (or resume) answering heartbeats at all, like a zombied connection."""
        self._ack_heartbeats = not stopped

    async def wait_for_gateway(
        self: DiscordDouble,
        predicate: Callable[[GatewayFrame], bool] | None = None,
        *,
        op: int | None = None,
        event: str | None = None,
        direction: str | None = None,
        timeout: float = 5.0,
        since: int = 0,
    ) -> GatewayFrame:
        """Wait for a gateway frame matching all given filters (already-recorded frames count).

        ``direction`` is ``"recv"`` (client to double) or ``"send"``; ``since`` skips frames with a
        smaller index (use ``len(double.gateway_frames)`` taken earlier).
        """

        def match(frame: GatewayFrame) -> bool:
            return (
                (op is None or frame.op == op)
                and (event is None or frame.t == event)
                and (direction is None or frame.direction == direction)
                and (predicate is None or predicate(frame))
            )

        return await self._frames.wait(match, timeout, since)

    async def wait_for_gateway_closed(self: DiscordDouble, index: int, timeout: float = 5.0) -> None:
        """Wait until gateway connection number ``index`` has closed (its handler has finished)."""
        conn = self.connections[index]
        try:
            await asyncio.wait_for(conn.closed.wait(), timeout)
        except asyncio.TimeoutError:
            raise TimeoutError(f"gateway connection {index} did not close within {timeout}s") from None

    # -- websocket handler -----------------------------------------------------------------------

    async def _ws_handler(self: DiscordDouble, request: web.Request) -> web.StreamResponse:
        # timeout: how long close() waits for the client's close frame. discord.py answers at once.
        ws = web.WebSocketResponse(timeout=2.0, max_msg_size=0, autoclose=True)
        await ws.prepare(request)
        conn = Connection(
            index=len(self.connections),
            path=request.path,
            query=dict(request.query),
            ws=ws,
            transport=request.transport,
            opened_at=monotonic(),
        )
        self.connections.append(conn)
        hello = {"op": OP_HELLO, "d": {"heartbeat_interval": self.heartbeat_interval_ms}, "s": None, "t": None}
        await self._send(conn, hello)
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    try:
                        payload = json.loads(msg.data)
                    except ValueError:
                        await self._close(conn, 4002, "Error while decoding payload.")
                        break
                    await self._on_client_payload(conn, payload)
                elif msg.type == WSMsgType.BINARY:
                    # discord.py sends text only (ETF encoding is not modelled).
                    await self._close(conn, 4002, "Error while decoding payload.")
                    break
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            conn.closed_at = monotonic()
            conn.close_code = ws.close_code
            session = self.session
            if session is not None and session.connection is conn:
                session.connection = None
            conn.closed.set()
        return ws

    async def _on_client_payload(self: DiscordDouble, conn: Connection, payload: dict[str, Any]) -> None:
        op = payload.get("op")
        self._record_frame("recv", conn, payload)
        if op == OP_HEARTBEAT:
            if not self._ack_heartbeats:
                return
            if self._heartbeat_ack_delay:
                self._spawn(self._delayed_ack(conn, self._heartbeat_ack_delay))
            else:
                await self._send(conn, {"op": OP_HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == OP_IDENTIFY:
            await self._on_identify(conn, payload.get("d") or {})
        elif op == OP_RESUME:
            await self._on_resume(conn, payload.get("d") or {})
        elif op not in CLIENT_OPS:
            await self._close(conn, 4001, "Unknown opcode.")
        elif not conn.authenticated:
            await self._close(conn, 4003, "Not authenticated.")
        elif op == OP_REQUEST_GUILD_MEMBERS:
            await self._on_request_members(payload.get("d") or {})
        # Presence and voice state updates are only recorded.

    async def _delayed_ack(self: DiscordDouble, conn: Connection, delay: float) -> None:
        await asyncio.sleep(delay)
        await self._send(conn, {"op": OP_HEARTBEAT_ACK, "d": None, "s": None, "t": None})

    async def _on_identify(self: DiscordDouble, conn: Connection, data: dict[str, Any]) -> None:
        if conn.authenticated:
            await self._close(conn, 4005, "Already authenticated.")
            return
        if data.get("token") != self.token:
            await self._close(conn, 4004, "Authentication failed.")
            return
        session = Session(id=uuid.uuid4().hex, identify=data)
        self.session = session
        self.sessions.append(session)
        conn.how = "identify"
        async with session.lock:
            conn.authenticated = True
            session.connection = conn
            ready = {
                "v": 10,
                "user": self.world.me_payload(),
                "guilds": [{"id": str(self.world.guild_id), "unavailable": True}],
                "session_id": session.id,
                "session_type": "normal",
                "resume_gateway_url": f"{self.ws_base_url}/resume",
                "private_channels": [],
                "relationships": [],
                "presences": [],
                "guild_join_requests": [],
                "geo_ordered_rtc_regions": [],
                "user_settings": {},
                "application": {"id": str(self.world.application_id), "flags": 0},
                "_trace": ["[\"discord-double\"]"],
            }
            if data.get("shard") is not None:
                ready["shard"] = data["shard"]
            await self._dispatch_locked(session, "READY", ready)
            await self._dispatch_locked(session, "GUILD_CREATE", self.world.guild_payload())

    async def _on_resume(self: DiscordDouble, conn: Connection, data: dict[str, Any]) -> None:
        session = self.session
        ok = (
            session is not None
            and data.get("token") == self.token
            and data.get("session_id") == session.id
            and not self._reject_next_resume
        )
        self._reject_next_resume = False
        conn.how = "resume"
        if not ok:
            await self._send(conn, {"op": OP_INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        assert session is not None
        async with session.lock:
            conn.authenticated = True
            old = session.connection
            session.connection = conn
            if old is not None and old is not conn and old.closed_at is None:
                self._spawn(self._close(old, 4000, "Session resumed elsewhere."))
            last_seen = data.get("seq") or 0
            for frame in session.log:
                if frame["s"] > last_seen:
                    await self._send(conn, frame)
            await self._dispatch_locked(session, "RESUMED", {"_trace": ["[\"discord-double\"]"]})

    async def _on_request_members(self: DiscordDouble, data: dict[str, Any]) -> None:
        members = list(self.world.members.values())
        if data.get("user_ids"):
            wanted = {str(u) for u in data["user_ids"]}
            members = [m for m in members if str(m.id) in wanted]
        elif data.get("query"):
            members = [m for m in members if m.user.username.lower().startswith(str(data["query"]).lower())]
        if data.get("limit"):
            members = members[: int(data["limit"])]
        chunk = {
            "guild_id": str(self.world.guild_id),
            "members": [m.payload() for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        await self.dispatch("GUILD_MEMBERS_CHUNK", chunk)

    # -- plumbing --------------------------------------------------------------------------------

    async def _dispatch_locked(self: DiscordDouble, session: Session, event: str, data: dict[str, Any]) -> int:
        session.seq += 1
        frame = {"op": OP_DISPATCH, "t": event, "s": session.seq, "d": data}
        session.log.append(frame)
        conn = session.connection
        if conn is not None and conn.authenticated and conn.closed_at is None:
            await self._send(conn, frame)
        else:
            log.debug("queued %s (s=%s) for replay on RESUME", event, session.seq)
        return session.seq

    async def _send(self: DiscordDouble, conn: Connection, frame: dict[str, Any]) -> None:
        async with conn.send_lock:
            if conn.ws.closed:
                return
            try:
                await conn.ws.send_str(json.dumps(frame))
            except (ConnectionResetError, RuntimeError) as exc:
                # Lost mid-send; dispatched events stay in the session log for RESUME.
                log.debug("send on gateway connection %s failed: %s", conn.index, exc)
                return
        self._record_frame("send", conn, frame)

    async def _close(self: DiscordDouble, conn: Connection, code: int, reason: str) -> None:
        if not conn.ws.closed:
            await conn.ws.close(code=code, message=reason.encode())

    def _record_frame(self: DiscordDouble, direction: str, conn: Connection, payload: dict[str, Any]) -> None:
        self._frames.append(
            GatewayFrame(
                index=len(self._frames.items),
                direction=direction,
                connection=conn.index,
                op=payload.get("op"),
                t=payload.get("t"),
                s=payload.get("s"),
                d=payload.get("d"),
                time=monotonic(),
            )
        )

    def _spawn(self: DiscordDouble, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
