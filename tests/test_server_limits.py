"""``loyalty serve`` keeps answering while idle connections pile up (issue 9: about 100 idle sockets used to stop
it for two minutes). The real command in its own process, on loopback only, with a bounded number of sockets."""
import os
import socket
import subprocess
import sys
import time

import pytest
import requests

SERVER = os.path.join(os.path.dirname(__file__), "..", "server")
IDLE = 150


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(tmp_path):
    """``loyalty serve`` on a free loopback port; its base URL."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.path.abspath(SERVER), "LOYALTY_SECRET_KEY": "test-only-secret",
           "LOYALTY_DATABASE_URL": "sqlite:///" + str(tmp_path / "served.sqlite3")}
    proc = subprocess.Popen([sys.executable, "-m", "loyalty.cli", "serve", "--host", "127.0.0.1", "--port",
                             str(port), "--threads", "2"], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):  # the process imports, migrates, then listens
        try:
            requests.get(url + "/api/v1/health", timeout=2)
            break
        except requests.ConnectionError:
            if proc.poll() is not None:
                pytest.fail(proc.stdout.read().decode(errors="replace"))
            time.sleep(0.1)
    yield url, port
    proc.terminate()
    proc.wait(timeout=10)


def test_requests_are_answered_while_150_idle_connections_are_held(served):
    url, port = served
    idle = []
    try:
        for _ in range(IDLE):
            idle.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        # Each request on a new connection, as a register whose keep-alive was dropped would make.
        for _ in range(3):
            r = requests.get(url + "/api/v1/health", timeout=10, headers={"Connection": "close"})
            assert r.status_code == 200
        # The idle connections are still held open by the server (none was refused or dropped yet).
        idle[0].setblocking(False)
        with pytest.raises(BlockingIOError):
            idle[0].recv(1)
    finally:
        for s in idle:
            s.close()


def test_a_body_larger_than_the_server_buffers_is_refused_early(served):
    url, _ = served
    r = requests.post(url + "/api/v1/sales/commit", data=b"x" * (3 * 1024 * 1024),
                      headers={"Content-Type": "application/json"}, timeout=30)
    assert r.status_code == 413


def test_the_apps_sync_check_is_remembered_for_a_bounded_number_of_callables(app):
    """LoyaltyFlask asks once per view or hook whether it is a coroutine function; a stream of new callables
    (wrappers made per call) is inspected each time without growing the memo past its bound."""
    def view():
        return "ok"

    assert app.ensure_sync(view) is view and app.ensure_sync(view) is view
    for _ in range(app.SYNC_CACHE_MAX + 500):
        fresh = lambda: None  # noqa: E731
        assert app.ensure_sync(fresh) is fresh
    assert len(app._sync_callables) <= app.SYNC_CACHE_MAX
