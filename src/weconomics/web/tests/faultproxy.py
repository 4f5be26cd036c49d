"""A TCP proxy for tests that takes a server away on command, without touching the server.

Tests put it between the site (or a `weconomics serve` process) and the real PostgreSQL or
Redis. Modes:

- "pass": forward every byte both ways;
- "refuse": reset every new connection at once, as a server that is down;
- "hang": accept new connections and never answer, as a server that is stuck or unreachable.

Every change of mode resets the connections open until then (a server that goes away cuts
them; a hung one is never answered), so a client learns at once. `accepted` counts the
connections the proxy took, in any mode. The listening socket stays open on one port for
the proxy's whole life, so nothing can take that port between an outage and the recovery.
"""

import contextlib
import socket
import struct
import threading

MODES = ("pass", "refuse", "hang")


class FaultProxy:
    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.mode = "pass"
        self.accepted = 0
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def set_mode(self, mode: str) -> None:
        assert mode in MODES, mode
        with self._lock:
            if mode == self.mode:
                return
            self.mode = mode
            for sock in self._open:
                _reset(sock)
            self._open.clear()

    def down(self) -> None:
        """Refuse new connections and reset every open one, as a database that died."""
        self.set_mode("refuse")

    def up(self) -> None:
        """Let connections through again."""
        self.set_mode("pass")

    def close(self) -> None:
        self._listener.close()
        self.set_mode("refuse")

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # close()
            with self._lock:
                self.accepted += 1
                mode = self.mode
                if mode == "refuse":
                    _reset(client)
                    continue
                self._open.append(client)
            if mode == "hang":
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _reset(client)
                continue
            upstream.settimeout(None)
            with self._lock:
                if self.mode != "pass" or client not in self._open:  # changed meanwhile
                    _reset(client)
                    _reset(upstream)
                    continue
                self._open.append(upstream)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pipe, args=(source, sink), daemon=True).start()


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def _reset(sock: socket.socket) -> None:
    """Close at once with a reset, as a crashed server's kernel answers.

    shutdown() first: it wakes a thread blocked in recv() on the socket, which close()
    alone would not.
    """
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()
