"""Vigil's exception hierarchy.

Every error Vigil raises on purpose derives from :class:`VigilError`, carries an
HTTP status for the API layer and an exit code for the CLI, and says what was
expected, what was received and how to fix it::

    VigilError                      exit 1, HTTP 500
    ├── DataError                   a file or table is malformed (names file, row, column)
    │   └── UnknownCountryError     a country that cannot be identified
    ├── UsageError                  a user asked for something impossible (unknown model, bad year)
    ├── NotFoundError               HTTP 404
    ├── ConflictError               HTTP 409 (duplicates, stale edits)
    ├── AuthenticationError         HTTP 401
    ├── PermissionDeniedError       HTTP 403
    ├── TooManyRequestsError        HTTP 429 (carries ``retry_after`` seconds)
    ├── MissingDependencyError      an optional extra is not installed
    └── SourceError                 HTTP 502: a data source failed (HTTP, timeout, checksum)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

#: Where Vigil is installed: error messages name files inside it relative to it.
_INSTALL = Path(__file__).resolve().parent.parent
_ABSOLUTE = re.compile(
    r"(?<![\w/.:~-])/(?:home|usr|opt|var|tmp|srv|root|mnt|media|Users|private|etc|work|data|nix)"
    r"(?:/[^\s'\"<>:,;()\[\]]+)+"
)


def redact_paths(message: str, *, home: Path | None = None, others: bool = True) -> str:
    """``message`` without absolute file-system paths, for people outside the server.

    Files of the installed package keep their package-relative name (``vigil/data/...``),
    the data directory becomes ``$VIGIL_HOME``, and (with ``others``) any other absolute path
    ``<path>``, so an error never tells a caller where or how Vigil is installed. The command
    line keeps other paths: they are the user's own files.
    """
    roots = [(str(_INSTALL) + "/", ""), (sys.prefix + "/", "")]
    if home is not None:
        roots.insert(0, (str(home), "$VIGIL_HOME"))
    for root, replacement in roots:
        message = message.replace(root, replacement)
    return _ABSOLUTE.sub("<path>", message) if others else message


class VigilError(Exception):
    """Base class: an error Vigil anticipated and can explain."""

    status_code: int = 500
    exit_code: int = 1
    code: str = "vigil_error"


class DataError(VigilError):
    """Input data is malformed; the message names the file, row and column."""

    status_code = 422
    code = "data_error"

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.path, self.row, self.column = path, row, column
        where = [f"{k} {v}" for k, v in (("row", row), ("column", column)) if v is not None]
        prefix = f"{path}: " if path else ""
        suffix = f" ({', '.join(where)})" if where else ""
        super().__init__(f"{prefix}{message}{suffix}")


class UnknownCountryError(DataError):
    """A country name or code that Vigil cannot map to a known state."""

    code = "unknown_country"


class UsageError(VigilError):
    """The request is well-formed but impossible: an unknown model, a year out of range."""

    status_code = 400
    code = "usage_error"


class NotFoundError(VigilError):
    """The requested object does not exist (or is hidden from the caller)."""

    status_code = 404
    code = "not_found"


class ConflictError(VigilError):
    """The change collides with existing state: a duplicate, or an edit of a stale version."""

    status_code = 409
    code = "conflict"


class AuthenticationError(VigilError):
    """No valid credentials were presented."""

    status_code = 401
    code = "unauthenticated"


class PermissionDeniedError(VigilError):
    """Valid credentials, but the role or clearance does not allow the action."""

    status_code = 403
    code = "forbidden"


class TooManyRequestsError(VigilError):
    """Too many attempts in a short time; ``retry_after`` says how many seconds to wait."""

    status_code = 429
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after: int) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(f"{message}; retry in {self.retry_after} s")


class MissingDependencyError(VigilError):
    """An optional extra is needed; the message says which one to install."""

    code = "missing_dependency"

    def __init__(self, package: str, extra: str, purpose: str) -> None:
        self.package, self.extra = package, extra
        super().__init__(
            f"{purpose} needs the optional package '{package}': "
            f"install it with  pip install 'vigil[{extra}]'"
        )


class SourceError(VigilError):
    """A configured data source failed: an HTTP error, a timeout, a refused checksum."""

    status_code = 502
    code = "source_error"
