"""``loyalty pos``: connect, sync with a progress bar, status; the token never shows."""
from __future__ import annotations

import logging

import pytest
from click.testing import CliRunner

from fake_xseries import demo_store
from lightspeed_support import TOKEN, WEBHOOK_SECRET
from loyalty.cli import main


@pytest.fixture
def run(tmp_path, monkeypatch):
    """``run(*args, input=None)``: the ``loyalty`` command on its own SQLite file."""
    monkeypatch.setenv("LOYALTY_DATABASE_URL", "sqlite:///" + str(tmp_path / "cli.sqlite3"))
    monkeypatch.setenv("LOYALTY_SECRET_KEY", "cli-test-secret-key")
    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    return invoke


def test_connect_sync_and_status_never_show_the_token(run, fake, fake_server, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    demo_store(fake)
    fake.fail(429, times=1, resource="products", retry_after="0")
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    base = fake_server.url + "/api/2.0"
    outputs = [run("pos", "connect", "--prefix", "fakeshop", "--token-file", str(token_file),
                   "--webhook-secret", WEBHOOK_SECRET, "--base-url", base)]
    assert outputs[-1].exit_code == 0, outputs[-1].output
    assert "token verified" in outputs[-1].output
    outputs.append(run("pos", "sync", "products"))
    assert "products: 12 received, 12 stored" in outputs[-1].output
    outputs.append(run("pos", "sync", "customers", "--link"))
    assert "customers: 2 received, 2 stored" in outputs[-1].output
    assert "walk in 1" in outputs[-1].output and "no match 1" in outputs[-1].output
    outputs.append(run("pos", "sync", "products"))  # incremental: nothing new
    assert "products: 0 received" in outputs[-1].output
    outputs.append(run("pos", "status"))
    assert "fakeshop: " + base in outputs[-1].output and "products: 12 (last synced" in outputs[-1].output
    # Reconnecting with the token typed at the hidden prompt.
    outputs.append(run("pos", "connect", "--prefix", "fakeshop", "--webhook-secret", WEBHOOK_SECRET,
                       "--base-url", base, input=TOKEN + "\n"))
    assert outputs[-1].exit_code == 0, outputs[-1].output
    for result in outputs:
        assert TOKEN not in result.output and WEBHOOK_SECRET not in result.output
    assert TOKEN not in caplog.text


def test_a_wrong_token_is_refused_clearly_at_connect(run, fake, fake_server):
    wrong = "lsxs_pt_TheWrongOne"
    result = run("pos", "connect", "--prefix", "fakeshop", "--token", wrong, "--webhook-secret", "s",
                 "--base-url", fake_server.url + "/api/2.0")
    assert result.exit_code == 1
    assert "refused the API token (HTTP 401)" in result.output and wrong not in result.output
    assert "no Lightspeed connection" in run("pos", "status").output  # nothing was stored


def test_sync_without_a_connection_says_what_to_do(run):
    result = run("pos", "sync", "products")
    assert result.exit_code == 1 and "loyalty pos connect" in result.output
    assert "no Lightspeed connection" in run("pos", "status").output


def test_rseries_connect_prints_where_to_authorise_then_exchanges_the_code(run, rfake, rfake_server):
    from fake_rseries import demo_store as rseries_demo

    rseries_demo(rfake)
    common = ("pos", "connect", "--system", "rseries", "--client-id", rfake.client_id,
              "--oauth-base", rfake_server.url, "--api-root", rfake_server.url)
    first = run(*common)
    assert first.exit_code == 0, first.output
    assert f"{rfake_server.url}/auth/oauth/authorize?response_type=code&client_id={rfake.client_id}" in first.output
    second = run(*common, "--code", rfake.authorize(), input=rfake.client_secret + "\n")
    assert second.exit_code == 0, second.output
    assert "connected 'r81234' to R-Series account 81234" in second.output
    products = run("pos", "sync", "products")
    assert "products: 12 received, 12 stored" in products.output, products.output
    customers = run("pos", "sync", "customers")
    assert "customers: 1 received, 1 stored" in customers.output, customers.output
    status = run("pos", "status")
    assert "r81234: R-Series account 81234" in status.output and "products: 12 (up to 2026-" in status.output
    for result in (first, second, products, customers, status):
        assert rfake.client_secret not in result.output
        assert not any(token in result.output for token in rfake.access_tokens | rfake.refresh_tokens)


def test_pos_poll_commits_the_completed_rseries_sales(run, rfake, rfake_server):
    common = ("pos", "connect", "--system", "rseries", "--client-id", rfake.client_id, "--client-secret",
              rfake.client_secret, "--oauth-base", rfake_server.url, "--api-root", rfake_server.url)
    assert run(*common, "--code", rfake.authorize()).exit_code == 0
    item = rfake.add_item("Rope toy", upc="012345678905")
    rfake.add_sale(None, [(item, 1, "9.99")])
    result = run("pos", "poll")
    assert result.exit_code == 0, result.output
    assert "r81234: 1 sales read: ignored walk in 1; next poll from 2026-01-15T10:00:" in result.output
    again = run("pos", "poll", "--prefix", "r81234")
    assert "already polled 1" in again.output, again.output


def test_pos_settings_turns_customer_creation_on(run, fake, fake_server):
    base = fake_server.url + "/api/2.0"
    assert run("pos", "connect", "--prefix", "fakeshop", "--token", TOKEN, "--webhook-secret", WEBHOOK_SECRET,
               "--base-url", base).exit_code == 0
    assert "are not created as POS customers" in run("pos", "settings").output
    result = run("pos", "settings", "--create-customers")
    assert "fakeshop: new loyalty accounts are created as POS customers" in result.output, result.output
