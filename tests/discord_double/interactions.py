"""Interactions: the ones the double sends, the bot's callback, and the interaction webhook
(followups, and GET/PATCH/DELETE of ``@original`` and followup messages)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from . import world as w
from .messages import MessageStore, StoredMessage
from .recording import RecordedRequest, monotonic
from .routing import Options, Reject, Reply, Route, invalid_form, json_body, to_int, unknown
from .validation import check_choices, check_upload

# Callback types each interaction type accepts (interaction types: 2 command, 3 component,
# 4 autocomplete, 5 modal submit).
CALLBACKS_FOR = {2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}, 4: {8}, 5: {4, 5, 6, 7}}


@dataclass
class InteractionRecord:
    """An interaction the double sent, and what the bot did with it.

    ``response_type`` is the callback type the bot answered with (4 message, 5 deferred,
    6 deferred update, 7 update, 8 autocomplete, 9 modal), ``original_message_id`` the message that
    the initial response created (or updated), ``followup_message_ids`` the followups.
    """

    id: int
    token: str
    type: int
    name: str | None
    channel_id: int
    user_id: int
    payload: dict[str, Any]
    created_at: float
    response_type: int | None = None
    acknowledged_at: float | None = None
    ephemeral: bool = False
    original_message_id: int | None = None
    followup_message_ids: list[int] = field(default_factory=list)
    autocomplete_choices: list[dict[str, Any]] | None = None
    modal: dict[str, Any] | None = None

    @property
    def acknowledged(self) -> bool:
        return self.response_type is not None


class Interactions:
    """Every interaction sent, by id and by token, and the routes the bot answers them on."""

    def __init__(self, world: w.World, store: MessageStore, options: Options) -> None:
        self.world = world
        self.store = store
        self.options = options
        self.by_id: dict[int, InteractionRecord] = {}
        self.by_token: dict[str, InteractionRecord] = {}

    def routes(self) -> list[Route]:
        hook_msg = "/webhooks/{application_id}/{token}/messages/{message_id}"
        return [
            ("POST", "/interactions/{interaction_id}/{token}/callback", self.post_callback, False),
            ("POST", "/webhooks/{application_id}/{token}", self.post_followup, False),
            ("GET", hook_msg, self.get_webhook_message, False),
            ("PATCH", hook_msg, self.patch_webhook_message, False),
            ("DELETE", hook_msg, self.delete_webhook_message, False),
        ]

    def classify(self, rec: RecordedRequest) -> None:
        """Set ``rec.kind`` and ``rec.interaction_id`` for callback and interaction webhook requests."""
        p = rec.params
        if rec.route is None:
            return
        if "/callback" in rec.route:
            rec.kind = "callback"
            rec.interaction_id = to_int(p.get("interaction_id"))
            return
        if rec.route.split(" ", 1)[1].startswith("/webhooks/"):
            inter = self.by_token.get(p.get("token", ""))
            rec.interaction_id = inter.id if inter else None
            if "message_id" not in p:
                rec.kind = "followup" if rec.method == "POST" else None
            else:
                target = "original" if p["message_id"] == "@original" else "followup"
                verb = {"GET": "get", "PATCH": "edit", "DELETE": "delete"}[rec.method]
                rec.kind = f"{verb}_{target}"

    def create(
        self, itype: int, data: dict[str, Any], member: w.Member, channel: w.Channel, role_ids: list[int], perms: int,
        locale: str, *, name: str | None = None, message: dict[str, Any] | None = None,
    ) -> InteractionRecord:
        """A new interaction by ``member`` in ``channel`` (its ``payload`` is the INTERACTION_CREATE data)."""
        iid = self.world.snowflake()
        token = "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(48)
        member_payload = member.payload(permissions=perms)
        member_payload["roles"] = [str(r) for r in role_ids]
        channel_payload = channel.payload()
        channel_payload["permissions"] = str(perms)
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(self.world.application_id),
            "type": itype,
            "data": data,
            "guild_id": str(self.world.guild_id),
            "guild": {"id": str(self.world.guild_id), "locale": "en-US", "features": []},
            "channel_id": str(channel.id),
            "channel": channel_payload,
            "member": member_payload,
            "token": token,
            "version": 1,
            "app_permissions": str(self.world.app_permissions),
            "locale": locale,
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(self.world.guild_id)},
            "context": 0,
            "attachment_size_limit": self.options.attachment_size_limit,
        }
        if message is not None:
            payload["message"] = message
        record = InteractionRecord(
            id=iid, token=token, type=itype, name=name, channel_id=channel.id, user_id=member.id,
            payload=payload, created_at=monotonic(),
        )
        self.by_id[iid] = record
        self.by_token[token] = record
        return record

    # -- the initial response ----------------------------------------------------------------------

    async def post_callback(self, rec: RecordedRequest, interaction_id: str, token: str) -> Reply:
        inter = self.by_id.get(to_int(interaction_id))
        if inter is None or inter.token != token:
            raise unknown("interaction")
        if inter.acknowledged:
            raise Reject(400, "Interaction has already been acknowledged.", 40060)
        deadline = self.options.callback_deadline
        if deadline is not None and rec.time - inter.created_at > deadline:
            # Discord gives 3 s for the initial response; after that the token is dead for callbacks.
            raise unknown("interaction")
        body = json_body(rec)
        cb_type = body.get("type")
        data = body.get("data") or {}
        if cb_type not in CALLBACKS_FOR.get(inter.type, set()):
            why = f"Callback type {cb_type} is not valid for interaction type {inter.type}"
            raise invalid_form("type", "INTERACTION_CALLBACK_TYPE_INVALID", why)
        channel = self.world.channel(inter.channel_id)
        stored: StoredMessage | None = None

        if cb_type == 4:
            stored = self.store.send(channel, data, rec.files, interaction=inter)
            inter.original_message_id = stored.id
        elif cb_type == 5:
            flags = w.FLAG_LOADING | (int(data.get("flags") or 0) & w.FLAG_EPHEMERAL)
            stored = self.store.create(
                channel=channel, author=self.world.bot, body={}, attachments=[],
                type=w.MESSAGE_CHAT_INPUT_COMMAND, flags=flags, interaction=inter,
            )
            inter.original_message_id = stored.id
        elif cb_type in (6, 7):
            target = self.store.by_id.get(to_int(inter.payload.get("message", {}).get("id")))
            if target is None:
                raise unknown("Message")
            inter.original_message_id = target.id
            if cb_type == 7:
                self.store.edit(target, data, rec.files)
                stored = target
        elif cb_type == 8:
            choices = data.get("choices") or []
            check_choices(choices)
            inter.autocomplete_choices = choices
        elif cb_type == 9:
            inter.modal = data

        inter.response_type = cb_type
        inter.acknowledged_at = rec.time
        inter.ephemeral = bool(stored and stored.ephemeral)
        resource: dict[str, Any] = {"type": cb_type}
        if stored is not None:
            resource["message"] = stored.payload
            await self.store.echo("MESSAGE_UPDATE" if cb_type == 7 else "MESSAGE_CREATE", stored)
        if rec.query.get("with_response") not in ("1", "true", "True"):
            return (204, None)
        interaction = {
            "id": str(inter.id),
            "type": inter.type,
            "response_message_id": str(stored.id) if stored else None,
            "response_message_loading": bool(stored and stored.payload["flags"] & w.FLAG_LOADING),
            "response_message_ephemeral": inter.ephemeral,
        }
        return (200, {"interaction": interaction, "resource": resource})

    # -- the interaction webhook -------------------------------------------------------------------

    def webhook(self, rec: RecordedRequest, application_id: str, token: str) -> InteractionRecord:
        """The interaction whose webhook this is; raises Unknown Webhook or Invalid Webhook Token."""
        inter = self.by_token.get(token)
        if inter is None or to_int(application_id) != self.world.application_id:
            raise unknown("Webhook")
        if rec.time - inter.created_at > self.options.interaction_token_ttl:
            raise Reject(401, "Invalid Webhook Token", 50027)
        if not inter.acknowledged:
            # The interaction webhook only exists once the interaction has been responded to.
            raise unknown("Webhook")
        return inter

    def webhook_message(self, rec: RecordedRequest, application_id: str, token: str, message_id: str) -> StoredMessage:
        """``@original`` or a followup of the webhook's interaction; raises as :meth:`webhook` or Unknown Message."""
        inter = self.webhook(rec, application_id, token)
        mid = inter.original_message_id if message_id == "@original" else to_int(message_id)
        ours = mid is not None and (mid == inter.original_message_id or mid in inter.followup_message_ids)
        stored = self.store.live(mid) if ours else None
        if stored is None:
            raise unknown("Message")
        return stored

    async def post_followup(self, rec: RecordedRequest, application_id: str, token: str) -> Reply:
        inter = self.webhook(rec, application_id, token)
        body = json_body(rec)
        original = self.store.live(inter.original_message_id)
        if inter.response_type == 5 and original is not None and original.payload["flags"] & w.FLAG_LOADING:
            # Discord: after a deferred response, the first followup replaces the "thinking"
            # message (and keeps the ephemeral choice made when deferring).
            check_upload(rec.files, self.options.attachment_size_limit)
            await self.store.update(original, body, rec.files)
            stored = original
        else:
            stored = self.store.send(self.world.channel(inter.channel_id), body, rec.files, interaction=inter)
            inter.followup_message_ids.append(stored.id)
            await self.store.echo("MESSAGE_CREATE", stored)
        if rec.query.get("wait") in ("0", "false", "False"):
            return (204, None)
        return (200, stored.payload)

    async def get_webhook_message(
        self, rec: RecordedRequest, application_id: str, token: str, message_id: str
    ) -> Reply:
        return (200, self.webhook_message(rec, application_id, token, message_id).payload)

    async def patch_webhook_message(
        self, rec: RecordedRequest, application_id: str, token: str, message_id: str
    ) -> Reply:
        stored = self.webhook_message(rec, application_id, token, message_id)
        check_upload(rec.files, self.options.attachment_size_limit)
        return await self.store.update(stored, json_body(rec), rec.files)

    async def delete_webhook_message(
        self, rec: RecordedRequest, application_id: str, token: str, message_id: str
    ) -> Reply:
        return await self.store.delete(self.webhook_message(rec, application_id, token, message_id))
