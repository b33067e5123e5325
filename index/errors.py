"""Errors whose messages are fit to show to the user."""


class IndexError_(Exception):  # noqa: N801 - the builtin IndexError means something else
    """Base class for index problems."""


class ModelMismatch(IndexError_):
    """The saved index was built with another embedding model."""


class IndexCorrupt(IndexError_):
    """A saved index file is missing, truncated or unreadable."""


class ModelUnavailable(IndexError_):
    """The embedding model cannot be loaded (not installed, bad path)."""


class RebuildLocked(IndexError_):
    """Another process is rebuilding the index."""
