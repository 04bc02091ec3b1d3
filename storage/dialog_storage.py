"""botbuilder `Storage` for conversation and dialog state, kept in the SQL `dialog_state` table.

Why jsonpickle: `DialogState` holds SDK objects (dialog instances, prompt options carrying
activities), which plain JSON loses; botbuilder's own Cosmos DB and Blob storages encode with
jsonpickle, and so does this one. The encoding stays inside this module.

Decoding is restricted to what this storage wrote:
- every row names its encoding (`jsonpickle-v1`); a row with any other marker is refused;
- before restoring, the document is checked: classes may only come from botbuilder,
  botframework, a few standard-library value types, built-in containers and scalars, and any
  module prefixes the caller allows (e.g. the bot's own `dialogs.`); functions only from the
  short list those standard types need; `py/repr` and `py/mod` are refused outright;
- jsonpickle then restores it with `safe=True` and `on_missing="error"`.
So a row planted in the database can at most build allowed classes; it cannot name arbitrary
callables such as `os.system`. The same check runs when writing, so a type that could not be
read back is refused at once instead of on the next turn.

eTags behave as in botbuilder's storages: a write whose item carries an eTag other than "*"
only succeeds if the stored row still has that eTag (a conditional UPDATE, race-free on
PostgreSQL), no eTag or "*" overwrites, "" is refused, and every write gets a new eTag, which
reads return in the item's `e_tag`. Each call is one short transaction of its own (botbuilder's
API passes no session), so a batch that hits a conflict writes nothing.
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Any, Final

from botbuilder.core import Storage
from jsonpickle.errors import ClassNotFoundError
from jsonpickle.pickler import Pickler
from jsonpickle.unpickler import Unpickler, loadclass
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Backend, Database
from storage.schema import DIALOG_STATE_KEY_LENGTH, dialog_state
from storage.timestamps import utc_now

E_TAG: Final = "e_tag"
ANY_E_TAG: Final = "*"

# Classes from these module prefixes may appear in stored state.
DEFAULT_ALLOWED_MODULE_PREFIXES: Final = (
    "botbuilder.",
    "botframework.",
    "datetime.",
    "decimal.",
    "uuid.",
    "zoneinfo.",
    "collections.",
)
# Built-in types that may be named (e.g. a defaultdict's factory, copyreg's base class).
_ALLOWED_BUILTIN_TYPES: Final = frozenset(
    f"builtins.{name}"
    for name in (
        "object",
        "list",
        "dict",
        "set",
        "frozenset",
        "tuple",
        "str",
        "bytes",
        "int",
        "float",
        "complex",
        "bool",
        "NoneType",
    )
)
# Callables jsonpickle records for standard types (time zones, copyreg reconstruction).
_ALLOWED_FUNCTIONS: Final = frozenset(
    {"zoneinfo.ZoneInfo._unpickle", "copyreg._reconstructor", "copyreg.__newobj__"}
)
_CLASS_TAGS: Final = ("py/object", "py/type")
_FUNCTION_TAG: Final = "py/function"
_REFUSED_TAGS: Final = ("py/repr", "py/mod")


class DialogStateEncoding(StrEnum):
    """How a row's `data` is encoded; stored with the row so old formats stay recognisable."""

    JSONPICKLE_V1 = "jsonpickle-v1"


class DialogStateConflictError(Exception):
    """The stored state changed since it was read (another turn of the same conversation won)."""

    def __init__(self, key: str) -> None:
        super().__init__(f"dialog state {key!r} was changed by another turn")
        self.key = key


