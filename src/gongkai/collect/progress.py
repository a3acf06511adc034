"""The collect progress bar on stderr: targets done of total, list pages, reports, files fetched or known,
failures, and the URL being fetched."""

from __future__ import annotations

from typing import Any

from gongkai.collect.run import CollectResult


class CollectProgress:
    """A ``progress`` callback for ``collect`` that draws a rich progress bar; use as a context manager."""

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> CollectProgress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn("[bold]采集 collect"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn(
                    "列表页 {task.fields[list_pages]} · 年报 {task.fields[reports]} · "
                    "[green]新 {task.fields[fetched]}[/] · 已有 {task.fields[known]} · "
                    "[red]失败 {task.fields[failed]}[/]"
                ),
                TimeElapsedColumn(),
                TextColumn("[dim]{task.fields[url]}"),
                console=Console(stderr=True),
                transient=False,
            )
            self._progress.start()
            self._task = self._progress.add_task(
                "collect", total=None, url="", list_pages=0, reports=0, fetched=0, known=0, failed=0
            )
        return self

    def __call__(self, event: str, result: CollectResult) -> None:
        if self._progress is None:
            return
        kind, _, value = event.partition(":")
        if kind == "targets":
            self._progress.update(self._task, total=int(value))
        elif kind == "done":
            self._progress.advance(self._task)
        url = value[-60:] if kind == "fetch" else ""
        self._progress.update(self._task, url=url, **result.counts)

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.stop()
