"""`weconomics serve` supervises its children and holds hundreds of open connections.

Real processes: a child killed with SIGKILL is started again and the site keeps
answering; serve killed with SIGKILL takes its children along, and a new serve starts on
the same port at once; 200 clients that keep their connections open are all answered.
"""

import os
import signal
import socket
import threading

import pytest

from weconomics.web.tests.processes import (
    alive,
    child_running,
    descendants,
    free_port,
    healthz,
    scratch_site,
    serving,
    wait_for,
)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with scratch_site(tmp_path_factory.mktemp("serve")) as site:
        yield site


@pytest.fixture(scope="module")
def served(site):
    """One serve for the tests that leave it serving (starting one takes seconds)."""
    port = free_port()
    with serving(site, port, WECONOMICS_WORKERS="2") as serve:
        yield serve, port


def test_a_killed_task_worker_is_started_again_and_the_site_keeps_answering(site, served):
    serve, port = served
    worker = wait_for(lambda: child_running(serve.pid, "db_worker"), 30, "a task worker")
    os.kill(worker, signal.SIGKILL)
    assert healthz(port) == 200
    wait_for(lambda: child_running(serve.pid, "db_worker") not in (None, worker), 15,
             "a new task worker")
    assert serve.poll() is None
    assert healthz(port) == 200
    assert "task worker stopped" in (site.data_dir / "serve.log").read_text()


def test_a_killed_web_server_is_started_again(served):
    serve, port = served
    granian = child_running(serve.pid, "granian")
    old_workers = descendants(granian)
    os.kill(granian, signal.SIGKILL)
    # Granian's own worker processes go with it, and a new web server answers.
    wait_for(lambda: not any(alive(pid) for pid in old_workers), 5,
             "granian's workers end with it")
    wait_for(lambda: healthz(port, 1) == 200, 30, "the site answers again")
    assert child_running(serve.pid, "granian") not in (None, granian)
    assert serve.poll() is None


def test_serve_killed_takes_its_children_along_and_a_new_serve_starts_on_its_port(site):
    port = free_port()
    with serving(site, port, WECONOMICS_WORKERS="1") as serve:
        wait_for(lambda: child_running(serve.pid, "db_worker"), 30, "a task worker")
        tree = descendants(serve.pid)
        assert len(tree) >= 3  # the worker, granian and granian's worker
        os.kill(serve.pid, signal.SIGKILL)
        serve.wait(timeout=5)
        wait_for(lambda: not any(alive(pid) for pid in tree), 5, "no orphan left")
    with serving(site, port, WECONOMICS_WORKERS="1") as second:
        assert second.poll() is None and healthz(port) == 200


def _keep_alive_client(port: int, answers: list, opened: threading.Barrier):
    answer = b"no answer"
    connection = socket.create_connection(("127.0.0.1", port), timeout=20)
    try:
        opened.wait(timeout=30)
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = connection.recv(4096)
            if not chunk:
                break
            received += chunk
        answer = received.split(b"\r\n", 1)[0]
        # Keep the connection open, as a browser or a client pool does, until every
        # client has its answer: open idle connections must not hold the others back.
        opened.wait(timeout=30)
    except (OSError, threading.BrokenBarrierError) as error:
        answer = answer if answer.startswith(b"HTTP/") else repr(error).encode()
    finally:
        connection.close()
        answers.append(answer)


def test_two_hundred_clients_keeping_their_connections_open_are_all_answered(served):
    clients = 200
    _, port = served
    answers: list[bytes] = []
    # Every client opens its connection first, then all ask at once; each waits at
    # most 20 s for its answer (idle connections used to stall the 17th for 30-60 s).
    opened = threading.Barrier(clients)
    threads = [threading.Thread(target=_keep_alive_client, args=(port, answers, opened))
               for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert len(answers) == clients
    assert set(answers) == {b"HTTP/1.1 200 OK"}, {a for a in answers if b"200" not in a}
