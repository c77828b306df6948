"""Helper processes that end with the process that started them.

A `ProcessPoolExecutor` worker (spaCy's NLP processes, lingua's helper) blocks on its call queue, and
holds both ends of that queue, so it never sees its owner go: killed (`kill -9`, the OOM killer) or ended
by `os._exit`, the owner would leave its workers, their forkserver and the resource tracker running, each
holding its memory (600-720 MB for an NLP process). `follow_owner`, called first in the worker's pool
initializer, exits the worker within `OWNER_POLL_S` once its owner is gone; the forkserver and the resource
tracker then see their last users go and exit too. (`PR_SET_PDEATHSIG` would not do: a forkserver
worker's parent is the forkserver, not the owner.)
"""

from __future__ import annotations

import os
import threading
import time
from typing import Final

OWNER_POLL_S: Final = 1.0


def follow_owner(owner_pid: int) -> None:
    """In a helper process: exit once process `owner_pid` is gone. Returns at once (a daemon thread
    watches)."""

    def watch() -> None:
        while True:
            time.sleep(OWNER_POLL_S)
            try:
                os.kill(owner_pid, 0)
            except (ProcessLookupError, PermissionError):  # gone, or its pid reused by another user
                os._exit(0)

    threading.Thread(target=watch, name="follow-owner", daemon=True).start()
