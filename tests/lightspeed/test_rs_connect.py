"""R-Series: OAuth connect, rotating tokens stored as one encrypted pair, two workers refreshing at once, the
leaky bucket and paging, against the fake R-Series API on a real port."""
from __future__ import annotations

import json
import threading

import pytest

from loyalty.db import database
from loyalty.lightspeed.client import BadToken
from loyalty.lightspeed.models import PosConnection
from loyalty.lightspeed.rseries.auth import TokenKeeper
from loyalty.lightspeed.rseries.client import client_for
from loyalty.lightspeed.rseries.models import RSeriesAccount
from loyalty.models import AuditLog


def _stored_pair(conn):
    from loyalty.lightspeed import vault

    account = RSeriesAccount.get(RSeriesAccount.connection == conn.id)
    return json.loads(vault.decrypt(account.tokens_encrypted)), account


def _database_text(conn):
    """Every column of the connection's rows, as a dump would show them."""
    account = RSeriesAccount.get(RSeriesAccount.connection == conn.id)
    row = PosConnection.get_by_id(conn.id)
    return json.dumps([account.__data__, row.__data__], default=str)


def test_connect_exchanges_the_code_finds_the_account_and_keeps_the_tokens_encrypted(rconnection, rfake):
    assert rconnection.system == "lightspeed-r"
    assert rconnection.prefix == "r81234"
    assert rconnection.base_url.endswith("/API/V3/Account/81234")
    pair, account = _stored_pair(rconnection)
    assert pair["access_token"] in rfake.access_tokens and pair["refresh_token"] in rfake.refresh_tokens
    dump = _database_text(rconnection)
    for secret in (pair["access_token"], pair["refresh_token"], rfake.client_secret):
        assert secret not in dump
    audit = AuditLog.get(AuditLog.action == "pos.connect")
    assert pair["access_token"] not in json.dumps(audit.details, default=str)


def test_a_code_used_twice_is_refused_and_changes_nothing(rconnect, rfake, rfake_server):
    from loyalty.lightspeed.rseries.auth import connect

    code = rfake.authorize()
    kwargs = dict(client_id=rfake.client_id, client_secret=rfake.client_secret, actor="test",
                  token_url=rfake_server.url + "/auth/oauth/token", api_root=rfake_server.url)
    connect(code, **kwargs)
    before = _stored_pair(PosConnection.get())[0]
    with pytest.raises(BadToken) as err:
        connect(code, **kwargs)
    assert "connect the store again" in str(err.value)
    assert _stored_pair(PosConnection.get())[0] == before
    assert AuditLog.select().where(AuditLog.action == "pos.connect_refused").count() == 1


def test_an_expired_token_is_refreshed_and_the_new_pair_replaces_the_old_one(rconnection, rfake, make_rclient):
    rfake.add_item("Acana Dog 2kg", upc="064992523251")
    old, account = _stored_pair(rconnection)
    client = make_rclient(rconnection)
    rfake.expire_access_tokens()
    assert [len(p) for p in client.pages("Item")] == [1]
    new, after = _stored_pair(rconnection)
    assert rfake.refreshes == 1
    assert new["access_token"] != old["access_token"] and new["refresh_token"] != old["refresh_token"]
    assert old["refresh_token"] not in rfake.refresh_tokens  # spent: only the stored pair still works
    assert new["refresh_token"] in rfake.refresh_tokens
    assert after.generation == account.generation + 1


