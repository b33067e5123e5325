"""The checks Discord makes on what a bot sends (limits from Discord's docs); each raises a Reject."""

from __future__ import annotations

import re
from typing import Any

from . import world as w
from .recording import RecordedFile
from .routing import Reject, invalid_form

TOO_LONG = "BASE_TYPE_MAX_LENGTH"
EMBED_LIMITS = {"title": 256, "description": 4096}
FIELD_LIMITS = {"name": 256, "value": 1024}
EMBED_TOTAL_LIMIT = 6000
COMMAND_NAME_RE = re.compile(r"^[-_'\w]{1,32}$", re.UNICODE)


def too_long(path: str, limit: int) -> Reject:
    return invalid_form(path, TOO_LONG, f"Must be {limit} or fewer in length.")


def check_message(body: dict[str, Any]) -> None:
    """Content at most 2000 characters; embeds within Discord's limits."""
    content = body.get("content")
    if content is not None:
        if not isinstance(content, str):
            raise invalid_form("content", "BASE_TYPE_STRING", "Must be a string.")
        if len(content) > 2000:
            raise too_long("content", 2000)
    if not int(body.get("flags") or 0) & w.FLAG_IS_COMPONENTS_V2:
        check_components(body.get("components"))
    embeds = body.get("embeds")
    if embeds is None:
        return
    if len(embeds) > 10:
        raise too_long("embeds", 10)
    total = sum(_embed_size(embed, f"embeds.{i}") for i, embed in enumerate(embeds))
    if total > EMBED_TOTAL_LIMIT:
        raise invalid_form("embeds", "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")


ACTION_ROW, BUTTON = 1, 2
LINK_BUTTON = 5  # the button style that carries a url instead of a custom_id


def check_components(components: list[dict[str, Any]] | None) -> None:
    """Classic (non-v2) components: at most 5 action rows of at most 5 buttons (or one select); a button
    has a style 1-6, a label of at most 80, and a custom_id of 1-100 characters unique in the message (a link
    button: a url and no custom_id)."""
    if not components:
        return
    if len(components) > 5:
        raise too_long("components", 5)
    seen: set[str] = set()
    for i, row in enumerate(components):
        path = f"components.{i}"
        if row.get("type") != ACTION_ROW:
            raise invalid_form(f"{path}.type", "UNION_TYPE_CHOICES", "Value of field \"type\" must be one of (1,).")
        children = row.get("components") or []
        if not 1 <= len(children) <= 5:
            raise invalid_form(f"{path}.components", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
        for j, item in enumerate(children):
            where = f"{path}.components.{j}"
            if len(str(item.get("label") or "")) > 80:
                raise too_long(f"{where}.label", 80)
            if item.get("type") == BUTTON and item.get("style") == LINK_BUTTON:
                if not item.get("url") or item.get("custom_id"):
                    raise invalid_form(where, "BUTTON_COMPONENT_INVALID_LINK", "A link button needs a url and no custom_id")
                continue
            custom_id = item.get("custom_id")
            if not isinstance(custom_id, str) or not 1 <= len(custom_id) <= 100:
                raise invalid_form(f"{where}.custom_id", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
            if custom_id in seen:
                raise invalid_form(f"{where}.custom_id", "COMPONENT_CUSTOM_ID_DUPLICATED",
                                   "Component custom id cannot be duplicated")
            seen.add(custom_id)
            if item.get("type") == BUTTON and item.get("style") not in (1, 2, 3, 4, 6):
                raise invalid_form(f"{where}.style", "BASE_TYPE_CHOICES", "Value must be one of (1, 2, 3, 4, 5, 6).")


def custom_ids(components: list[dict[str, Any]] | None) -> list[str]:
    """The custom_ids of a message's clickable components."""
    return [c["custom_id"] for row in components or [] for c in row.get("components") or [] if c.get("custom_id")]


def check_choices(choices: list[dict[str, Any]]) -> None:
    """Autocomplete choices: at most 25, each name 1-100 characters and a string value at most 100."""
    if len(choices) > 25:
        raise too_long("data.choices", 25)
    for i, choice in enumerate(choices):
        if not 1 <= len(choice.get("name") or "") <= 100:
            raise invalid_form(f"data.choices.{i}.name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
        value = choice.get("value")
        if isinstance(value, str) and len(value) > 100:
            raise too_long(f"data.choices.{i}.value", 100)


def _embed_size(embed: dict[str, Any], path: str) -> int:
    """The characters one embed counts towards the 6000 total, after checking its own limits."""
    total = 0
    for key, limit in EMBED_LIMITS.items():
        value = embed.get(key)
        if value is not None:
            total += len(value)
            if len(value) > limit:
                raise too_long(f"{path}.{key}", limit)
    fields = embed.get("fields") or []
    if len(fields) > 25:
        raise too_long(f"{path}.fields", 25)
    for j, fld in enumerate(fields):
        for key, limit in FIELD_LIMITS.items():
            value = fld.get(key)
            if value is None or str(value) == "":
                raise invalid_form(f"{path}.fields.{j}.{key}", "BASE_TYPE_REQUIRED", "This field is required")
            if len(str(value)) > limit:
                raise too_long(f"{path}.fields.{j}.{key}", limit)
            total += len(str(value))
    for where, key, limit in (("footer", "text", 2048), ("author", "name", 256)):
        value = (embed.get(where) or {}).get(key)
        if value is not None:
            total += len(value)
            if len(value) > limit:
                raise too_long(f"{path}.{where}.{key}", limit)
    return total


def is_empty_message(message: dict[str, Any]) -> bool:
    if int(message.get("flags") or 0) & w.FLAG_IS_COMPONENTS_V2:
        return not message.get("components")
    return not (
        (message.get("content") or "").strip()
        or message.get("embeds")
        or message.get("attachments")
        or message.get("components")
        or message.get("sticker_items")
        or message.get("poll")
    )


def check_not_empty(message: dict[str, Any]) -> None:
    if is_empty_message(message):
        raise Reject(400, "Cannot send an empty message", 50006)


def check_upload(files: list[RecordedFile], limit: int) -> None:
    if sum(len(f.data) for f in files) > limit:
        raise Reject(413, "Request entity too large", 40005)


def check_command(cmd: dict[str, Any], path: str) -> None:
    """The checks Discord applies on command sync that a bot most often trips over."""
    name = cmd.get("name") or ""
    ctype = cmd.get("type", 1)
    # Slash commands: lowercase words; user and message (context menu) commands: any 1-32 characters.
    valid = COMMAND_NAME_RE.match(name) and name == name.lower() if ctype == 1 else 1 <= len(name) <= 32
    if not valid:
        raise invalid_form(f"{path}.name", "APPLICATION_COMMAND_INVALID_NAME", f"Command name is invalid: {name!r}")
    if ctype == 1:
        desc = cmd.get("description") or ""
        if not 1 <= len(desc) <= 100:
            raise invalid_form(f"{path}.description", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
    options = cmd.get("options") or []
    if len(options) > 25:
        raise too_long(f"{path}.options", 25)
    seen_optional = False
    for i, opt in enumerate(options):
        if opt.get("type") in (1, 2):
            check_command(dict(opt, type=1), f"{path}.options.{i}")
            continue
        if not opt.get("required"):
            seen_optional = True
        elif seen_optional:
            raise invalid_form(
                f"{path}.options.{i}",
                "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                "Required options must be placed before non-required options",
            )
        check_command(dict(opt, type=1, options=[]), f"{path}.options.{i}")
