"""The e2e load generator counts every request, and every way one fails (#21 item 22).

Not an end-to-end test: it runs in `make test`, against a server on 127.0.0.1 that answers
each request in one broken way, for a fraction of a second.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.e2e.load import SteadyLoad

WHOLE = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
# Promises 100 bytes and sends 5: the client's read ends in IncompleteRead.
CUT_SHORT = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\nshort"


@contextmanager
def broken_server(mode: str) -> Iterator[int]:
    """A server on 127.0.0.1 answering each request per `mode`; yields its port."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    stop = threading.Event()
    held: list[socket.socket] = []

    def answer(connection: socket.socket) -> None:
        connection.recv(4096)
        if mode == "whole":
            connection.sendall(WHOLE)
        elif mode == "cut short":
            connection.sendall(CUT_SHORT)
        elif mode == "reset":  # SO_LINGER 0: close sends RST
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif mode == "silent":
            held.append(connection)  # never answers: the client times out
            return
        connection.close()  # "closed": no response at all

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            answer(connection)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        listener.close()


def load_on(mode: str) -> SteadyLoad:
    """0.3 s of 20 requests a second (about 6), each given 0.3 s before it times out."""
    with (
        broken_server(mode) as port,
        SteadyLoad("127.0.0.1", port, "/", rate=20, limit_s=0.3, timeout_s=0.3) as load,
    ):
        time.sleep(0.4)  # past limit_s: the load has stopped sending by itself
    return load


def test_whole_responses_are_sent_and_none_failed():
    result = load_on("whole").result
    assert result.sent >= 3
    assert result.failures == []


@pytest.mark.parametrize(
    ("mode", "kinds"),
    [
        ("cut short", {"IncompleteRead"}),
        ("closed", {"RemoteDisconnected"}),
        # ConnectionResetError; RemoteDisconnected where the RST lands after an empty read
        ("reset", {"ConnectionResetError", "RemoteDisconnected"}),
        ("silent", {"TimeoutError"}),
    ],
)
def test_every_broken_response_is_sent_and_failed(mode, kinds):
    result = load_on(mode).result
    assert result.sent >= 3
    assert len(result.failures) == result.sent
    assert {error.split(":")[0] for error in result.failures} <= kinds, result.failures
