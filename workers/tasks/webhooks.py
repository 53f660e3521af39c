"""Webhook deliveries on the default queue: the dialer's loop only enqueues them.

One task carries a batch of posts and sends them at the same time, so a batch takes about one
timeout however many receivers are slow, and the default queue (health pings, the site's jobs)
never waits behind twenty slow receivers one after the other.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from workers.app import app
from workers.webhooks.messages import WebhookPost, WebhookResult
from workers.webhooks.post import post

TASK_NAME = "workers.webhooks.post_batch"
MAX_BATCH = 20


@app.task(name=TASK_NAME, soft_time_limit=60, time_limit=90)
def post_batch(posts: list[dict]) -> list[dict]:
    requests = [WebhookPost.model_validate(p) for p in posts[:MAX_BATCH]]
    if not requests:
        return []
    with ThreadPoolExecutor(max_workers=len(requests), thread_name_prefix="webhook") as pool:
        results: list[WebhookResult] = list(pool.map(post, requests))
    return [r.model_dump() for r in results]