class UnreadableDialogStateError(Exception):
    """A stored row is not something this storage wrote, so it is not decoded."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"dialog state {key!r} is not readable: {reason}")
        self.key = key


class SqlDialogStorage(Storage):
    """A botbuilder Storage over the `dialog_state` table of a `Database`."""

    def __init__(self, database: Database, *, allowed_module_prefixes: Sequence[str] = ()) -> None:
        super().__init__()
        self._database = database
        self._allowed_prefixes = (*DEFAULT_ALLOWED_MODULE_PREFIXES, *allowed_module_prefixes)

    async def read(self, keys: Iterable[str] | None) -> dict[str, Any]:
        if keys is None:
            raise ValueError("Keys are required when reading")
        wanted = _checked_keys(keys)
        if not wanted:
            return {}
        async with self._database.session(read_only=True) as session:
            rows = (
                await session.execute(
                    select(
                        dialog_state.c.key,
                        dialog_state.c.etag,
                        dialog_state.c.encoding,
                        dialog_state.c.data,
                    ).where(dialog_state.c.key.in_(wanted))
                )
            ).all()
        return {row.key: self._decode(row.key, row.etag, row.encoding, row.data) for row in rows}

    async def write(self, changes: Mapping[str, Any] | None) -> None:
        if changes is None:
            raise ValueError("Changes are required when writing")
        if not changes:
            return
        _checked_keys(changes.keys())
        prepared = [
            (key, _e_tag_of(key, item), self._encode(key, item)) for key, item in changes.items()
        ]
        async with self._database.session() as session:
            for key, expected_e_tag, data in prepared:
                if expected_e_tag is None:
                    await self._overwrite(session, key, data)
                else:
                    await self._replace_if_unchanged(session, key, expected_e_tag, data)

    async def delete(self, keys: Iterable[str] | None) -> None:
        if keys is None:
            raise ValueError("Keys are required when deleting")
        doomed = _checked_keys(keys)
        if not doomed:
            return
        async with self._database.session() as session:
            await session.execute(delete(dialog_state).where(dialog_state.c.key.in_(doomed)))

    async def _overwrite(self, session: AsyncSession, key: str, data: str) -> None:
        values = {
            "key": key,
            "etag": _new_e_tag(),
            "encoding": DialogStateEncoding.JSONPICKLE_V1.value,
            "data": data,
            "updated_at": utc_now(),
        }
        insert = (
            postgresql.insert if self._database.backend is Backend.POSTGRESQL else sqlite.insert
        )
        statement = insert(dialog_state).values(values)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[dialog_state.c.key],
                set_={name: statement.excluded[name] for name in values if name != "key"},
            )
        )

    async def _replace_if_unchanged(
        self, session: AsyncSession, key: str, expected_e_tag: str, data: str
    ) -> None:
        replaced = (
            await session.execute(
                update(dialog_state)
                .where(dialog_state.c.key == key, dialog_state.c.etag == expected_e_tag)
                .values(
                    etag=_new_e_tag(),
                    encoding=DialogStateEncoding.JSONPICKLE_V1.value,
                    data=data,
                    updated_at=utc_now(),
                )
                .returning(dialog_state.c.key)
            )
        ).first()
        if replaced is None:
            # Changed or deleted since it was read: either way the caller's copy is stale.
            raise DialogStateConflictError(key)

    def _decode(self, key: str, e_tag: str, encoding: str, data: str) -> Any:
        if encoding != DialogStateEncoding.JSONPICKLE_V1:
            raise UnreadableDialogStateError(key, "unknown encoding")
        try:
            document = json.loads(data)
        except json.JSONDecodeError as error:
            raise UnreadableDialogStateError(key, "not JSON") from error
        problem = self._disallowed_reference(document)
        if problem is not None:
            raise UnreadableDialogStateError(key, problem)
        if isinstance(document, dict):
            document[E_TAG] = e_tag
        try:
            return Unpickler(safe=True, on_missing="error").restore(document)
        # e.g. a class renamed since the state was saved (jsonpickle's ClassNotFoundError
        # derives from BaseException, hence named here).
        except (Exception, ClassNotFoundError) as error:
            raise UnreadableDialogStateError(key, "it could not be restored") from error

    def _encode(self, key: str, item: object) -> str:
        document = Pickler().flatten(item)
        problem = self._disallowed_reference(document)
        if problem is not None:
            # Refused now rather than stored and then refused on the next turn's read.
            raise TypeError(
                f"dialog state {key!r} cannot be stored: {problem}; allow its module with "
                "SqlDialogStorage(allowed_module_prefixes=...)"
            )
        if isinstance(document, dict):
            # The eTag lives in its own column; it is put back into the item when read.
            document.pop(E_TAG, None)
        return json.dumps(document, separators=(",", ":"))

    def _disallowed_reference(self, document: Any) -> str | None:
        """What in a jsonpickle document refers to code outside the allowed set, if anything."""
        pending = [document]
        while pending:
            node = pending.pop()
            if isinstance(node, list):
                pending.extend(node)
            elif isinstance(node, dict):
                for tag in _REFUSED_TAGS:
                    if tag in node:
                        return f"{tag} is not allowed"
                for tag in _CLASS_TAGS:
                    if tag in node and not self._is_allowed_class(node[tag]):
                        return f"class {node[tag]!r} is not allowed"
                if _FUNCTION_TAG in node and node[_FUNCTION_TAG] not in _ALLOWED_FUNCTIONS:
                    return f"function {node[_FUNCTION_TAG]!r} is not allowed"
                pending.extend(node.values())
        return None

    def _is_allowed_class(self, name: object) -> bool:
        return (
            isinstance(name, str)
            and (name in _ALLOWED_BUILTIN_TYPES or name.startswith(self._allowed_prefixes))
            and _names_a_class(name)
        )


@functools.cache
def _names_a_class(name: str) -> bool:
    """True when `name` resolves to a class: an allowed module's functions are not classes."""
    return isinstance(loadclass(name), type)


def _checked_keys(keys: Iterable[str]) -> list[str]:
    checked = list(dict.fromkeys(keys))
    for key in checked:
        if not isinstance(key, str) or not key:
            raise ValueError("dialog state keys must be non-empty strings")
        if len(key) > DIALOG_STATE_KEY_LENGTH:
            raise ValueError(f"dialog state keys are at most {DIALOG_STATE_KEY_LENGTH} characters")
    return checked


def _e_tag_of(key: str, item: object) -> str | None:
    """The eTag the write is conditional on, or None for an unconditional write."""
    e_tag = item.get(E_TAG) if isinstance(item, dict) else getattr(item, E_TAG, None)
    if e_tag == "":
        raise ValueError(f"SqlDialogStorage.write(): etag missing for {key!r}")
    if e_tag is None or e_tag == ANY_E_TAG:
        return None
    return str(e_tag)


def _new_e_tag() -> str:
    return uuid.uuid4().hex
