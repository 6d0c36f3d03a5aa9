"""Every error twinsearch raises on purpose. A caller catches `IndexerError` for all of them; the
message says what happened and what to do."""

from __future__ import annotations

from pathlib import Path


class IndexerError(Exception):
    """Base of the errors a user can act on; the message says what to do."""


class IndexNotFoundError(IndexerError, FileNotFoundError):
    """There is no index in the folder yet."""

    def __init__(self, index_dir: Path) -> None:
        super().__init__(f"no index in {index_dir}/ yet: build one with `python -m indexer rebuild`")
        self.index_dir = index_dir


class IndexFormatError(IndexerError):
    """The index was written by another version of twinsearch and cannot be read by this one."""

    def __init__(self, gen: Path, cause: BaseException) -> None:
        super().__init__(f"the index in {gen.parent}/ was built by another version of twinsearch and cannot be "
                         f"read ({type(cause).__name__}: {cause}); rebuild it with `python -m indexer rebuild`")
        self.gen = gen


class SourceNotFoundError(IndexerError, FileNotFoundError):
    """A source folder does not exist."""


class WorkerError(IndexerError):
    """An indexing worker process failed or died; the message says which and why, in one line."""


class IndexBusyError(IndexerError):
    """Another rebuild or update is writing to the index (and the caller chose not to wait)."""


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP asked a rebuild or update to stop: it ends as Ctrl-C does (`signum` says which)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class QueryError(IndexerError, ValueError):
    """The one exception search raises for a query or parameter it cannot answer; the message says why."""


class SettingError(IndexerError, ValueError):
    """An environment variable that holds no usable value."""


class DecodeError(IndexerError, ValueError):
    """The bytes of a file are not text in any encoding twinsearch accepts (the file is skipped)."""


class BackendError(IndexerError):
    """The search backend (an OpenSearch cluster) could not be reached or refused a request; the message
    says what was tried and where (never with credentials)."""
