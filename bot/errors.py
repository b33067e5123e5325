"""Errors of the application layer whose messages are shown to the user as they are, and the set of every
layer's such errors, which the front ends turn into a reply."""

from corpus.errors import CorpusError
from index.errors import IndexError_
from retrieval.errors import RetrievalError


class ServiceError(Exception):
    """Base class."""


class RebuildRunning(ServiceError):
    """A rebuild is already in progress."""


class NoServer(ServiceError):
    """Each server has its own corpus, and this request came from outside any server."""


USER_ERRORS: tuple[type[Exception], ...] = (ServiceError, RetrievalError, CorpusError, IndexError_)
"""Errors whose message is meant for the user; anything else is a bug, logged with its traceback."""
