"""`weconomics serve` checks its port before starting granian."""

import socket

from weconomics.web.management.commands.serve import port_is_free


def _listener() -> socket.socket:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # As granian's (and most servers') listening socket: its connections inherit it.
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen()
    return server


def test_a_port_another_server_listens_on_is_not_free():
    server = _listener()
    try:
        assert not port_is_free("127.0.0.1", server.getsockname()[1])
    finally:
        server.close()


def test_a_port_is_free_again_at_once_after_its_server_stopped():
    # The server side closes an accepted connection first, which leaves it in TIME_WAIT
    # on the server's port, as after stopping a server that had clients: restarting at
    # once must not be refused for the minute TIME_WAIT lasts.
    server = _listener()
    port = server.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = server.accept()
    accepted.close()
    client.recv(1)
    client.close()
    server.close()
    assert port_is_free("127.0.0.1", port)
