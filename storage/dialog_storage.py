"""botbuilder `Storage` for conversation and dialog state, kept in the SQL `dialog_state` table.

Why jsonpickle: `DialogState` holds SDK objects (dialog instances, prompt options carrying
activities), which plain JSON loses; botbuilder's own Cosmos DB and Blob storages encode with
jsonpickle, and so does this one. The encoding stays inside this module.

A row is data, never code: whoever can write the table (a shared database account, a restored
back-up) must not be able to make the bot run anything. So decoding is restricted to what this
storage writes, and every document is checked BEFORE jsonpickle sees it:
- the row must name its encoding (`jsonpickle-v1`) and be at most `MAX_STATE_CHARACTERS` long
  and `MAX_STATE_DEPTH` containers deep (a deeper document is refused, not left to crash);
- classes are an exact allow-list of full names (`DEFAULT_ALLOWED_CLASSES`, from what the bot
  and botbuilder's storage contract really store, plus any `allowed_classes` the caller names).
  Each name is imported once, when the storage is built, and must be the class's own
  `__module__` + `__qualname__`, so a path through module attributes such as
  `botframework.x.asyncio.events.subprocess.Popen` is never an allowed name. Names read from a
  row are only looked up in that mapping, which is handed to jsonpickle as its only classes, so
  nothing in a row is ever imported or resolved;
- the only jsonpickle tags accepted, each in exactly the shape this storage writes:
  `py/object` (an allowed class other than an enum, with plain attributes: no `py/state`,
  `py/newargs`, `py/initargs`, `py/seq` or double-underscore names beside it); `py/type` (an
  allowed class); `py/reduce` ONLY as an enum member lookup (`[{"py/type": <allowed enum>},
  {"py/tuple": [<str or int>]}]`, which is how an Activity's `type` and `input_hint` are
  written); and the plain values `py/tuple`, `py/set` and `py/id`. Everything else
  (`py/function`, `py/repr`, `py/mod`, `py/newobj`, `py/iterator`, `py/b64` bytes, unknown
  tags, `json://` pickled keys, a tag beside other tags) is refused;
- jsonpickle then restores it with `safe=True`, `keys=False` and `on_missing="error"`.
So a planted row can at most build allowed classes from plain values. The same check runs when
writing, so state that could not be read back is refused at once (TypeError naming the problem;
ValueError when over the size limit) instead of on the next turn. jsonpickle itself drops its
reserved tags from a plain dict's keys when writing, so stored text cannot smuggle one in.
Refusal messages name classes and tags, never the state's contents.

eTags behave as in botbuilder's storages: a write whose item carries an eTag other than "*"
only succeeds if the stored row still has that eTag (a conditional UPDATE, race-free on
PostgreSQL), no eTag or "*" overwrites, "" is refused, and every write gets a new eTag, which
reads return in the item's `e_tag`. Each call is one short transaction of its own (botbuilder's
API passes no session), so a batch that hits a conflict writes nothing.
"""

from __future__ import annotations

import functools
import importlib
import json
import uuid
from collections.abc import Collection, Iterable, Mapping
from enum import Enum, StrEnum
from typing import Any, Final, TypeGuard

from botbuilder.core import Storage
from jsonpickle import tags
from jsonpickle.errors import ClassNotFoundError
from jsonpickle.pickler import Pickler
from jsonpickle.unpickler import Unpickler
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Backend, Database
from storage.schema import DIALOG_STATE_KEY_LENGTH, dialog_state
from storage.timestamps import utc_now

E_TAG: Final = "e_tag"
ANY_E_TAG: Final = "*"

# The classes stored state may name, exactly (module + qualified name). Derived from what is
# written: the intake dialog's state is only DialogState/DialogInstance stacks of plain dicts;
# prompts (botbuilder's waterfall contract, the restart test) add PromptOptions carrying an
# Activity whose `type`/`input_hint` are enum members; StoreItem is botbuilder's own item type.
DEFAULT_ALLOWED_CLASSES: Final = frozenset(
    {
        "botbuilder.core.storage.StoreItem",
        "botbuilder.dialogs.dialog_instance.DialogInstance",
        "botbuilder.dialogs.dialog_state.DialogState",
        "botbuilder.dialogs.prompts.prompt_options.PromptOptions",
        "botbuilder.schema._connector_client_enums.ActivityTypes",
        "botbuilder.schema._connector_client_enums.InputHints",
        "botbuilder.schema._models_py3.Activity",
    }
)
# A draft is a few kilobytes (Teams caps a message near 28 KB); anything this size is not ours.
MAX_STATE_CHARACTERS: Final = 1024 * 1024
# The intake's nested dialogs reach about 12 levels; jsonpickle restores recursively.
MAX_STATE_DEPTH: Final = 64

