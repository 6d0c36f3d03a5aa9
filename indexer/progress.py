"""A progress bar for long work, shown only where a person is watching (a terminal)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

T = TypeVar("T")


def progress(items: Sequence[T], description: str, enabled: bool) -> Iterator[T]:
    """Yields `items`, drawing a bar on stderr when `enabled` and stderr is a terminal."""
    console = Console(stderr=True)
    if not enabled or not console.is_terminal or not items:
        yield from items
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(description, total=len(items))
        for item in items:
            yield item
            bar.advance(task)