def test_two_workers_refreshing_at_once_spend_the_refresh_token_once(app, rconnection, rfake):
    rfake.add_item("Acana Dog 2kg", upc="064992523251")
    rfake.token_delay = 0.3  # both workers are refused while the first refresh is still on its way
    conn_id = rconnection.id
    clients = [client_for(PosConnection.get_by_id(conn_id)) for _ in range(2)]
    rfake.expire_access_tokens()
    results, errors = [], []
    start = threading.Barrier(2)

    def worker(client):
        with app.app_context():
            database.connect(reuse_if_open=True)
            try:
                start.wait()
                results.append(sum(len(p) for p in client.pages("Item")))
            except Exception as exc:  # reported below
                errors.append(exc)
            finally:
                client.close()
                database.close()

    threads = [threading.Thread(target=worker, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == [] and results == [1, 1]
    assert (rfake.refreshes, rfake.refused_grants) == (1, 0)
    database.connect(reuse_if_open=True)
    pair, account = _stored_pair(rconnection)
    assert pair["refresh_token"] in rfake.refresh_tokens and account.generation == 2


def test_a_refused_refresh_says_to_connect_again_without_showing_a_token(rconnection, rfake, make_rclient):
    pair, _ = _stored_pair(rconnection)
    client = make_rclient(rconnection)
    rfake.expire_access_tokens()
    rfake.refresh_tokens.clear()  # e.g. the store removed the integration
    with pytest.raises(BadToken) as err:
        list(client.pages("Item"))
    assert "loyalty pos connect --system rseries" in str(err.value)
    for secret in pair.values():
        assert secret not in str(err.value)


def test_a_token_about_to_expire_is_refreshed_before_it_is_used(rconnection, rfake):
    import datetime as dt

    from loyalty.models import utcnow

    RSeriesAccount.update(expires_at=utcnow() + dt.timedelta(seconds=10)).execute()
    assert TokenKeeper(rconnection).current() in rfake.access_tokens
    assert rfake.refreshes == 1


def test_the_client_waits_for_room_in_the_bucket_instead_of_being_refused(rconnection, rfake, make_rclient):
    for i in range(30):
        rfake.add_item(f"Food {i}", upc=f"0000000000{i:02d}")
    rfake.set_bucket_level(59.5)  # another app used the account's bucket
    client = make_rclient(rconnection)
    pages = list(client.pages("Item", limit=2))
    assert sum(len(p) for p in pages) == 30 and len(pages) == 15
    # The first request found the bucket full (429, Retry-After honoured); after that the client read the
    # level from the headers and waited before each request, so no other request was refused.
    assert rfake.limited == 1
    assert rfake.clock.slept[0] == 1.0
    assert len(rfake.clock.slept) >= 14 and all(0 < s <= 1.0 for s in rfake.clock.slept)


def test_a_429_with_retry_after_is_waited_and_a_500_retried(rconnection, rfake, make_rclient):
    rfake.add_item("Acana Dog 2kg", upc="064992523251")
    rfake.fail(429, times=1, resource="Item", retry_after="7")
    rfake.fail(500, times=1, resource="Item")
    client = make_rclient(rconnection)
    assert [len(p) for p in client.pages("Item")] == [1]
    assert 7.0 in rfake.clock.slept


def test_paging_follows_next_and_reads_one_object_pages_and_the_older_offset_paging(rconnection, rfake,
                                                                                  make_rclient):
    for i in range(5):
        rfake.add_item(f"Food {i}", upc=f"0000000000{i:02d}")
    client = make_rclient(rconnection)
    pages = list(client.pages("Item", limit=2))
    assert [len(p) for p in pages] == [2, 2, 1]  # the last page's single Item came as an object
    assert [i["description"] for p in pages for i in p] == [f"Food {i}" for i in range(5)]
    pages = list(client.pages("Item", {"offset": 0}, limit=2))
    assert [len(p) for p in pages] == [2, 2, 1]
    assert list(client.pages("Customer")) == []


def test_a_database_from_before_rseries_gains_the_connection_columns_and_keeps_its_connection(app):
    from playhouse.migrate import migrate

    from loyalty.lightspeed.connections import connect
    from loyalty.migrations import SchemaVersion, m4_pos_connection_system, migrator, upgrade

    conn = connect("oldshop", "lsxs_pt_old", "secret", "test", base_url="http://127.0.0.1:9/api/2.0")
    migrate(migrator().drop_column("pos_connection", "system"),
            migrator().drop_column("pos_connection", "create_pos_customers"))
    upgrade([])  # the schema_version table, as a database made before any migration has it
    try:
        assert upgrade([m4_pos_connection_system]) == [1]
    finally:
        SchemaVersion.delete().execute()  # the PostgreSQL schema (and this table) outlives this test
    columns = {c.name for c in database.get_columns("pos_connection")}
    assert {"system", "create_pos_customers"} <= columns
    kept = PosConnection.get_by_id(conn.id)
    assert (kept.prefix, kept.system, kept.create_pos_customers) == ("oldshop", "lightspeed-x", False)
