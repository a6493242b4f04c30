"""``loyalty pos``: connect the store's Lightspeed X-Series account, sync its catalog and customers, status.

Secrets are read from a file, an option or a hidden prompt, stored encrypted, and never printed."""
from __future__ import annotations

from contextlib import ExitStack, contextmanager

import click

from ..db import database

ACTOR = "cli"


@contextmanager
def _ready():
    """The app, its tables and a connection, for one command."""
    from ..cli import _app, _init_db

    app = _app()
    _init_db(app)
    with app.app_context():
        database.connect(reuse_if_open=True)
        try:
            yield app
        finally:
            database.close()


def _fail(exc):
    message = getattr(exc, "message", None) or str(exc)
    raise click.ClickException(message) from None


@click.group()
def pos():
    """The Lightspeed X-Series connection: connect, sync products and customers, status."""


@pos.command()
@click.option("--prefix", required=True, help="the domain prefix: 'shop' in shop.retail.lightspeed.app")
@click.option("--token-file", type=click.File("r"), default=None, help="a file holding the API token")
@click.option("--token", default=None, help="the API token (prompted, hidden, when neither this nor --token-file)")
@click.option("--webhook-secret", default=None, help="the secret webhooks are signed with (prompted when absent)")
@click.option("--base-url", default=None, help="the API base URL (default https://<prefix>.retail.lightspeed.app"
                                               "/api/<api-version>); e.g. the fake API for a demo")
@click.option("--api-version", default="2.0", show_default=True, help="2.0 or a dated version such as 2026-01")
@click.option("--verify/--no-verify", default=True, show_default=True, help="try the token on the API now")
def connect(prefix, token_file, token, webhook_secret, base_url, api_version, verify):
    """Connect (or reconnect) the store's X-Series account."""
    from ..errors import LoyaltyError
    from .client import XSeriesError
    from .connections import connect_verified

    if token_file is not None:
        token = token_file.read().strip()
    if not token:
        token = click.prompt("API token", hide_input=True)
    if not webhook_secret:
        webhook_secret = click.prompt("Webhook secret", hide_input=True)
    with _ready():
        try:
            # Verified before anything is stored: a refused token leaves the old connection as it was.
            conn = connect_verified(prefix, token, webhook_secret, ACTOR, base_url=base_url,
                                    api_version=api_version, verify=verify)
        except (LoyaltyError, XSeriesError) as exc:
            _fail(exc)
    click.echo(f"connected '{conn.prefix}' to {conn.base_url} (token and webhook secret stored encrypted"
               f"{', token verified' if verify else ''})")
    click.echo(f"webhook address: https://<this server>/webhooks/lightspeed/{conn.prefix}")


@pos.group()
def sync():
    """Import from X-Series: products (the catalog) or customers."""


def _sync(resource, prefix, full, link=False):
    from ..errors import LoyaltyError
    from .client import XSeriesError
    from .connections import client_for, get_connection
    from .sync import sync as run

    from .customers import match_customers

    with _ready(), ExitStack() as stack:
        totals = {"received": 0, "written": 0}
        try:
            conn = get_connection(prefix)
            client = stack.enter_context(client_for(conn))
            # X-Series lists do not say how many objects there are: the bar counts objects as pages come.
            with click.progressbar(run(conn, client, resource, ACTOR, full=full), label=resource,
                                   item_show_func=lambda d: f"{totals['received']} received" if d else None) as pages:
                for done in pages:
                    totals["received"] += done.received
                    totals["written"] += done.written
        except (LoyaltyError, XSeriesError) as exc:
            _fail(exc)
        click.echo(f"{resource}: {totals['received']} received, {totals['written']} stored")
        if resource == "customers":
            counts = match_customers(conn, ACTOR, link=link)
            click.echo("accounts: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items()))


@sync.command("products")
@click.option("--prefix", default=None, help="the connection (needed when there are several)")
@click.option("--full", is_flag=True, help="from the beginning instead of after the last sync")
def sync_products(prefix, full):
    """Sync the product catalog (incremental after the first run)."""
    _sync("products", prefix, full)


@sync.command("customers")
@click.option("--prefix", default=None)
@click.option("--full", is_flag=True)
@click.option("--link", is_flag=True, help="link each customer whose email belongs to exactly one account")
def sync_customers(prefix, full, link):
    """Import customers and match them to accounts by email, then phone."""
    _sync("customers", prefix, full, link)


@pos.command()
def status():
    """Connections, what has been synced, the last webhook."""
    from .models import PosConnection

    with _ready():
        conns = list(PosConnection.select().order_by(PosConnection.id))
        if not conns:
            click.echo("no Lightspeed connection: run 'loyalty pos connect'")
        for conn in conns:
            _print_status(conn)


def _print_status(conn):
    from .sync import sync_status

    click.echo(f"{conn.prefix}: {conn.base_url} (API {conn.api_version}); token and webhook secret set")
    for resource, state in sync_status(conn).items():
        when = f"last synced {state['synced_at']:%Y-%m-%d %H:%M} UTC, version {state['cursor']}" \
            if state["synced_at"] else "never synced"
        click.echo(f"  {resource}: {state['count']} ({when})")
    last = f"{conn.last_webhook_at:%Y-%m-%d %H:%M} UTC" if conn.last_webhook_at else "none yet"
    click.echo(f"  webhooks: /webhooks/lightspeed/{conn.prefix}; last received {last}")


COMMANDS = [pos]
