"""Batched row writes the ORM does not do cheaply.

Performance tuning that costs readability, kept for the dialer's hot path: the attempts a
tick records (``insert_rows``) and the attempt updates a batch of pbx events makes
(``update_rows``) sit between the dialer's first tick and the calls' answers. The benchmark
that shows what they are worth is ``python -m benchmarks dialer`` (``originate_per_s`` and
``ours_breakdown_s``: ``first_tick``, ``first_command_sent``); before replacing either with
``bulk_create``/``bulk_update``, run it with both and keep the simpler one unless the figures
say otherwise.
"""

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


def insert_rows(model: type[models.Model], objs: Sequence[models.Model], fields: Sequence[str]) -> None:
    """Insert ``objs`` (new rows of ``model``) with one statement per few hundred values, and
    set their primary keys.

    Only ``fields`` are read from each object; every other column gets the field's default,
    prepared once for all rows (``bulk_create`` prepares every field of every row, which cost
    more than the insert itself for the dialer's attempts). So ``fields`` must name each field
    the caller set; a field with ``auto_now``/``auto_now_add``, or whose default is a callable
    that must differ between rows, must be among them."""
    if not objs:
        return
    meta = model._meta
    alias = router.db_for_write(model)
    connection = connections[alias]
    quote = connection.ops.quote_name
    given = [meta.get_field(name) for name in fields]
    others = [f for f in meta.concrete_fields if not f.primary_key and f.name not in fields]
    if auto := [f.name for f in others if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]:
        raise ValueError(f"insert_rows does not fill {', '.join(auto)}: name them in fields")
    defaults = [f.get_db_prep_save(f.get_default(), connection) for f in others]
    columns = ", ".join(quote(f.column) for f in given + others)
    row_sql = "(" + ", ".join(["%s"] * (len(given) + len(others))) + ")"
    per_statement = max(1, 900 // (len(given) + len(others)))  # under SQLite's oldest variable limit
    with connection.cursor() as cursor:
        for start in range(0, len(objs), per_statement):
            batch = objs[start:start + per_statement]
            params = []
            for obj in batch:
                params += [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in given]
                params += defaults
            cursor.execute(
                f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {', '.join([row_sql] * len(batch))}"
                f" RETURNING {quote(meta.pk.column)}",
                params,
            )
            # Rows come back in the order they were given (what bulk_create relies on too).
            for obj, (pk,) in zip(batch, cursor.fetchall(), strict=True):
                obj.pk = pk
                obj._state.adding = False
                obj._state.db = alias