_TAG_PREFIX: Final = "py/"
_PICKLED_KEY_PREFIX: Final = tags.JSON_KEY
# Tags whose value is a list of items, each checked like any other value.
_SEQUENCE_TAGS: Final = frozenset({tags.TUPLE, tags.SET})
_SHOWN_NAME_LENGTH: Final = 120


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


class _Refused(Exception):
    """Why a jsonpickle document may not be restored (names classes and tags, never contents)."""


class SqlDialogStorage(Storage):
    """A botbuilder Storage over the `dialog_state` table of a `Database`.

    `allowed_classes` adds exact class names (`module.QualifiedName`) to
    `DEFAULT_ALLOWED_CLASSES`, for callers that keep their own types in dialog state; a name
    that is not a class's own module and qualified name raises ValueError here.
    """

    def __init__(self, database: Database, *, allowed_classes: Iterable[str] = ()) -> None:
        super().__init__()
        if isinstance(allowed_classes, str):
            raise TypeError("allowed_classes is a collection of class names, not one string")
        self._database = database
        names = DEFAULT_ALLOWED_CLASSES | frozenset(allowed_classes)
        self._classes: dict[str, type] = {name: _allowed_class(name) for name in sorted(names)}
        self._enum_names = frozenset(
            name for name, cls in self._classes.items() if issubclass(cls, Enum)
        )

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
        if len(data) > MAX_STATE_CHARACTERS:
            raise UnreadableDialogStateError(key, "it is larger than any state this bot writes")
        try:
            document = json.loads(data)
        # RecursionError: nested deeper than the parser goes, refused like any other bad JSON.
        except (ValueError, RecursionError) as error:
            raise UnreadableDialogStateError(key, "not JSON") from error
        problem = self._disallowed_reference(document)
        if problem is not None:
            raise UnreadableDialogStateError(key, problem)
        if isinstance(document, dict):
            document[E_TAG] = e_tag
        unpickler = Unpickler(safe=True, keys=False, on_missing="error")
        try:
            # The allowed classes are jsonpickle's only classes: it resolves no name itself.
            return unpickler.restore(document, classes=self._classes)
        # e.g. an enum member or attribute that no longer exists (jsonpickle's
        # ClassNotFoundError derives from BaseException, hence named here).
        except (Exception, ClassNotFoundError) as error:
            raise UnreadableDialogStateError(key, "it could not be restored") from error

    def _encode(self, key: str, item: object) -> str:
        document = Pickler().flatten(item)
        problem = self._disallowed_reference(document)
        if problem is not None:
            # Refused now rather than stored and then refused on the next turn's read.
            raise TypeError(
                f"dialog state {key!r} cannot be stored: {problem}; a class of your own can be "
                "allowed by its exact name with SqlDialogStorage(allowed_classes=...)"
            )
        if isinstance(document, dict):
            # The eTag lives in its own column; it is put back into the item when read.
            document.pop(E_TAG, None)
        data = json.dumps(document, separators=(",", ":"))
        if len(data) > MAX_STATE_CHARACTERS:
            raise ValueError(
                f"dialog state {key!r} cannot be stored: it is over {MAX_STATE_CHARACTERS} "
                "characters"
            )
        return data

    def _disallowed_reference(self, document: Any) -> str | None:
        """Why a jsonpickle document may not be restored, or None when it may."""
        try:
            self._check_document(document)
        except _Refused as refusal:
            return str(refusal)
        return None

    def _check_document(self, document: Any) -> None:
        """Raises `_Refused` for anything outside the allowed shapes.

        Iterative, so a deep document is refused by `MAX_STATE_DEPTH` rather than by
        exhausting the stack.
        """
        pending: list[tuple[Any, int]] = [(document, 0)]
        while pending:
            node, depth = pending.pop()
            if isinstance(node, list):
                children: Collection[Any] = node
            elif isinstance(node, dict):
                children = self._checked_mapping(node)
            else:
                continue
            if depth >= MAX_STATE_DEPTH:
                raise _Refused(f"it is nested more than {MAX_STATE_DEPTH} levels deep")
            pending.extend((child, depth + 1) for child in children)

    def _checked_mapping(self, node: dict[Any, Any]) -> Collection[Any]:
        """The values to check next inside a JSON object; raises `_Refused` if it is not allowed.

        jsonpickle decides what an object is from its `py/` keys, in its own order of
        precedence; requiring each tagged object to be exactly one allowed shape means that
        order never matters.
        """
        tagged = _tags_among_keys(node)
        if not tagged:
            return node.values()
        if tagged == [tags.OBJECT]:
            return self._checked_instance(node)
        if len(tagged) > 1:
            shown = ", ".join(sorted(_shown(name) for name in tagged))
            raise _Refused(f"the tags {shown} together are not allowed")
        if len(node) != 1:
            raise _Refused(f"{_shown(tagged[0])} beside other keys is not allowed")
        ((tag, value),) = node.items()
        if tag in _SEQUENCE_TAGS and isinstance(value, list):
            return value
        if tag == tags.TYPE:
            self._require_allowed_class(value)
        elif tag == tags.REDUCE:
            self._require_enum_lookup(value)
        elif not _is_plain_value(tag, value):
            raise _Refused(f"{_shown(tag)} is not allowed here")
        return ()

    def _checked_instance(self, node: dict[str, Any]) -> Collection[Any]:
        """A `py/object`: an allowed class, not an enum, with plain attribute names."""
        name = node[tags.OBJECT]
        self._require_allowed_class(name)
        if name in self._enum_names:
            raise _Refused(f"enum {_shown(name)} is only restored by looking up a member")
        if any(attribute.startswith("__") for attribute in node):
            raise _Refused("double-underscore attribute names are not allowed")
        return [value for attribute, value in node.items() if attribute != tags.OBJECT]

    def _require_allowed_class(self, name: object) -> None:
        if not isinstance(name, str) or name not in self._classes:
            raise _Refused(f"class {_shown(name)} is not allowed")

    def _require_enum_lookup(self, value: object) -> None:
        """`py/reduce` may only look up a member of an allowed enum by its value."""
        if _enum_lookup_class(value) not in self._enum_names:
            raise _Refused(
                f"py/reduce of {_shown(_reduce_callee(value))} is not allowed (only a member of "
                "an allowed enum may be looked up)"
            )


