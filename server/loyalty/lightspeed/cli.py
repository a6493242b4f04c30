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
    """The Lightspeed connection (X-Series or R-Series): connect, sync products and customers, poll R-Series
    sales, status."""


@pos.command()
@click.option("--system", type=click.Choice(["xseries", "rseries"]), default="xseries", show_default=True,
              help="Lightspeed X-Series (a personal token) or R-Series (OAuth)")
@click.option("--prefix", default=None, help="X-Series: the domain prefix, 'shop' in shop.retail.lightspeed.app; "
                                             "R-Series: a name for the connection (default r<accountID>)")
@click.option("--token-file", type=click.File("r"), default=None, help="a file holding the API token")
@click.option("--token", default=None, help="the API token (prompted, hidden, when neither this nor --token-file)")
@click.option("--webhook-secret", default=None, help="the secret webhooks are signed with (prompted when absent)")
@click.option("--base-url", default=None, help="the API base URL (default https://<prefix>.retail.lightspeed.app"
                                               "/api/<api-version>); e.g. the fake API for a demo")
@click.option("--api-version", default="2.0", show_default=True, help="2.0 or a dated version such as 2026-01")
@click.option("--verify/--no-verify", default=True, show_default=True, help="try the token on the API now")
@click.option("--client-id", default=None, help="R-Series: the OAuth client id of the store's integration")
@click.option("--client-secret", default=None, help="R-Series: the OAuth client secret (prompted when absent)")
@click.option("--code", default=None, help="R-Series: the authorisation code; without it, print where to get one")
@click.option("--redirect-uri", default=None, help="R-Series: the redirect URI registered with the client")
@click.option("--oauth-base", default=None, help="R-Series: the OAuth server (default https://cloud.lightspeedapp.com)")
@click.option("--api-root", default=None, help="R-Series: the API host (default https://api.lightspeedapp.com)")
def connect(system, prefix, token_file, token, webhook_secret, base_url, api_version, verify, client_id,
            client_secret, code, redirect_uri, oauth_base, api_root):
    """Connect (or reconnect) the store's X-Series or R-Series account."""
    from ..errors import LoyaltyError
    from .client import XSeriesError
    from .connections import connect_verified

    if system == "rseries":
        _connect_rseries(prefix, client_id, client_secret, code, redirect_uri, oauth_base, api_root)
        return
    if not prefix:
        raise click.UsageError("--prefix is required for X-Series")
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


def _connect_rseries(name, client_id, client_secret, code, redirect_uri, oauth_base, api_root):
    import secrets

    from ..errors import LoyaltyError
    from .client import XSeriesError
    from .rseries import auth

    if not client_id:
        raise click.UsageError("--client-id is required for R-Series")
    oauth_base = (oauth_base or "https://cloud.lightspeedapp.com").rstrip("/")
    if not code:
        url = auth.authorize_url(client_id, redirect_uri, secrets.token_urlsafe(16),
                                 base=oauth_base + "/auth/oauth/authorize")
        click.echo("Open this address signed in to the store's R-Series account, accept, and copy the 'code' "
                   "from the address R-Series sends you back to:")
        click.echo(url)
        click.echo("then run this command again with --code <code>.")
        return
    if not client_secret:
        client_secret = click.prompt("Client secret", hide_input=True)
    with _ready():
        try:
            conn = auth.connect(code, client_id=client_id, client_secret=client_secret, actor=ACTOR,
                                redirect_uri=redirect_uri, name=name, token_url=oauth_base + "/auth/oauth/token",
                                api_root=api_root or auth.API_ROOT)
        except (LoyaltyError, XSeriesError) as exc:
            _fail(exc)
    click.echo(f"connected '{conn.prefix}' to R-Series account {conn.base_url.rsplit('/', 1)[-1]} "
               "(tokens stored encrypted; they are refreshed as needed)")


@pos.group()
def sync():
    """Import from X-Series: products (the catalog) or customers."""


def _walk(conn, resource, full, totals, stack):
    """Sync ``resource`` of ``conn`` into ``totals``: X-Series page by page with a progress bar."""
    from .connections import client_for
    from .sync import sync as run

    if conn.system == "lightspeed-r":
        from .rseries.client import client_for as rseries_client
        from .rseries.sync import sync_all as rseries_sync

        rseries_sync(conn, stack.enter_context(rseries_client(conn)), resource, ACTOR, full=full, totals=totals)
        return
    client = stack.enter_context(client_for(conn))
    # X-Series lists do not say how many objects there are: the bar counts objects as pages come.
    with click.progressbar(run(conn, client, resource, ACTOR, full=full), label=resource,
                           item_show_func=lambda d: f"{totals['received']} received" if d else None) as pages:
        for done in pages:
            totals["received"] += done.received
            totals["written"] += done.written


