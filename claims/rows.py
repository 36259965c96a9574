"""Single-row reads and writes in plain SQL, for the one path that runs them at volume.

Every link a worker fetches runs the same handful of statements (claims/fetch_services.py),
hundreds of times a second at the documented concurrency. Through the ORM, building each
statement costs more CPU than the database spends running it (measured on the 2-core CI
machine: reading the link 0.60 ms, an update 0.33 ms, a snapshot insert 0.58 ms; the same
statements here 0.13, 0.10 and 0.29 ms), which made the ORM a third of a fetch worker's CPU.

The statements are built once per process from the models' own table and column names;
every value goes through its field's ``get_db_prep_save`` on the way in and the field's
converters on the way out, as the ORM does, so the rows are the ones the ORM would write.
They run on PostgreSQL and on SQLite 3.35+ (both have RETURNING). Rows come back as model
instances marked as loaded from the database (``Model.from_db``), or, for inserts, with
their primary key set and marked as saved. Nothing here sends model signals; the app has
no receivers for them.

Everything else (the rare branches of the fetch pipeline included) stays on the ORM.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models

M = TypeVar("M", bound=models.Model)

_Converter = Callable[[Any, Any, Any], Any]


@dataclass(frozen=True)
class _ReadPlan:
    """How to read some columns of a row: the SELECT by key, the column list (for a
    RETURNING), the attributes in model order, the columns compared and the converters."""

    sql: str
    columns: str
    attnames: list[str]
    conditions: list[models.Field[Any, Any]]
    converters: list[tuple[Any, list[_Converter]]]


def _quote(name: str) -> str:
    return str(connections[DEFAULT_DB_ALIAS].ops.quote_name(name))


def _fields(model: type[models.Model], names: Iterable[str]) -> list[models.Field[Any, Any]]:
    fields = [model._meta.get_field(name) for name in names]
    for field in fields:
        if not getattr(field, "concrete", False) or field.many_to_many:
            raise ValueError(f"{model.__name__}.{field.name} is not a column.")
    return fields  # type: ignore[return-value]


class Rows(Generic[M]):
    """The plain-SQL statements of one model: read by primary key, insert, update."""

    def __init__(self, model: type[M]) -> None:
        self.model = model
        self.pk = model._meta.pk
        assert self.pk is not None
        self._sql: dict[tuple[Any, ...], str] = {}
        self._read_plans: dict[tuple[tuple[str, ...], tuple[str, ...]], _ReadPlan] = {}

    @cached_property
    def table(self) -> str:
        return _quote(self.model._meta.db_table)

    # Reading ---------------------------------------------------------------------------------

    def get(self, pk: Any, fields: Sequence[str], **equal: Any) -> M | None:
        """The row with this primary key (and these column values), with only ``fields``
        and the key loaded (others load on access, as with ``only()``); None when there is
        no such row."""
        plan = self._read_plan(tuple(fields), tuple(sorted(equal)))
        connection = connections[DEFAULT_DB_ALIAS]
        params = [self.pk.get_db_prep_value(pk, connection)] + [
            field.get_db_prep_value(_value_of(field, equal[field.name]), connection)
            for field in plan.conditions
        ]
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, params)
            row = cursor.fetchone()
        return None if row is None else self._instance(row, plan)

    def columns(self, fields: Sequence[str]) -> str:
        """The quoted column list that reads ``fields`` (and the key), in the order
        ``from_row`` expects: for a statement of one's own (an UPDATE ... RETURNING)."""
        return self._read_plan(tuple(fields), ()).columns

    def from_row(self, row: Sequence[Any], fields: Sequence[str]) -> M:
        """The instance for a row read with ``columns(fields)``."""
        return self._instance(row, self._read_plan(tuple(fields), ()))

    def column(self, name: str) -> str:
        """One field's quoted column name."""
        return _quote(_fields(self.model, (name,))[0].column)

    def prep(self, name: str, value: Any) -> Any:
        """A value as a parameter compared with or stored in ``name``'s column."""
        (field,) = _fields(self.model, (name,))
        return field.get_db_prep_value(_value_of(field, value), connections[DEFAULT_DB_ALIAS])

    def _instance(self, row: Sequence[Any], plan: _ReadPlan) -> M:
        connection = connections[DEFAULT_DB_ALIAS]
        values = list(row)
        for index, (expression, functions) in enumerate(plan.converters):
            for function in functions:
                values[index] = function(values[index], expression, connection)
        return self.model.from_db(DEFAULT_DB_ALIAS, plan.attnames, values)

    def _read_plan(self, names: tuple[str, ...], equal: tuple[str, ...]) -> _ReadPlan:
        plan = self._read_plans.get((names, equal))
        if plan is not None:
            return plan
        connection = connections[DEFAULT_DB_ALIAS]
        # In the model's field order, which Model.from_db expects for a partial row.
        order = {field.attname: n for n, field in enumerate(self.model._meta.concrete_fields)}
        wanted = {self.pk, *_fields(self.model, names)}  # the primary key always, as only()
        fields = sorted(wanted, key=lambda field: order[field.attname])
        conditions = _fields(self.model, equal)
        columns = ", ".join(_quote(field.column) for field in fields)
        where = " AND ".join(f"{_quote(field.column)} = %s" for field in [self.pk, *conditions])
        converters = []
        for field in fields:
            expression = field.get_col(self.model._meta.db_table)
            functions = [
                *connection.ops.get_db_converters(expression),
                *expression.get_db_converters(connection),
            ]
            converters.append((expression, functions))
        plan = self._read_plans[(names, equal)] = _ReadPlan(
            sql=f"SELECT {columns} FROM {self.table} WHERE {where}",
            columns=columns,
            attnames=[field.attname for field in fields],
            conditions=conditions,
            converters=converters,
        )
        return plan

    # Writing ---------------------------------------------------------------------------------

    def insert(self, instance: M) -> M:
        """Insert the instance's row (its primary key is the database's unless set) and
        mark it saved; returns it."""
        fields = [
            field
            for field in self.model._meta.concrete_fields
            if not (field.primary_key and getattr(instance, field.attname) is None)
        ]
        key = ("insert", tuple(field.attname for field in fields))
        sql = self._sql.get(key)
        returns = not any(field.primary_key for field in fields)
        if sql is None:
            sql = self._sql[key] = (
                f"INSERT INTO {self.table} ({', '.join(_quote(f.column) for f in fields)}) "
                f"VALUES ({', '.join(['%s'] * len(fields))})"
                + (f" RETURNING {_quote(self.pk.column)}" if returns else "")
            )
        connection = connections[DEFAULT_DB_ALIAS]
        params = [
            field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            if returns:
                setattr(instance, self.pk.attname, cursor.fetchone()[0])
        instance._state.adding = False
        instance._state.db = DEFAULT_DB_ALIAS
        return instance

    def insert_new(self, instances: Sequence[M]) -> None:
        """Insert these rows whose primary keys are set, skipping any whose key is taken
        (``bulk_create(..., ignore_conflicts=True)``, e.g. content-addressed rows)."""
        if not instances:
            return
        fields = list(self.model._meta.concrete_fields)
        key = ("insert_new", len(instances))
        sql = self._sql.get(key)
        if sql is None:
            row = f"({', '.join(['%s'] * len(fields))})"
            sql = self._sql[key] = (
                f"INSERT INTO {self.table} ({', '.join(_quote(f.column) for f in fields)}) "
                f"VALUES {', '.join([row] * len(instances))} "
                f"ON CONFLICT ({_quote(self.pk.column)}) DO NOTHING"
            )
        connection = connections[DEFAULT_DB_ALIAS]
        params = [
            field.get_db_prep_save(field.pre_save(instance, True), connection)
            for instance in instances
            for field in fields
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    def update(self, pk: Any, values: Mapping[str, Any], **where: Any) -> int:
        """``filter(pk=pk, **where).update(**values)`` for plain column values (a None in
        ``where`` matches NULL); returns the number of rows changed (0 or 1)."""
        with self._update(pk, values, where, ()) as cursor:
            return int(cursor.rowcount)

    def update_returning(
        self, pk: Any, values: Mapping[str, Any], returning: Sequence[str], **where: Any
    ) -> M | None:
        """``update`` that also reads ``returning`` from the changed row (as it is after
        the change, which this transaction now holds locked); None when no row changed."""
        with self._update(pk, values, where, tuple(returning)) as cursor:
            row = cursor.fetchone()
        if row is None:
            return None
        return self._instance(row, self._read_plan(tuple(returning), ()))

    @contextmanager
    def _update(
        self,
        pk: Any,
        values: Mapping[str, Any],
        where: Mapping[str, Any],
        returning: tuple[str, ...],
    ) -> Iterator[Any]:
        connection = connections[DEFAULT_DB_ALIAS]
        set_fields = _fields(self.model, values)
        where_fields = _fields(self.model, sorted(where))
        nulls = tuple(where[field.name] is None for field in where_fields)
        key = ("update", tuple(values), tuple(f.name for f in where_fields), nulls, returning)
        sql = self._sql.get(key)
        if sql is None:
            assignments = ", ".join(f"{_quote(field.column)} = %s" for field in set_fields)
            conditions = [f"{_quote(self.pk.column)} = %s"] + [
                f"{_quote(field.column)} IS NULL" if null else f"{_quote(field.column)} = %s"
                for field, null in zip(where_fields, nulls, strict=True)
            ]
            sql = f"UPDATE {self.table} SET {assignments} WHERE {' AND '.join(conditions)}"
            if returning:
                sql += f" RETURNING {self._read_plan(returning, ()).columns}"
            self._sql[key] = sql
        params = [
            field.get_db_prep_save(_value_of(field, values[field.name]), connection)
            for field in set_fields
        ]
        params.append(self.pk.get_db_prep_value(pk, connection))
        params += [
            field.get_db_prep_value(_value_of(field, where[field.name]), connection)
            for field in where_fields
            if where[field.name] is not None
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            yield cursor


def _value_of(field: models.Field[Any, Any], value: Any) -> Any:
    """A model instance given for a foreign key stands for its primary key."""
    if isinstance(value, models.Model) and field.is_relation:
        return value.pk
    return value
