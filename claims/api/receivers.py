"""What the public side does when an event is recorded (after commit): retire the cached
public responses, and fan out webhooks. Imported once from ``ClaimsConfig.ready()``."""

from __future__ import annotations

from claims import public_cache, webhooks
from claims.workflow import event_recorded

event_recorded.connect(public_cache.on_event_recorded, dispatch_uid="public_cache_invalidate")
event_recorded.connect(webhooks.on_event_recorded, dispatch_uid="webhooks_fan_out")
