"""The one pattern for every named choice in marp: a :class:`Registry` of entries with a
``name``; looking up an unknown name raises a ValueError that names the parameter and
lists the names that exist. Used by the packing heuristics, the lowering modes, the
compile objectives and replication modes, and the bundled examples; the CLI takes its
``choices`` from the same registries."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Iterator, Mapping, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Choice:
    """A named option value and what it does."""

    name: str
    description: str


class Registry(Generic[T]):
    """Named entries of one kind; ``get`` raises ValueError naming the valid names."""

    def __init__(self, parameter: str, entries: list[T]):
        self.parameter = parameter
        self._entries: dict[str, T] = {e.name: e for e in entries}

    def names(self) -> tuple[str, ...]:
        return tuple(self._entries)

    def get(self, name: object) -> T:
        entry = self._entries.get(name) if isinstance(name, str) else None
        if entry is None:
            raise ValueError(f"{self.parameter}={name!r} is not known; "
                             f"valid names: {', '.join(self._entries)}")
        return entry

    def items(self) -> Iterator[tuple[str, T]]:
        return iter(self._entries.items())

    def as_dict(self) -> Mapping[str, T]:
        return dict(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"Registry({self.parameter!r}: {', '.join(self._entries)})"
