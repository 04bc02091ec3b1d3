"""Hostile rows in `dialog_state`: each is planted with SQL, read through the storage, and refused.

Whoever can write the table (a shared database account, a restored back-up) must not be able to
run code on the bot's next turn. Each payload below would create the marker file, import a
module, build something outside the allow-list, or exhaust the stack or memory if it were
decoded. The test asserts that the read raises `UnreadableDialogStateError` from the check that
runs before jsonpickle sees the document, and that the marker file was never created.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from storage.db import Database
from storage.dialog_storage import SqlDialogStorage, UnreadableDialogStateError
from tests.support.planting import plant_dialog_state

# Each payload is built from the marker file's path and is planted as the row's JSON text.
Payload = Callable[[str], str]

# Resolves to subprocess.Popen by walking module attributes from an SDK-looking prefix. The
# previous decoder checked only the prefix and ran `touch` for the first two payloads below.
POPEN_VIA_SDK_PATH = (
    "botframework.connector.auth.channel_validation.asyncio.events.subprocess.Popen"
)
# A module attribute path under an allowed-looking prefix: botbuilder.core.about imports os.
OS_SYSTEM_VIA_SDK_PATH = "botbuilder.core.about.os.system"
DIALOG_STATE = "botbuilder.dialogs.dialog_state.DialogState"
STORE_ITEM = "botbuilder.core.storage.StoreItem"
ACTIVITY_TYPES = "botbuilder.schema._connector_client_enums.ActivityTypes"
# Deep enough to exhaust jsonpickle's recursion, shallow enough for the JSON parser.
DEEP_BUT_PARSEABLE = 600
# Deeper than the JSON parser itself can recurse.
DEEPER_THAN_THE_PARSER = 200_000
SEVERAL_MEGABYTES = 5 * 1024 * 1024
# How long a spawned `touch` would need, at most, to create the marker on a busy machine.
SIDE_EFFECT_GRACE_SECONDS = 0.2


def _json(document: Any) -> str:
    return json.dumps(document)


def _touch(marker: str) -> str:
    return f"touch {marker}"


def _python_touch(marker: str) -> str:
    """Python source that creates the marker when evaluated."""
    return f"__import__('os').system('{_touch(marker)}')"


def _popen_arguments(marker: str) -> dict[str, Any]:
    return {"py/tuple": [["touch", marker]]}


def _call(callable_node: dict[str, Any], *args: Any) -> dict[str, Any]:
    """A py/reduce node: jsonpickle calls `callable_node` with `args` when restoring it."""
    return {"py/reduce": [callable_node, {"py/tuple": list(args)}]}


def _popen_reduce(marker: str) -> dict[str, Any]:
    return {"py/reduce": [{"py/type": POPEN_VIA_SDK_PATH}, _popen_arguments(marker)]}


def _conversation(inner: dict[str, Any]) -> dict[str, Any]:
    """The payload inside an otherwise ordinary conversation-state document."""
    return {
        "DialogState": {
            "py/object": DIALOG_STATE,
            "_dialog_stack": [
                {
                    "py/object": "botbuilder.dialogs.dialog_instance.DialogInstance",
                    "id": "intake",
                    "state": {"values": {"q1": inner}},
                }
            ],
        }
    }


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


HOSTILE_PAYLOADS: list[Any] = [
    pytest.param(
        lambda marker: _json({"x": _popen_reduce(marker)}),
        id="popen-via-sdk-attribute-path-in-reduce",
    ),
    pytest.param(
        lambda marker: _json(_conversation(_popen_reduce(marker))),
        id="popen-via-sdk-attribute-path-inside-dialog-state",
    ),
    pytest.param(
        lambda marker: _json({"x": {"py/function": "os.system"}}),
        id="os-system-as-function",
    ),
    pytest.param(
        lambda marker: _json({"x": _call({"py/function": "os.system"}, _touch(marker))}),
        id="os-system-function-in-reduce",
    ),
    pytest.param(
        lambda marker: _json({"x": _call({"py/type": "os.system"}, _touch(marker))}),
        id="os-system-type-in-reduce",
    ),
    pytest.param(
        lambda marker: _json({"x": _call({"py/type": "posix.system"}, _touch(marker))}),
        id="posix-system-in-reduce",
    ),
    pytest.param(
        lambda marker: _json(
            {
                "x": {
                    "py/object": "subprocess.Popen",
                    "py/newargs": {"py/tuple": [["touch", marker]]},
                }
            }
        ),
        id="popen-object-with-newargs",
    ),
    pytest.param(
        lambda marker: _json(
            {
                "x": {
                    "py/object": POPEN_VIA_SDK_PATH,
                    "py/newargs": {"py/tuple": [["touch", marker]]},
                }
            }
        ),
        id="popen-via-sdk-path-object-with-newargs",
    ),
    pytest.param(
        lambda marker: _json(
            {"x": {"py/object": "subprocess.Popen", "args": ["touch", marker], "returncode": None}}
        ),
        id="popen-object",
    ),
    pytest.param(
        lambda marker: _json(
            {
                "x": _call(
                    {"py/function": "builtins.eval"}, f"__import__('os').system('{_touch(marker)}')"
                )
            }
        ),
        id="builtins-eval-function",
    ),
    pytest.param(
        lambda marker: _json(
            {
                "x": _call(
                    {"py/type": "builtins.eval"}, f"__import__('os').system('{_touch(marker)}')"
                )
            }
        ),
        id="builtins-eval-type",
    ),
    pytest.param(
        lambda marker: _json(
            {
                "x": _call(
                    {"py/function": "builtins.exec"}, f"import os; os.system('{_touch(marker)}')"
                )
            }
        ),
        id="builtins-exec",
    ),
    pytest.param(
        lambda marker: _json({"x": {"py/repr": f"os/os.system('{_touch(marker)}')"}}),
        id="repr-os-system",
    ),
    pytest.param(
        lambda marker: _json({"x": {"py/repr": "os/os.system"}}),
        id="repr-module-attribute",
    ),
    pytest.param(lambda marker: _json({"x": {"py/mod": "os/os.system"}}), id="module-os"),
    pytest.param(lambda marker: _json({"x": {"py/mod": "this/this"}}), id="module-import"),
    pytest.param(
        lambda marker: _json({"x": {"py/type": "botbuilder.core.os.system"}}),
        id="allowed-prefix-module-path-type",
    ),
    pytest.param(
        lambda marker: _json({"x": _call({"py/type": OS_SYSTEM_VIA_SDK_PATH}, _touch(marker))}),
        id="allowed-prefix-module-path-in-reduce",
    ),
    pytest.param(
        lambda marker: _json({"x": _call({"py/function": OS_SYSTEM_VIA_SDK_PATH}, _touch(marker))}),
        id="allowed-prefix-module-path-function",
    ),
    pytest.param(
        lambda marker: _json({"x": _call({"py/function": "builtins.__import__"}, "this")}),
        id="dunder-import-function",
    ),
    pytest.param(
        lambda marker: _json({"x": _call({"py/type": "builtins.__import__"}, "this")}),
        id="dunder-import-type",
    ),
    pytest.param(
        lambda marker: _json(
            {
                "x": {
                    "py/object": STORE_ITEM,
                    "py/state": {
                        "__class__": {"py/type": "subprocess.Popen"},
                        "__reduce__": {"py/function": "os.system"},
                    },
                }
            }
        ),
        id="state-setting-class-and-reduce",
    ),
    pytest.param(
        lambda marker: _json(
            {"x": {"py/object": STORE_ITEM, "py/state": {"__class__": {"py/type": STORE_ITEM}}}}
        ),
        id="state-on-an-allowed-class",
    ),
    pytest.param(
        lambda marker: _json(
            {"x": {"py/object": STORE_ITEM, "__class__": {"py/type": "subprocess.Popen"}}}
        ),
        id="dunder-attribute-on-an-allowed-class",
    ),
    pytest.param(
        lambda marker: _json(
            {
                "x": {
                    "py/object": "subprocess.Popen",
                    "py/initargs": {"py/tuple": [["touch", marker]]},
                }
            }
        ),
        id="initargs-disallowed-class",
    ),
    pytest.param(
        lambda marker: _json({"x": {"py/object": STORE_ITEM, "py/initargs": {"py/tuple": [1]}}}),
        id="initargs-on-an-allowed-class",
    ),
    pytest.param(
        lambda marker: _json(
            {"x": {"py/reduce": ["py/newobj", {"py/tuple": [{"py/type": "subprocess.Popen"}]}]}}
        ),
        id="newobj-disallowed-class",
    ),
    pytest.param(
        lambda marker: _json(
            {"x": _call({"py/function": "copyreg.__newobj__"}, {"py/type": POPEN_VIA_SDK_PATH})}
        ),
        id="copyreg-newobj-popen-via-sdk-path",
    ),
    pytest.param(
        lambda marker: _json({"x": {"py/object": "collections.OrderedDict", "py/seq": []}}),
        id="seq-disallowed-class",
    ),
    pytest.param(
        lambda marker: _json({"x": {"py/iterator": [_popen_reduce(marker)]}}),
        id="iterator",
    ),
    pytest.param(
        lambda marker: _json(
            {
                "x": {
                    "py/object": "collections.defaultdict",
                    "default_factory": {"py/type": "subprocess.Popen"},
                }
            }
        ),
        id="defaultdict-factory",
    ),
    pytest.param(
        lambda marker: _json(
            {"x": {"py/tuple": [], "py/object": "subprocess.Popen", "args": ["touch", marker]}}
        ),
        id="tag-hidden-behind-another-tag",
    ),
    pytest.param(
        lambda marker: _json({"x": _call({"py/type": DIALOG_STATE}, [_popen_reduce(marker)])}),
        id="reduce-of-an-allowed-class",
    ),
    pytest.param(
        lambda marker: _json(
            {
                "x": _call(
                    {"py/type": ACTIVITY_TYPES},
                    "Evil",
                    "a b",
                )
            }
        ),
        id="enum-functional-api",
    ),
    pytest.param(
        lambda marker: _json({"a": [{"b": [[{"c": {"d": [_popen_reduce(marker)]}}]]}]}),
        id="nested-deep-in-lists-and-dicts",
    ),
    pytest.param(
        lambda marker: _json({"x": {"json://" + _json(_popen_reduce(marker)): 1}}),
        id="tag-in-a-pickled-key",
    ),
    pytest.param(
        lambda marker: _json({"x": {"json://" + _json({"py/function": "os.system"}): 1}}),
        id="function-in-a-pickled-key",
    ),
    pytest.param(
        lambda marker: _json(_conversation({"q1": "typed", "py/function": "os.system"})),
        id="tag-among-plain-keys",
    ),
    pytest.param(
        lambda marker: _json({"x": {"py/bytes": "x", "py/property": "y"}}),
        id="unknown-tags",
    ),
    pytest.param(
        lambda marker: _json({"x": {"py/object": ACTIVITY_TYPES, "value": "message"}}),
        id="enum-built-as-an-object",
    ),
    pytest.param(lambda marker: _json({"x": {"py/bytes": "eA=="}}), id="unknown-tag"),
    pytest.param(
        lambda marker: _json({"x": {"py/type": "subprocess.Popen"}}), id="disallowed-type"
    ),
    pytest.param(
        lambda marker: _json({"x": _call({"py/type": ACTIVITY_TYPES}, _popen_reduce(marker))}),
        id="enum-lookup-with-a-payload-argument",
    ),
    pytest.param(lambda marker: _json({"x": {"py/object": 42}}), id="class-name-not-a-string"),
    pytest.param(
        lambda marker: _json({"x": {"py/object": STORE_ITEM + "." * 10_000}}),
        id="allowed-name-with-junk",
    ),
    pytest.param(lambda marker: _nested(DEEP_BUT_PARSEABLE), id="deep-nesting"),
    pytest.param(lambda marker: _nested(DEEPER_THAN_THE_PARSER), id="deeper-than-the-parser"),
    pytest.param(
        lambda marker: (
            '{"x": ' + '{"a": ' * DEEP_BUT_PARSEABLE + "1" + "}" * DEEP_BUT_PARSEABLE + "}"
        ),
        id="deep-dicts",
    ),
    pytest.param(
        lambda marker: _json({"padding": "x" * SEVERAL_MEGABYTES, "x": _popen_reduce(marker)}),
        id="several-megabytes-with-a-payload",
    ),
    pytest.param(
        lambda marker: _json({"values": {"q1": "x" * SEVERAL_MEGABYTES}}),
        id="several-megabytes",
    ),
]


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    """The file a payload would create if it were ever executed."""
    return tmp_path / "payload-ran"


async def _plant_row(database: Database, key: str, data: str) -> None:
    await plant_dialog_state(database, key, data, updated_at=datetime(2026, 1, 1, tzinfo=UTC))


async def _marker_appears(marker: Path) -> bool:
    """Whether the marker exists once a spawned process has had a moment to create it."""
    await asyncio.sleep(SIDE_EFFECT_GRACE_SECONDS)
    return await asyncio.to_thread(marker.exists)


@pytest.mark.parametrize("payload", HOSTILE_PAYLOADS)
async def test_a_hostile_row_is_refused_without_side_effects(
    database: Database, marker: Path, payload: Payload
) -> None:
    await _plant_row(database, "planted", payload(str(marker)))
    storage = SqlDialogStorage(database)

    with pytest.raises(UnreadableDialogStateError) as refused:
        await storage.read(["planted"])

    # Refused by the check, not by jsonpickle failing part-way (after running something).
    assert "could not be restored" not in str(refused.value)
    assert not await _marker_appears(marker)


async def test_a_hostile_row_fails_only_the_reads_that_include_it(
    database: Database, marker: Path
) -> None:
    await _plant_row(database, "planted", _json({"x": _popen_reduce(str(marker))}))
    storage = SqlDialogStorage(database)
    await storage.write({"honest": {"count": 1}})

    assert (await storage.read(["honest"]))["honest"]["count"] == 1
    with pytest.raises(UnreadableDialogStateError, match="planted"):
        await storage.read(["honest", "planted"])
    assert not await _marker_appears(marker)


@pytest.mark.parametrize(
    "values",
    [
        {"py/b64": "AAAA"},
        {"py/b85": "00000"},
        {"py/anything": 1},
        {"json://1": "a pickled key"},
    ],
    ids=["b64", "b85", "unknown-tag", "pickled-key"],
)
async def test_keys_jsonpickle_would_decode_are_refused_when_written(
    database: Database, values: dict[str, Any]
) -> None:
    """jsonpickle writes these keys of a plain dict as they are, and would then decode the dict
    as something else (bytes, say): refused before it is stored."""
    storage = SqlDialogStorage(database)

    with pytest.raises(TypeError, match="cannot be stored"):
        await storage.write({"conversation": {"values": values}})

    assert await storage.read(["conversation"]) == {}


async def test_a_plain_dict_keyed_like_a_class_tag_cannot_plant_one(database: Database) -> None:
    """jsonpickle drops its reserved tags from a plain dict's keys when writing, so a dict built
    from submitted names cannot smuggle a `py/object` or `py/reduce` into the stored document."""
    storage = SqlDialogStorage(database)
    values = {
        "py/object": "subprocess.Popen",
        "py/reduce": [{"py/function": "os.system"}],
        "q1": "typed",
    }

    await storage.write({"conversation": {"values": values}})

    assert (await storage.read(["conversation"]))["conversation"]["values"] == {"q1": "typed"}
