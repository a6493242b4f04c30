"""Fixtures for the Lightspeed integration: the fake X-Series API on a real loopback port, a connection to it,
and clients whose back-off sleeps are recorded instead of slept."""
from __future__ import annotations

import pytest

from fake_xseries import FakeXSeries
from lightspeed_support import TOKEN, WEBHOOK_SECRET


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch):
    """Cheaper argon2 parameters for test users, for this test only (setting them for good changed the hasher of
    every later test in the process, test_cli_and_schema's check of the production parameters among them)."""
    from argon2 import PasswordHasher

    monkeypatch.setattr("loyalty.auth.hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def fake():
    return FakeXSeries(token=TOKEN)


@pytest.fixture
def fake_server(fake):
    from livesupport import LiveServer

    import gc

    with LiveServer(fake.app, threads=2) as server:
        yield server
        # A connection abandoned on a read timeout is closed by the garbage collector only (a reference
        # cycle in requests' error path), and waitress waits up to 5 s for open connections before stopping.
        gc.collect()


@pytest.fixture
def connection(app, fake_server):
    from loyalty.lightspeed.connections import connect

    return connect("fakeshop", TOKEN, WEBHOOK_SECRET, "test", base_url=fake_server.url + "/api/2.0")


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def make_client(sleeps, fake_server):
    """A client of a connection with short timeouts and recorded (not slept) back-off delays. Closed before
    the fake server stops (an open keep-alive connection would hold its shutdown)."""
    from loyalty.lightspeed.client import RetryPolicy
    from loyalty.lightspeed.connections import client_for

    made = []

    def make(conn, **policy):
        options = {"attempts": 3, "base_delay": 0.01, "max_delay": 1.0, "timeout": 2.0, **policy}
        made.append(client_for(conn, policy=RetryPolicy(**options), sleep=sleeps.append))
        return made[-1]

    yield make
    for client in made:
        client.close()


# --- R-Series ----------------------------------------------------------------------------------------------------

@pytest.fixture
def rfake():
    from fake_rseries import FakeRSeries

    return FakeRSeries()


@pytest.fixture
def rfake_server(rfake):
    from livesupport import LiveServer

    import gc

    with LiveServer(rfake.app, threads=4) as server:
        yield server
        gc.collect()


@pytest.fixture
def rconnect(app, rfake, rfake_server):
    """``rconnect(name=None)``: an R-Series connection made through the OAuth code exchange with the fake."""
    from loyalty.lightspeed.rseries.auth import connect as rs_connect

    def make(name=None):
        return rs_connect(rfake.authorize(), client_id=rfake.client_id, client_secret=rfake.client_secret,
                          actor="test", name=name, token_url=rfake_server.url + "/auth/oauth/token",
                          api_root=rfake_server.url)

    return make


@pytest.fixture
def rconnection(rconnect):
    return rconnect()


@pytest.fixture
def make_rclient(rfake):
    """An R-Series client whose waits move the fake's clock instead of sleeping."""
    from loyalty.lightspeed.client import RetryPolicy
    from loyalty.lightspeed.rseries.client import client_for

    made = []

    def make(conn, **policy):
        options = {"attempts": 3, "base_delay": 0.01, "max_delay": 1.0, "timeout": 5.0, **policy}
        made.append(client_for(conn, policy=RetryPolicy(**options), sleep=rfake.clock.sleep, clock=rfake.clock))
        return made[-1]

    yield make
    for client in made:
        client.close()
