"""Notification channels (add, list, disable, delete, signing secret) and the delivery log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from vigil.api.errors import ERRORS
from vigil.api.pagination import Page, Paging
from vigil.api.security import Admin, Db
from vigil.errors import UsageError
from vigil.workspace import channels, notifications
from vigil.workspace.outbound import OutboundPolicy

router = APIRouter(tags=["alerts"], responses=ERRORS)
ChannelId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class ChannelIn(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    kind: Literal["webhook", "email"]
    target: str = Field(min_length=1, max_length=500)
    config: dict[str, Any] = Field(default_factory=dict)
    min_severity: Literal["low", "medium", "high"] = "low"


class ChannelOut(BaseModel):
    id: int
    name: str
    kind: str
    target: str
    min_severity: str
    enabled: bool


class ChannelPatch(BaseModel):
    enabled: bool


class SecretOut(BaseModel):
    channel_id: int
    secret: str
    header: str = channels.SIGNATURE_HEADER
    timestamp_header: str = channels.TIMESTAMP_HEADER


class NotificationOut(BaseModel):
    id: int
    channel_id: int
    alert_id: int
    event: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    sent_at: datetime | None


def _out(channel: channels.Channel) -> ChannelOut:
    return ChannelOut.model_validate(channel, from_attributes=True)


@router.get("/channels", response_model=list[ChannelOut])
def list_channels(caller: Admin, db: Db) -> list[ChannelOut]:
    """Notification channels (admin)."""
    with db.session(write=False) as session:
        return [_out(c) for c in channels.list_channels(session)]


@router.post("/channels", response_model=ChannelOut, status_code=201)
def add_channel(body: ChannelIn, caller: Admin, db: Db, request: Request) -> ChannelOut:
    """Add a webhook (checked against the outbound address policy) or e-mail channel."""
    with db.session() as session:
        channel = channels.add_channel(
            session,
            caller,
            body.name,
            body.kind,
            body.target,
            config=body.config,
            min_severity=body.min_severity,
            policy=OutboundPolicy.from_settings(request.app.state.settings),
        )
        return _out(channel)


@router.patch("/channels/{channel_id}", response_model=ChannelOut)
def update_channel(channel_id: ChannelId, body: ChannelPatch, caller: Admin, db: Db) -> ChannelOut:
    """Enable or disable a channel (a disabled channel neither queues nor sends)."""
    with db.session() as session:
        channel = channels.get_channel(session, channel_id)
        return _out(channels.set_enabled(session, caller, channel, body.enabled))


@router.delete("/channels/{channel_id}", status_code=204)
def delete_channel(channel_id: ChannelId, caller: Admin, db: Db) -> None:
    """Delete a channel; its pending messages are cancelled, its delivery log is kept."""
    with db.session() as session:
        channels.delete_channel(session, caller, channels.get_channel(session, channel_id))


@router.get("/channels/{channel_id}/secret", response_model=SecretOut)
def channel_secret(channel_id: ChannelId, caller: Admin, db: Db, request: Request) -> SecretOut:
    """A webhook channel's signing secret, for the receiver's configuration (admin)."""
    key = request.app.state.settings.secret_key
    if key is None:
        raise UsageError("webhooks are signed: set VIGIL_SECRET_KEY on the server")
    with db.session(write=False) as session:
        channel = channels.get_channel(session, channel_id)
        if channel.kind != "webhook":
            raise UsageError(f"channel {channel.name!r} is not a webhook")
        secret = channels.channel_secret(key.get_secret_value(), channel)
    return SecretOut(channel_id=channel_id, secret=secret)


@router.get("/notifications", response_model=Page[NotificationOut])
def list_notifications(caller: Admin, db: Db, page: Paging) -> Page[NotificationOut]:
    """Queued, sent, failed and cancelled notifications, newest first (admin)."""
    model = notifications.Notification
    with db.session(write=False) as session:
        total = session.scalar(select(func.count()).select_from(model)) or 0
        rows = session.scalars(
            select(model).order_by(model.id.desc()).limit(page.limit).offset(page.offset)
        )
        items = [NotificationOut.model_validate(n, from_attributes=True) for n in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)
