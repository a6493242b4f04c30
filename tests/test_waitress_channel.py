"""The server's connections (loyalty.waitress_channel): the main loop leaves a served request's output to its
worker thread, and every answer still arrives whole, small or large, one connection or several at once."""
from __future__ import annotations

import hashlib
import http.client
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from loyalty.cli import make_server
from loyalty.waitress_channel import RegisterChannel

CHUNK = 1024 * 1024


def answers(environ, start_response):
    """/big/N: N MiB in one piece; /stream/N: N MiB in 1 MiB pieces; anything else: a short answer."""
    path = environ["PATH_INFO"]
    kind, _, size = path.strip("/").partition("/")
    if kind in ("big", "stream"):
        pieces = [bytes([i % 251]) * CHUNK for i in range(int(size))]
        body = [b"".join(pieces)] if kind == "big" else pieces
    else:
        body = [path.encode()]
    start_response("200 OK", [("Content-Type", "application/octet-stream"),
                              ("Content-Length", str(sum(len(b) for b in body)))])
    return body


@pytest.fixture
def server():
    srv = make_server(answers, "127.0.0.1", 0, threads=4)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    yield srv
    srv.close()
    thread.join(10)


def fetch_all(port: int, paths: list[str], read_after: float = 0.0) -> list[tuple[int, str]]:
    """Each path on one keep-alive connection: (status, sha256 of the body); the first answer read only
    ``read_after`` seconds after its request was sent (a slow client: the answer piles up in the server)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)  # a stalled answer fails, never hangs
    out = []
    for path in paths:
        conn.request("GET", path)
        time.sleep(read_after)
        read_after = 0.0
        resp = conn.getresponse()
        out.append((resp.status, hashlib.sha256(resp.read()).hexdigest()))
    conn.close()
    return out


def expected(path: str) -> tuple[int, str]:
    kind, _, size = path.strip("/").partition("/")
    if kind in ("big", "stream"):
        body = b"".join(bytes([i % 251]) * CHUNK for i in range(int(size)))
    else:
        body = path.encode()
    return 200, hashlib.sha256(body).hexdigest()


def test_make_server_serves_its_connections_with_the_register_channel(server):
    assert server.channel_class is RegisterChannel


def test_answers_arrive_whole_on_concurrent_connections(server):
    # 6 MiB is far over a socket's buffer (the worker's send leaves the rest to the main loop after the request);
    # 20 MiB streamed passes waitress's 16 MiB high watermark (the worker waits for the main loop to send)
    plans = [["/a", "/big/6", "/b"], ["/stream/20", "/c"], ["/d"] * 20, ["/big/6", "/stream/3", "/e"]] * 2
    port = server.effective_port
    with ThreadPoolExecutor(len(plans)) as pool:
        got = list(pool.map(lambda paths: fetch_all(port, paths), plans))
    assert got == [[expected(p) for p in paths] for paths in plans]


def test_an_answer_past_the_high_watermark_reaches_a_slow_client(server):
    # The client reads nothing for a second: the worker's 40 MiB pile up past the 16 MiB watermark and it waits
    # for the main loop to send them, which the main loop must do although the request is still being served.
    port = server.effective_port
    assert fetch_all(port, ["/stream/40", "/f"], read_after=1.0) == [expected("/stream/40"), expected("/f")]


def test_while_a_request_is_served_the_main_loop_leaves_its_output_to_the_worker(server):
    a, b = socket.socketpair()
    try:
        channel = RegisterChannel(server, a, ("127.0.0.1", 1), server.adj, map={})
        channel.total_outbufs_len = 100  # bytes a worker has written and is sending
        channel.requests = [object()]  # its request is being served
        assert not channel.writable()
        channel.total_outbufs_len = server.adj.outbuf_high_watermark + 1  # a worker waits for room: send
        assert channel.writable()
        channel.total_outbufs_len = 100
        channel.will_close = True  # to be closed: as waitress does
        assert channel.writable()
        channel.will_close = False
        channel.requests = []  # served: what is left is the main loop's to send
        assert channel.writable()
        channel.total_outbufs_len = 0
        assert not channel.writable()
    finally:
        channel.del_channel()
        a.close()
        b.close()