def _sync(resource, prefix, full, link=False):
    from ..errors import LoyaltyError
    from .client import XSeriesError
    from .connections import get_connection
    from .customers import match_customers

    with _ready(), ExitStack() as stack:
        totals = {"received": 0, "written": 0}
        try:
            conn = get_connection(prefix)
            _walk(conn, resource, full, totals, stack)
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

    if conn.system == "lightspeed-r":
        _print_rseries_status(conn)
        return
    click.echo(f"{conn.prefix}: {conn.base_url} (API {conn.api_version}); token and webhook secret set")
    for resource, state in sync_status(conn).items():
        when = f"last synced {state['synced_at']:%Y-%m-%d %H:%M} UTC, version {state['cursor']}" \
            if state["synced_at"] else "never synced"
        click.echo(f"  {resource}: {state['count']} ({when})")
    last = f"{conn.last_webhook_at:%Y-%m-%d %H:%M} UTC" if conn.last_webhook_at else "none yet"
    click.echo(f"  webhooks: /webhooks/lightspeed/{conn.prefix}; last received {last}")


@pos.command()
@click.option("--prefix", default=None, help="only this R-Series connection (default: every one)")
def poll(prefix):
    """Commit the completed R-Series sales and refunds since the last poll (R-Series has no sale webhooks).
    Safe to run at any time and from several places: a sale is never counted twice."""
    from ..errors import LoyaltyError
    from .client import XSeriesError
    from .rseries.poller import poll_all, poll_sales

    with _ready():
        if prefix:
            from .connections import get_connection
            from .rseries.client import client_for

            try:
                conn = get_connection(prefix)
                with client_for(conn) as client:
                    results = {conn.prefix: poll_sales(conn, client, ACTOR)}
            except (LoyaltyError, XSeriesError) as exc:
                _fail(exc)
        else:
            results = poll_all(ACTOR)
    if not results:
        click.echo("no R-Series connection: run 'loyalty pos connect --system rseries'")
    failed = False
    for name, totals in results.items():
        if "error" in totals:
            failed = True
            click.echo(f"{name}: stopped: {totals['error']}")
            continue
        counts = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in totals.items()
                           if k not in ("pages", "received", "cursor"))
        click.echo(f"{name}: {totals['received']} sales read{': ' + counts if counts else ''}; "
                   f"next poll from {totals['cursor'] or 'the beginning'}")
    if failed:
        raise SystemExit(1)


@pos.command()
@click.option("--prefix", default=None, help="the connection (needed when there are several)")
@click.option("--create-customers/--no-create-customers", default=None,
              help="make each new loyalty account a customer in this POS too (found first, never duplicated)")
def settings(prefix, create_customers):
    """Show or change a connection's settings."""
    from ..audit import record
    from ..db import write_transaction
    from ..errors import LoyaltyError
    from .connections import get_connection
    from .models import PosConnection

    with _ready():
        try:
            conn = get_connection(prefix)
        except LoyaltyError as exc:
            _fail(exc)
        if create_customers is not None:
            with write_transaction():
                PosConnection.update(create_pos_customers=create_customers).where(
                    PosConnection.id == conn.id).execute()
                record(ACTOR, "pos.settings", "pos_connection", conn.id, create_pos_customers=create_customers)
            conn = PosConnection.get_by_id(conn.id)
    click.echo(f"{conn.prefix}: new loyalty accounts are {'' if conn.create_pos_customers else 'not '}created "
               "as POS customers")


def _print_rseries_status(conn):
    from .models import CatalogProduct, PosCustomer
    from .rseries.auth import rseries_account
    from .rseries.sync import stamp_of

    account = rseries_account(conn)
    click.echo(f"{conn.prefix}: R-Series account {account.account_id} at {account.api_root}; tokens stored "
               f"encrypted, last refreshed {account.refreshed_at:%Y-%m-%d %H:%M} UTC")
    for resource, model in (("products", CatalogProduct), ("customers", PosCustomer), ("sales", None)):
        stamp = stamp_of(conn, resource)
        count = "" if model is None else f"{model.select().where((model.connection == conn.id) & (model.deleted == False)).count()} "  # noqa: E712,E501
        click.echo(f"  {resource}: {count}({'up to ' + stamp if stamp else 'never synced'})")


COMMANDS = [pos]
