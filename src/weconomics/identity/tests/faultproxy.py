"""A TCP proxy for tests that passes, refuses or swallows connections on command."""

import contextlib
import socket
import struct
import threading


class FaultProxy:
    """Listen on a free port on 127.0.0.1 and forward to upstream, or fail on command.

    Modes: "pass" forwards; "refuse" resets every connection at once (a server that is
    down); "hang" accepts and never answers (a server that is stuck or unreachable).
    Leaving "pass" cuts the connections already open, as a server going away would.
    """

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.mode = "pass"
        self.accepted = 0
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def set_mode(self, mode: str) -> None:
        assert mode in ("pass", "refuse", "hang")
        with self._lock:
            self.mode = mode
            if mode != "pass":
                self._close_all()

    def close(self) -> None:
        self._listener.close()
        with self._lock:
            self._close_all()

    def _close_all(self) -> None:
        for sock in self._open:
            _reset(sock)
        self._open.clear()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self.accepted += 1
                mode = self.mode
                if mode == "refuse":
                    _reset(client)
                    continue
                self._open.append(client)
            if mode == "pass":
                try:
                    server = socket.create_connection(self.upstream, timeout=5)
                except OSError:
                    _reset(client)
                    continue
                server.settimeout(None)
                with self._lock:
                    self._open.append(server)
                for source, target in ((client, server), (server, client)):
                    threading.Thread(target=_pump, args=(source, target), daemon=True).start()


def _pump(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass
    finally:
        _reset(source)
        _reset(target)


def _reset(sock: socket.socket) -> None:
    """Close with a reset, so the other side learns at once that the connection is gone."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)  # wakes a thread waiting in recv on it
    with contextlib.suppress(OSError):
        sock.close()