def _tags_among_keys(node: dict[Any, Any]) -> list[str]:
    """The `py/` keys of a JSON object; raises `_Refused` for keys jsonpickle would decode."""
    tagged = []
    for name in node:
        if not isinstance(name, str):
            raise _Refused("a key that is not a string")
        if name.startswith(_PICKLED_KEY_PREFIX):
            raise _Refused("pickled dictionary keys are not allowed")
        if name.startswith(_TAG_PREFIX):
            tagged.append(name)
    return tagged


def _reduce_callee(value: object) -> object:
    """What a `py/reduce` would call (a class or function name), for a refusal message."""
    callee = value[0] if isinstance(value, list) and value else None
    if isinstance(callee, dict):
        return callee.get(tags.TYPE, callee.get(tags.FUNCTION))
    return callee


def _is_plain_value(tag: str, value: object) -> bool:
    """An object index (`py/id`, a repeated reference to something already restored)."""
    return tag == tags.ID and _is_int(value) and value >= 0


def _enum_lookup_class(value: object) -> str | None:
    """The class of `[{"py/type": class}, {"py/tuple": [member]}]`; None for any other shape."""
    if not isinstance(value, list) or len(value) != 2:
        return None
    callee, arguments = value
    if not (
        isinstance(callee, dict)
        and callee.keys() == {tags.TYPE}
        and isinstance(arguments, dict)
        and arguments.keys() == {tags.TUPLE}
    ):
        return None
    name, members = callee[tags.TYPE], arguments[tags.TUPLE]
    if (
        isinstance(name, str)
        and isinstance(members, list)
        and len(members) == 1
        and (isinstance(members[0], str) or _is_int(members[0]))
    ):
        return name
    return None


@functools.cache
def _allowed_class(name: str) -> type:
    """The class an allow-list entry names, imported once; the entry must be its own name.

    Only ever called with names from code (the defaults and `allowed_classes`), never with
    names read from the database.
    """
    parts = name.split(".")
    for split in range(len(parts) - 1, 0, -1):
        module_name, qualified_name = ".".join(parts[:split]), ".".join(parts[split:])
        try:
            found: object = importlib.import_module(module_name)
        except (ImportError, TypeError, ValueError):
            continue
        for attribute in parts[split:]:
            found = getattr(found, attribute, None)
        if (
            isinstance(found, type)
            and found.__module__ == module_name
            and found.__qualname__ == qualified_name
        ):
            return found
    raise ValueError(f"{name!r} is not the module and qualified name of a class")


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _shown(name: object) -> str:
    """A class or tag name for a refusal message, cut short (a planted name can be huge).

    Anything but a string is shown by its type only, so no stored value is ever quoted.
    """
    if isinstance(name, str):
        return repr(name[:_SHOWN_NAME_LENGTH])
    return f"<{type(name).__name__}>"


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
