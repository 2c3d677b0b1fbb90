"""The base of errors whose message is for the user (Chinese, names what is wrong).

The command line prints such an error as one line and exits with code 2; anything else that
escapes a command is an internal error (exit 3). Readers have their own :class:`ReadError`,
which carries the file name apart from the reason.
"""

from __future__ import annotations


class UserError(Exception):
    """Something the user can fix: a setting, a database that cannot be opened, a missing font."""


__all__ = ["UserError"]
