"""Batched row writes the ORM does not do cheaply."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections, models, router


def update_rows(model: type[models.Model], objs: Sequence[models.Model], fields: Sequence[str]) -> None:
    """Write ``fields`` of each of ``objs`` (saved rows of ``model``) with one statement run
    over all of them.

    ``QuerySet.bulk_update`` builds one ``CASE WHEN pk = ... THEN ...`` per field and row,
    whose compilation costs more than the rows' writes; this prepares one parameterised UPDATE
    and runs it for every row (``executemany``). No signals are sent, as with ``update()``."""
    if not objs:
        return
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    alias = router.db_for_write(model)
    connection = connections[alias]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
    rows = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in columns] + [obj.pk]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
