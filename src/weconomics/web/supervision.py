"""Process supervision for `weconomics serve`: children die with it and are restarted.

`serve` starts the web server (granian, which forks its own worker processes) and the
task worker. Every one of them must end when `serve` ends, even when `serve` is killed
with SIGKILL and cannot clean up: each asks Linux for a signal when its parent dies
(PR_SET_PDEATHSIG), and a watchdog thread checks the parent once a second as well.
"""

import ctypes
import logging
import os
import signal
import subprocess
import threading
import time
from functools import partial

logger = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1
# Set by `serve` in its children's environment: the pid of the supervising process.
SUPERVISOR_ENV = "WECONOMICS_SUPERVISOR_PID"


try:  # loaded here, not between fork and exec, where loading a library is unsafe
    _prctl = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):  # not Linux: the watchdog thread still checks
    _prctl = None


def _ask_for_signal_on_parent_death() -> None:
    if _prctl is not None:
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def die_with_parent(parent_pid: int) -> None:
    """Ask to be killed when the parent dies; exit at once if it already has.

    Used as a subprocess preexec function: it runs in the child between fork and exec,
    and the setting survives exec. The check after prctl closes the race of a parent
    that died before the request was made.
    """
    _ask_for_signal_on_parent_death()
    if os.getppid() != parent_pid:
        os._exit(1)


def _parent_of(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            # "pid (name) state ppid ...": the name may hold spaces, so split after it.
            return int(stat.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def guard_supervised_process() -> None:
    """In any process started under `serve` (granian's workers too), end with the supervisor.

    Does nothing outside `serve`. The process ends when its parent ends, or when the
    supervisor is no longer among its ancestors (its parent died before this ran).
    """
    supervisor = os.environ.get(SUPERVISOR_ENV, "")
    if not supervisor.isdigit():
        return
    supervisor_pid = int(supervisor)
    _ask_for_signal_on_parent_death()
    parent = os.getppid()
    ancestors, pid = [], os.getpid()
    for _ in range(4):
        pid = _parent_of(pid)
        if pid is None or pid <= 1:
            break
        ancestors.append(pid)
    if supervisor_pid not in ancestors:
        os._exit(1)

    def watch():
        while True:
            time.sleep(1)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


class Child:
    """One supervised child process, restarted with exponential backoff when it dies.

    The delay starts at `backoff` seconds and doubles with each quick death up to
    `backoff_max`; a child that ran for `stable_after` seconds starts again from `backoff`.
    """

    def __init__(self, name: str, argv: list[str], env: dict[str, str], *,
                 backoff: float, backoff_max: float, stable_after: float):
        self.name = name
        self.argv = argv
        self.env = env
        self.backoff = backoff
        self.backoff_max = backoff_max
        self.stable_after = stable_after
        self.delay = backoff
        self.process: subprocess.Popen | None = None
        self.started_at = 0.0
        self.restart_at: float | None = None
        self.restarts = 0

    def start(self) -> None:
        # preexec_fn is safe here: serve starts no threads.
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            self.argv, env=self.env, preexec_fn=partial(die_with_parent, os.getpid()))
        self.started_at = time.monotonic()
        self.restart_at = None

    def check(self, now: float) -> None:
        """Notice a death and schedule the restart; restart when its time has come."""
        if self.process is not None:
            code = self.process.poll()
            if code is None:
                return
            ran = now - self.started_at
            if ran >= self.stable_after:
                self.delay = self.backoff
            self.process = None
            self.restart_at = now + self.delay
            logger.error("%s stopped (exit status %s) after %.1f s; restarting in %.1f s",
                         self.name, code, ran, self.delay)
            self.delay = min(self.delay * 2, self.backoff_max)
        if self.restart_at is not None and now >= self.restart_at:
            self.restarts += 1
            self.start()

    def terminate(self) -> None:
        self.restart_at = None
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()

    def wait(self, timeout: float) -> None:
        if self.process is None:
            return
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
