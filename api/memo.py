"""Answers a process works out once and then remembers: what a query string validates to
(api/serializers/common.py, QueryInput.read) and content negotiation's choice
(api/negotiation.py). Their keys come from clients, so the memory is bounded: when full,
everything is dropped and worked out again."""

from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Memo(dict[K, V], Generic[K, V]):
    """Read with .get() (another thread may empty it between a membership test and a read)."""

    def __init__(self, size: int = 256):
        super().__init__()
        self.size = size

    def keep(self, key: K, value: V) -> V:
        if len(self) >= self.size:
            self.clear()
        self[key] = value
        return value
