"""What the management plane asks the worker to post, and what the worker answers: JSON both ways
(Celery's serializer), validated here at each end."""

from __future__ import annotations

from pydantic import BaseModel, Field


class WebhookPost(BaseModel):
    """One signed POST. ``body`` is the exact text that was signed: posted as it is."""

    event_id: str = Field(max_length=64)
    url: str = Field(max_length=2000)
    body: str
    headers: dict[str, str]
    allow_http: bool = False
    allow_private: bool = False
    timeout_s: float = Field(default=5.0, gt=0, le=30)


class WebhookResult(BaseModel):
    """``status`` is the receiver's HTTP status, None if none came (refused, unreachable, timeout)."""

    event_id: str
    status: int | None = None
    error: str = ""

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300
