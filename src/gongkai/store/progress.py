"""The ingest progress bar on stderr: documents done of total; ok / problems / failed / skipped counts."""

from __future__ import annotations

from typing import Any

from gongkai.store.ingest import IngestResult


class IngestProgress:
    """A ``progress`` callback for ``ingest`` that draws a rich progress bar; use as a context manager."""

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self._progress: Any = None  # a rich Progress while enabled
        self._task: Any = None

    def __enter__(self) -> IngestProgress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn("[bold]入库 ingest"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn(
                    "[green]ok {task.fields[ok]}[/] · [yellow]problems {task.fields[problems]}[/] · "
                    "[red]failed {task.fields[failed]}[/] · skipped {task.fields[skipped]}"
                ),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=False,
            )
            self._progress.start()
            self._task = self._progress.add_task("ingest", total=None, ok=0, problems=0, failed=0, skipped=0)
        return self

    def __call__(self, event: str, result: IngestResult) -> None:
        if self._progress is None:
            return
        if event.startswith("start:"):
            self._progress.update(self._task, total=int(event.split(":", 1)[1]))
            return
        done = sum(result.counts.values())
        self._progress.update(self._task, completed=done, **result.counts)

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.stop()
