"""The globals a user script sees: model, elements, properties, report, save_output...

Heavy libraries (ifcopenshell, pandas) are imported only when the script uses the
names that need them, so that ``print("hi")`` starts in milliseconds.
"""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePosixPath

from .channel import Channel

TYPE_CHECKING = False  # importing typing costs milliseconds at start-up
if TYPE_CHECKING:
    from typing import Any

SEVERITIES = ("error", "warning", "info")


class Unavailable:
    """Stands in for a context name this run cannot provide; any use explains why."""

    _name: str
    _reason: str

    def __init__(self, name: str, reason: str) -> None:
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_reason", reason)

    def _fail(self, *_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError(f"`{self._name}` is not available: {self._reason}.")

    __getattr__ = _fail
    __getitem__ = _fail
    __iter__ = _fail
    __len__ = _fail
    __call__ = _fail

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"<{self._name} not available: {self._reason}>"


class LazyModel:
    """The ifcopenshell file, opened on first attribute access.

    Once opened, the script's global ``model`` is rebound to the real file, and
    ``__class__`` reports the real class so ``isinstance(model, ifcopenshell.file)``
    holds even before the first attribute access.
    """

    __slots__ = ("_path", "_globals", "_file")

    def __init__(self, path: Path, script_globals: dict[str, Any]) -> None:
        object.__setattr__(self, "_path", path)
        object.__setattr__(self, "_globals", script_globals)
        object.__setattr__(self, "_file", None)

    def _open(self) -> Any:
        file = object.__getattribute__(self, "_file")
        if file is None:
            file = open_model(object.__getattribute__(self, "_path"))
            object.__setattr__(self, "_file", file)
            script_globals = object.__getattribute__(self, "_globals")
            if script_globals.get("model") is self:
                script_globals["model"] = file
        return file

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # noqa: F811
        return type(self._open())

    def __getattr__(self, name: str) -> Any:
        return getattr(self._open(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._open(), name, value)

    def __getitem__(self, key: Any) -> Any:
        return self._open()[key]

    def __iter__(self) -> Any:
        return iter(self._open())

    def __len__(self) -> int:
        return len(self._open())

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        if object.__getattribute__(self, "_file") is None:
            return f"<model {object.__getattribute__(self, '_path').name} (not opened yet)>"
        return repr(self._open())

    def opened(self) -> Any:
        return object.__getattribute__(self, "_file")


def open_model(path: Path) -> Any:
    """Open an IFC model for a script. A plain .ifc is opened lazily (ifcopenshell
    indexes it in one quick pass and parses each instance when first read: measured
    2-3x faster to open and half the memory, the same answers; ifcopenshell falls back
    to a full parse by itself when the file has syntax its index pass does not take).
    An .ifczip is unpacked and read by ifcopenshell as usual."""
    import ifcopenshell

    if path.suffix.lower() == ".ifc":
        return ifcopenshell.open(str(path), lazy=True)
    return ifcopenshell.open(str(path))


def read_datapack(path: Path) -> Any:
    """Adapter to the data pack reader, imported only when a script needs it."""
    try:
        from bimflow.ifc.datapack import read_datapack as reader
    except ImportError as exc:
        raise RuntimeError("the data pack reader (bimflow.ifc.datapack) is not installed") from exc
    return reader(path)


def _json_default(value: Any) -> Any:
    # numpy and pandas scalars are what scripts naturally put in results.
    item = getattr(value, "item", None)
    if callable(item) and type(value).__module__.split(".")[0] in ("numpy", "pandas"):
        return item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, default=_json_default)


class Report:
    """``report.error/warning/info(message, guid=None, rule=None, **details)``."""

    def __init__(self, channel: Channel, class_of: Any) -> None:
        self._channel = channel
        self._class_of = class_of
        self.count = 0

    def _add(
        self, severity: str, message: Any, guid: str | None, rule: str | None, details: dict
    ) -> None:
        if guid is not None and not isinstance(guid, str):
            raise TypeError(f"guid must be a string, not {type(guid).__name__}")
        if rule is not None and not isinstance(rule, str):
            raise TypeError(f"rule must be a string, not {type(rule).__name__}")
        ifc_class = details.pop("ifc_class", None)
        if ifc_class is None and guid:
            ifc_class = self._class_of(guid)
        try:
            details_json = json.loads(to_json(details)) if details else {}
        except (TypeError, ValueError) as exc:
            raise TypeError(f"report details must be JSON-serialisable: {exc}") from None
        self.count += 1
        self._channel.send(
            {
                "t": "finding",
                "severity": severity,
                "message": str(message),
                "guid": guid,
                "rule": rule,
                "ifc_class": ifc_class,
                "details": details_json,
            }
        )

    def error(
        self, message: Any, guid: str | None = None, rule: str | None = None, **details: Any
    ) -> None:
        self._add("error", message, guid, rule, details)

    def warning(
        self, message: Any, guid: str | None = None, rule: str | None = None, **details: Any
    ) -> None:
        self._add("warning", message, guid, rule, details)

    def info(
        self, message: Any, guid: str | None = None, rule: str | None = None, **details: Any
    ) -> None:
        self._add("info", message, guid, rule, details)


def _is_dataframe(data: Any) -> bool:
    return type(data).__module__.startswith("pandas") and hasattr(data, "columns")


def _as_frame(data: Any) -> Any:
    """A pandas DataFrame (a Series becomes a one-column frame), else None."""
    if not type(data).__module__.startswith("pandas"):
        return None
    if hasattr(data, "columns") and hasattr(data, "to_csv"):
        return data
    if hasattr(data, "to_frame"):
        return data.to_frame()
    return None


def output_path(output_dir: Path, name: str) -> Path:
    """Validate a relative output name (sub-folders allowed) and make its parents."""
    if not isinstance(name, str) or not name or name.startswith("/") or "\\" in name:
        raise ValueError(f"save_output() needs a relative file name, got {name!r}")
    parts = PurePosixPath(name).parts
    if any(p in ("", ".", "..") for p in parts) or any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise ValueError(f"save_output() refuses the file name {name!r}")
    path = output_dir.joinpath(*parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def make_save_output(output_dir: Path):  # noqa: ANN201 - returns the user-facing function
    def save_output(name: str, data: Any) -> Path:
        """Save ``data`` as a file the user can download; returns its path.

        str -> text (UTF-8); bytes -> binary; pandas DataFrame -> CSV, or by the
        name's extension .xlsx / .json / .parquet; dict or list -> JSON.
        """
        suffix = PurePosixPath(name).suffix.lower() if isinstance(name, str) else ""
        if isinstance(data, str):
            path = output_path(output_dir, name)
            path.write_text(data, encoding="utf-8")
        elif isinstance(data, bytes | bytearray | memoryview):
            path = output_path(output_dir, name)
            path.write_bytes(bytes(data))
        elif (frame := _as_frame(data)) is not None:
            if not suffix:
                name, suffix = name + ".csv", ".csv"
            path = output_path(output_dir, name)
            if suffix == ".xlsx":
                frame.to_excel(path, index=False)
            elif suffix == ".json":
                frame.to_json(path, orient="records", indent=2, force_ascii=False)
            elif suffix == ".parquet":
                frame.to_parquet(path, index=False)
            else:
                frame.to_csv(path, index=False)
        elif isinstance(data, dict | list | tuple):
            if not suffix:
                name = name + ".json"
            try:
                text = json.dumps(
                    data, ensure_ascii=False, allow_nan=False, indent=2, default=_json_default
                )
            except (TypeError, ValueError) as exc:
                raise TypeError(f"save_output() could not write JSON: {exc}") from None
            path = output_path(output_dir, name)
            path.write_text(text, encoding="utf-8")
        else:
            raise TypeError(
                "save_output() takes str, bytes, a pandas DataFrame, a dict or a list, "
                f"not {type(data).__name__}"
            )
        return path

    return save_output


class ClassLookup:
    """guid -> IFC class, from whatever is already loaded (never loads anything)."""

    def __init__(self, script_globals: dict[str, Any]) -> None:
        self._globals = script_globals
        self._from_elements: dict[str, str] | None = None

    def __call__(self, guid: str) -> str | None:
        model = self._globals.get("model")
        if isinstance(model, LazyModel):
            model = model.opened()
        elif isinstance(model, Unavailable):
            model = None
        if model is not None and hasattr(model, "by_guid"):
            try:
                return str(model.by_guid(guid).is_a())
            except Exception:  # noqa: BLE001 - an unknown guid just has no class
                return None
        if self._from_elements is None:
            self._from_elements = self._index_elements()
        return self._from_elements.get(guid)

    def _index_elements(self) -> dict[str, str]:
        frame = self._globals.get("elements")
        if frame is None or not _is_dataframe(frame):
            return {}
        columns = {str(c).lower(): c for c in frame.columns}
        guid_col = next(
            (columns[c] for c in ("guid", "globalid", "global_id") if c in columns), None
        )
        class_col = next(
            (columns[c] for c in ("ifc_class", "class", "ifcclass", "entity") if c in columns),
            None,
        )
        if guid_col is None or class_col is None:
            return {}
        return dict(zip(frame[guid_col].astype(str), frame[class_col].astype(str), strict=False))


def code_names(code: Any) -> set[str]:
    """Every name and string constant the compiled script refers to."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, str):
            names.add(const)
        elif hasattr(const, "co_names"):
            names |= code_names(const)
    return names


class SourceLoader:
    """Lets linecache show the script's lines in any traceback, even ones the
    script prints itself, without importing linecache at start-up."""

    def __init__(self, source: str) -> None:
        self._source = source

    def get_source(self, _name: str) -> str:
        return self._source


# DataFrames of the data pack given to scripts, loaded only when the code names them.
PACK_FRAMES = ("elements", "properties", "entities")


class VersionData:
    """Another version of the project, given to the run by a ``model-version``
    parameter: ``.model`` (the ifcopenshell file, opened on first use), ``.elements``,
    ``.properties``, ``.entities`` (its data pack's DataFrames, loaded on first use),
    ``.model_path``, ``.id``, ``.number`` and ``.model_name``."""

    def __init__(self, entry: dict[str, Any], inputs: dict[str, str]) -> None:
        self.id = int(entry["id"])
        self.number = entry.get("number")
        self.model_name = entry.get("model_name")
        model = inputs.get(entry.get("model") or "")
        pack = inputs.get(entry.get("datapack") or "")
        self.model_path = Path(model) if model else None
        self._pack_path = Path(pack) if pack else None
        self._model: Any = None
        self._pack: Any = None

    @property
    def model(self) -> Any:
        if self._model is None:
            if self.model_path is None:
                raise RuntimeError(f"version {self.id} has no model file in this run")

            self._model = open_model(self.model_path)
        return self._model

    def _frame(self, name: str) -> Any:
        if self._pack is None:
            if self._pack_path is None:
                raise RuntimeError(f"version {self.id} has no data pack (it was not ingested)")
            self._pack = read_datapack(self._pack_path)
        return getattr(self._pack, name)

    @property
    def elements(self) -> Any:
        return self._frame("elements")

    @property
    def properties(self) -> Any:
        return self._frame("properties")

    @property
    def entities(self) -> Any:
        return self._frame("entities")

    def __repr__(self) -> str:
        return f"<version {self.id}: {self.model_name} v{self.number}>"


def make_open_version(spec: dict[str, Any]):  # noqa: ANN201 - the user-facing function
    versions = (spec.get("extra") or {}).get("versions") or {}
    inputs = spec.get("inputs") or {}
    opened: dict[int, VersionData] = {}

    def open_version(version_id: Any) -> VersionData:
        """Another version given to this run by a ``model-version`` parameter."""
        try:
            key = int(version_id)
        except (TypeError, ValueError):
            raise ValueError(f"open_version() needs a version id, not {version_id!r}") from None
        if key not in opened:
            entry = versions.get(str(key))
            if entry is None:
                given = ", ".join(sorted(versions)) or "none"
                raise LookupError(
                    f"version {key} was not given to this run (only versions named by a "
                    f"model-version parameter are; given: {given})"
                )
            opened[key] = VersionData(entry, inputs)
        return opened[key]

    return open_version


def resolve_param_inputs(spec: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """Parameters naming a project file or an execution become the path of that input."""
    mapping = (spec.get("extra") or {}).get("param_inputs") or {}
    inputs = spec.get("inputs") or {}
    if not mapping:
        return params
    params = dict(params)
    for key, name in mapping.items():
        if name in inputs:
            params[key] = inputs[name]
    return params


def build_globals(
    spec: dict[str, Any], code: Any, channel: Channel, source: str = ""
) -> dict[str, Any]:
    """The script's globals, exactly the names of the contract (plus dunders)."""
    import builtins

    output_dir = Path(spec["output_dir"])
    model_file = spec.get("model")
    pack_file = spec.get("datapack")
    names = code_names(code)
    script_globals: dict[str, Any] = {
        "__name__": "__main__",
        "__builtins__": builtins,
        "__file__": spec.get("script_filename", "script.py"),
        "__loader__": SourceLoader(source),
    }
    model_path = Path(model_file) if model_file else None
    if model_path is None:
        model: Any = Unavailable("model", "this run has no model file")
    else:
        model = LazyModel(model_path, script_globals)
    params = resolve_param_inputs(spec, spec.get("params") or {})
    script_globals.update(
        model=model,
        model_path=model_path,
        params=params,
        result={},
        output_dir=output_dir,
        save_output=make_save_output(output_dir),
        open_version=make_open_version(spec),
        print=builtins.print,
    )
    for name in PACK_FRAMES:
        script_globals[name] = Unavailable(name, "this run has no data pack")
    if pack_file and (set(PACK_FRAMES) & names):
        pack = read_datapack(Path(pack_file))
        for name in PACK_FRAMES:
            if name in names:
                script_globals[name] = getattr(pack, name)
    script_globals["report"] = Report(channel, ClassLookup(script_globals))
    return script_globals


def open_dir_fds(paths: list[str]) -> tuple[list[str], list[int]]:
    names, fds = [], []
    for path in paths:
        try:
            fds.append(os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC))
            names.append(path)
        except OSError:
            continue
    return names, fds
