"""Reading the ledger back in tests (the writer has no getters, by design)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from pbx.ledger.schema import Base


async def rows(engine: AsyncEngine, model: type[Base], **where: Any) -> list[Any]:
    stmt = select(model).filter_by(**where).order_by(model.id)  # type: ignore[attr-defined]
    async with engine.connect() as conn:
        return list((await conn.execute(stmt)).mappings().all())


async def one(engine: AsyncEngine, model: type[Base], **where: Any) -> Any:
    found = await rows(engine, model, **where)
    assert len(found) == 1, found
    return found[0]
