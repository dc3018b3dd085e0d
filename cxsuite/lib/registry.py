"""Extension points: the one way a higher app plugs into a lower one.

A lower app declares a `Registry` for what it lets others add (its purposes, its merge hooks,
its segment conditions, ...). A higher app fills it from its `AppConfig.ready()`, never at
import time of some other module, so what is registered does not depend on which modules
happen to have been imported:

    # apps/contacts/registries.py (the lower app declares)
    merge_hooks: Registry[MergeHook] = Registry(
        "contacts.merge_hooks", "hook(*, survivor, others) moves a module's rows ..."
    )

    # apps/appointments/apps.py (the higher app fills)
    def ready(self):
        from apps.contacts.registries import merge_hooks
        from .services.privacy import appointments_merge

        merge_hooks.register("appointments", appointments_merge)

Entries are keyed (by a kind, a type name, or the registering app's label) and kept in
registration order, which is the order of INSTALLED_APPS. Registering the same entry under the
same key again changes nothing (ready() may run twice in tests); two different entries under
one key is a configuration error raised at start-up. Tests swap an entry for the length of a
`with registry.override(key, entry):` block.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")

# Every registry of the project by name, for the docs and the test that keeps them listed.
REGISTRIES: dict[str, Registry] = {}


def _same(a: object, b: object) -> bool:
    """The same entry, also when a module was imported twice (same function, new object)."""
    if a is b or a == b:
        return True
    name = getattr(a, "__qualname__", None)
    return (
        name is not None
        and name == getattr(b, "__qualname__", None)
        and getattr(a, "__module__", None) == getattr(b, "__module__", None)
    )


class Registry(Generic[T]):
    """A named, ordered map of entries that apps add in their `ready()`."""

    def __init__(self, name: str, doc: str):
        if name in REGISTRIES:
            raise ImproperlyConfigured(f"Two registries are called {name!r}.")
        self.name = name
        self.doc = doc
        self._entries: dict[str, T] = {}
        REGISTRIES[name] = self

    def register(self, key: str, entry: T) -> T:
        """Add `entry` under `key`; returns the entry, so it can sit in an expression."""
        current = self._entries.get(key)
        if current is not None and not _same(current, entry):
            raise ImproperlyConfigured(f"{self.name}: {key!r} is registered twice.")
        self._entries[key] = entry
        return entry

    def registering(self, key: str) -> Callable[[T], T]:
        """`register` as a decorator, for a function registered where `ready()` defines it."""
        return lambda entry: self.register(key, entry)

    def unregister(self, key: str) -> None:
        self._entries.pop(key, None)

    @contextmanager
    def override(self, key: str, entry: T) -> Iterator[T]:
        """Put `entry` under `key` for a block (tests); what was there comes back after."""
        previous = self._entries.get(key)
        self._entries[key] = entry
        try:
            yield entry
        finally:
            if previous is None:
                self._entries.pop(key, None)
            else:
                self._entries[key] = previous

    @contextmanager
    def without(self, *keys: str) -> Iterator[None]:
        """Take these entries out for a block (a test that must see only its own entries)."""
        removed = {key: self._entries.pop(key) for key in list(keys) if key in self._entries}
        try:
            yield
        finally:
            self._entries.update(removed)

    def get(self, key: str, default: T | None = None) -> T | None:
        return self._entries.get(key, default)

    def __getitem__(self, key: str) -> T:
        try:
            return self._entries[key]
        except KeyError:
            raise KeyError(f"{self.name}: nothing is registered as {key!r}") from None

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[str]:
        """The keys, in registration order (a registry reads like a read-only dict)."""
        return iter(list(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def keys(self) -> list[str]:
        return list(self._entries)

    def values(self) -> list[T]:
        return list(self._entries.values())

    def items(self) -> list[tuple[str, T]]:
        return list(self._entries.items())

    def __repr__(self) -> str:
        return f"<Registry {self.name}: {len(self._entries)} entries>"
