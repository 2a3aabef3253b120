"""Storing parsed rows set-based: the context the sections share while applying, and the chunked
upsert every section uses (a constant number of queries per chunk; new rows through
healthscore.bulk.rows_insert)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from healthscore.bulk import ValuesIn, rows_insert
from healthscore.importing.registry import find_batched


@dataclass
class ApplyContext:
    """What storing the sections shares: primary keys by (section, id), caches for one run
    (users by email, ...), and the accounts whose score inputs changed."""

    cache: dict = field(default_factory=dict)
    accounts_to_rescore: set[int] = field(default_factory=set)
    _pks: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))

    def pks(self, section: str, values: Iterable[str]) -> dict[str, int]:
        """The primary keys of these ids of `section` (stored earlier in this run or before):
        the ones not yet known are looked up together, once."""
        known = self._pks[section]
        missing = {value for value in values if value not in known}
        if missing:
            known.update(find_batched(section, missing))
        return known

    def pk(self, section: str, value: str) -> int:
        return self.pks(section, [value])[value]

    def remember(self, section: str, pks: dict[str, int]) -> None:
        """Primary keys a section just stored, so later sections need no lookup for them."""
        self._pks[section].update(pks)

    def rescore(self, account_id: int) -> None:
        self.accounts_to_rescore.add(account_id)

    def rescore_many(self, account_ids: Iterable[int]) -> None:
        self.accounts_to_rescore.update(account_ids)


@dataclass(frozen=True)
class Upserted:
    """What `rows_upsert` did: the keys of the rows it created, and {key: pk} of the stored rows
    whose values it changed."""

    created: list[tuple]
    changed: dict[tuple, int]


def rows_upsert(model, *, key: tuple[str, ...], rows: list[dict], within: dict | None = None) -> Upserted:
    """Store a chunk of rows set-based, matched to the stored ones by `key` (field names).

    Each row is a dict of field attnames (`account_id`, not `account`) including the key; a
    field a row leaves out keeps the stored value (a new row takes the model default). Rows of
    the chunk with the same key merge in file order, as one-by-one saves would. Queries: one to
    read the stored rows of the chunk's keys (narrowed by `within`, e.g. a source), one
    multi-row INSERT per few hundred new rows and one UPDATE per field set of the changed ones; a
    row whose values are already stored is not written at all, so a second import of the same
    file writes nothing."""
    merged: dict[tuple, dict] = {}
    for row in rows:
        k = tuple(row[f] for f in key)
        merged[k] = {**merged[k], **row} if k in merged else dict(row)
    if not merged:
        return Upserted([], {})
    fields = sorted({name for row in merged.values() for name in row} - set(key))
    lookup = ValuesIn(key[0], sorted({k[0] for k in merged}, key=str))
    stored = {
        tuple(values[f] for f in key): values
        for values in model.objects.filter(lookup, **(within or {})).order_by("pk").values("pk", *key, *fields)
    }
    # Changed rows by the set of fields that changed: one bulk UPDATE each (usually one).
    auto_now = [f.attname for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
    new, changed, by_fields = {}, {}, defaultdict(list)
    for k, row in merged.items():
        old = stored.get(k)
        if old is None:
            new[k] = {**(within or {}), **row}
            continue
        names = tuple(sorted(f for f, v in row.items() if old[f] != v))
        if names:
            changed[k] = old["pk"]
            by_fields[names].append(model(**{**old, **row}))
    rows_insert(model, list(new.values()))
    for names, objects in by_fields.items():
        for obj in objects:
            for name in auto_now:
                model._meta.get_field(name).pre_save(obj, add=False)
        model.objects.bulk_update(objects, [*names, *auto_now], batch_size=1000)
    return Upserted(list(new), changed)
