"""Thread-safe caches of results built from arrays and frames, keyed by a digest of their input.

``functools.lru_cache`` needs hashable arguments; geometry arrays and frames are not. A
``digest_cache`` function takes the digest first (``geo.crs.geometry_fingerprint`` or another
one the caller computes) and the input after it; the cache keeps the digest and the result,
never the input. Streamlit serves each session on its own thread: the cache's bookkeeping is
``functools``' own, safe under threads (two threads missing the same key at once may both
build; one result is kept).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Generic, TypeVar

R = TypeVar("R")


class _Keyed:
    """A digest that carries the input to the cached call; hashed and compared by digest only."""

    __slots__ = ("args", "key")

    def __init__(self, key: object, args: tuple[Any, ...]) -> None:
        self.key = key
        self.args: tuple[Any, ...] | None = args

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Keyed) and other.key == self.key


class DigestCache(Generic[R]):
    """``build(*args)`` cached by a digest given with the arguments (see ``digest_cache``)."""

    def __init__(self, build: Callable[..., R], maxsize: int) -> None:
        self._build = build
        self._cached = functools.lru_cache(maxsize=maxsize)(self._from_keyed)
        functools.update_wrapper(self, build)

    def _from_keyed(self, keyed: _Keyed) -> R:
        assert keyed.args is not None  # a stored key is only ever looked up, never built again
        return self._build(*keyed.args)

    def __call__(self, key: object, *args: Any) -> R:
        """Return ``build(*args)``, built once per ``key`` while it stays in the cache."""
        keyed = _Keyed(key, args)
        try:
            return self._cached(keyed)
        finally:
            keyed.args = None  # the cache holds the digest and the result, not the input

    def cache_info(self) -> functools._CacheInfo:
        """``functools`` statistics: hits, misses, size."""
        return self._cached.cache_info()

    def cache_clear(self) -> None:
        """Forget every result."""
        self._cached.cache_clear()


def digest_cache(maxsize: int) -> Callable[[Callable[..., R]], DigestCache[R]]:
    """Decorate ``build(*args)`` so that ``build(key, *args)`` caches its result per ``key``.

    Examples
    --------
    >>> @digest_cache(maxsize=2)
    ... def total(values):
    ...     return sum(values)
    >>> total("digest-of-1-2-3", [1, 2, 3])
    6
    >>> total("digest-of-1-2-3", [])  # the same digest: the cached result
    6
    """

    def decorate(build: Callable[..., R]) -> DigestCache[R]:
        return DigestCache(build, maxsize)

    return decorate
