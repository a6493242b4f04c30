"""The ``loyalty`` command: serve, init-db, tokens, users, demo."""
from __future__ import annotations

import json
import os
import sys

import click

from .db import database, redact_url


def _app(**config):
    from . import create_app

    return create_app(config or None)


def _init_db(app):
    from .migrations import upgrade

    with app.app_context():
        database.connect(reuse_if_open=True)
        applied = upgrade()
        if applied:
            click.echo(f"applied schema migrations {applied}")


# Waitress's defaults let ~100 idle sockets (a misbehaving register, anyone on the store's network) stop the server
# for two minutes: 100 connections at most, each kept 120 s. These keep it answering: room for many connections
# (poll(), not select(), so past 1024 descriptors), idle ones closed after 15 s, and bodies capped before they are
# buffered (Flask refuses more than 1 MB anyway). On the Internet, run it behind a reverse proxy (docs/security.md).
SERVER_LIMITS = {
    "connection_limit": 1000,
    "channel_timeout": 15,
    "cleanup_interval": 5,
    "asyncore_use_poll": True,
    "max_request_body_size": 2 * 1024 * 1024,
    "max_request_header_size": 64 * 1024,
}


def make_server(app, host: str, port: int, threads: int = 8, trusted_proxy: str | None = None, sockets=None):
    """The waitress server ``loyalty serve`` and ``loyalty demo`` run (call ``.run()``); with ``sockets``, on those
    already listening sockets instead of binding ``host:port`` (the processes of ``serve --workers``)."""
    from waitress import create_server

    proxy = {"trusted_proxy": trusted_proxy, "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"}
             } if trusted_proxy else {}
    from .waitress_channel import use_on

    where = {"sockets": sockets} if sockets else {"host": host, "port": port}
    return use_on(create_server(app, **where, threads=threads, ident="loyalty",
                                clear_untrusted_proxy_headers=True, **SERVER_LIMITS, **proxy))


def serve_app(app, host: str, port: int, threads: int = 8, worker: bool = True, trusted_proxy: str | None = None):
    """waitress in the foreground; the background worker (outbox, periodic jobs) in a thread beside it."""
    from .background import Worker

    running = Worker(app).start() if worker else None
    try:
        make_server(app, host, port, threads, trusted_proxy).run()
    finally:
        if running:
            running.stop()


class _Commands(click.Group):
    def invoke(self, ctx):
        from .errors import BadSetting

        try:
            return super().invoke(ctx)
        except BadSetting as err:  # a wrong environment variable: one line, not a traceback
            raise click.ClickException(str(err)) from None


@click.group(cls=_Commands)
def main():
    """Loyalty Bridge: punch cards and loyalty accounts for a web POS."""


@main.command("init-db")
def init_db():
    """Create the tables (safe to run again)."""
    app = _app()
    _init_db(app)
    click.echo(f"database ready: {redact_url(app.config['DATABASE_URL'])}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int, help="waitress threads in each process")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1),
              help="app processes serving the port (about one per core); the first runs the background worker")
@click.option("--no-worker", is_flag=True, help="do not run the background worker here (run `loyalty worker`)")
@click.option("--trusted-proxy", default=None, metavar="IP",
              help="the reverse proxy's address: its X-Forwarded-For/-Proto are believed (client address, https)")
def serve(host, port, threads, workers, no_worker, trusted_proxy):
    """Run the server with waitress (a production WSGI server) and the background worker in a thread.

    With --workers N, N processes serve the same port (loyalty.prefork): one is restarted if it dies, and
    SIGTERM or Ctrl-C stops them all."""
    app = _app()
    _init_db(app)
    app.config["PUBLIC_URL"] = app.config.get("PUBLIC_URL") or f"http://{host}:{port}"
    processes = f"  processes: {workers}" if workers > 1 else ""
    click.echo(f"Loyalty Bridge on http://{host}:{port}  database: {redact_url(app.config['DATABASE_URL'])}"
               + processes)
    if workers > 1:
        from .prefork import serve_processes

        sys.exit(serve_processes(app, host, port, workers, threads, worker=not no_worker,
                                 trusted_proxy=trusted_proxy))
    serve_app(app, host, port, threads, worker=not no_worker, trusted_proxy=trusted_proxy)


@main.command()
@click.option("--once", is_flag=True, help="one pass (due jobs, then the outbox) and exit, e.g. from cron")
@click.option("--poll", default=1.0, show_default=True, type=float, help="seconds between passes")
def worker(once, poll):
    """Run the background worker alone: outbox (emails, SMS) and periodic jobs. Several may run at once."""
    import logging

    from .background import JOBS, Worker, run_once

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = _app()
    _init_db(app)
    if once:
        with app.app_context():
            result = run_once()
        click.echo(f"jobs run: {', '.join(result['jobs']) or 'none'}; outbox rows handled: {result['outbox']}")
        return
    click.echo(f"Loyalty Bridge worker  database: {redact_url(app.config['DATABASE_URL'])}  "
               f"jobs: {', '.join(sorted(JOBS)) or 'none'}")
    running = Worker(app, poll_seconds=poll)
    try:
        running.run_forever()
    except KeyboardInterrupt:
        pass


@main.group()
def token():
    """Device tokens for registers (the extension) and integrations."""


@token.command("create")
@click.option("--name", required=True, help="e.g. 'Register 1'")
@click.option("--role", type=click.Choice(["cashier", "staff", "manager"]), required=True)
def token_create(name, role):
    """Create a token; it is printed once, alone on the last line."""
    from .auth import create_token

    app = _app()
    _init_db(app)
    row, secret = create_token(name, role)
    click.echo(f"token {row.id} '{name}' ({role}) created; it is shown only now:")
    click.echo(secret)


@token.command("list")
def token_list():
    from .models import ApiToken

    app = _app()
    _init_db(app)
    for row in ApiToken.select().order_by(ApiToken.id):
        state = "revoked" if row.revoked_at else "active"
        click.echo(f"{row.id}\t{row.name}\t{row.role}\t{row.prefix}…\t{state}")


@token.command("revoke")
@click.argument("token_id", type=int)
def token_revoke(token_id):
    from .auth import revoke_token

    app = _app()
    _init_db(app)
    if revoke_token(token_id, "cli") is None:
        raise click.ClickException(f"no token {token_id}")
    click.echo(f"token {token_id} revoked")


@main.group()
def user():
    """People who sign in to the staff app."""


@user.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(["cashier", "staff", "manager"]), required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--pin", default=None, help="a manager's PIN to approve register actions (4 to 8 digits)")
@click.option("--language", type=click.Choice(["en", "fr"]), default=None,
              help="the staff app's language for this user (default: the store's, LOYALTY_LANGUAGE)")
def user_add(username, role, password, pin, language):
    from .auth import create_user

    if len(password) < 8:
        raise click.ClickException("the password needs at least 8 characters")
    if pin is not None and not (pin.isdigit() and 4 <= len(pin) <= 8):
        raise click.ClickException("the PIN must be 4 to 8 digits")
    app = _app()
    _init_db(app)
    from peewee import IntegrityError

    try:
        create_user(username, role, password, pin, language=language)
    except IntegrityError:
        raise click.ClickException(f"user {username!r} exists already") from None
    click.echo(f"user {username} ({role}) created")


@main.command()
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None)
def openapi(output):
    """Write the OpenAPI document of /api/v1."""
    from .openapi import build_spec

    app = _app(INIT_DATABASE=False)
    text = json.dumps(build_spec(app), indent=2, sort_keys=True) + "\n"
    if output:
        with open(output, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


DEMO_MANAGER = ("manager", "manager-demo-pass", "1234")
# (username, role, password, PIN): the demo's people, printed when it starts so each role can be tried.
DEMO_USERS = [
    (DEMO_MANAGER[0], "manager", DEMO_MANAGER[1], DEMO_MANAGER[2]),
    ("staff", "staff", "staff-demo-pass", None),
    ("cashier", "cashier", "cashier-demo-pass", None),
]


def _demo_token(instance: str) -> str:
    """The demo register's token, kept in the instance folder so the extension's options stay valid across
    restarts of the demo (a new one after --fresh)."""
    from .auth import authenticate, create_token
    from .errors import Unauthorized

    path = os.path.join(instance, "demo-register-token")
    if os.path.exists(path):
        with open(path) as f:
            secret = f.read().strip()
        try:
            authenticate("Bearer " + secret)
            return secret
        except Unauthorized:
            pass
    _, secret = create_token("Demo register", "cashier", created_by="demo")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secret)
    return secret


def prepare_demo(fresh: bool = False, public_url: str | None = None):
    """The demo's app, data, users and register token, in the same instance folder and database as every other
    command (so ``loyalty user add`` after ``loyalty demo`` adds a user the demo's sign-in page knows).
    Returns (app, whether data was created, register token)."""
    from . import create_app, default_database_url, demo_data
    from .auth import create_user
    from .models import User

    os.environ.setdefault("LOYALTY_INSECURE_COOKIES", "1")  # the demo runs on plain http://127.0.0.1
    app = create_app({"DEMO": True, "SESSION_COOKIE_SECURE": False})  # connects on the first query, below
    url = app.config["DATABASE_URL"]
    if fresh:
        if url != default_database_url(app):
            raise click.ClickException("--fresh only deletes the instance folder's own SQLite database; "
                                       f"{redact_url(url)} is set by LOYALTY_DATABASE_URL")
        path = url[len("sqlite:///"):]
        for stale in (path, path + "-wal", path + "-shm", os.path.join(app.instance_path, "demo-register-token")):
            if os.path.exists(stale):
                os.remove(stale)
    app.config["PUBLIC_URL"] = app.config.get("PUBLIC_URL") or public_url or "http://127.0.0.1:5000"
    _init_db(app)
    with app.app_context():
        result = demo_data.load()
        for username, role, password, pin in DEMO_USERS:
            if User.get_or_none(User.username == username) is None:
                create_user(username, role, password, pin, actor="demo")
        secret = _demo_token(app.instance_path)
        database.close()
    return app, result["created"], secret


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--fresh", is_flag=True, help="start from an empty database (the instance folder's SQLite file)")
def demo(host, port, fresh):
    """The server with demo data and the demo POS at /demo/pos (the same database as the other commands)."""
    app, created, secret = prepare_demo(fresh, f"http://{host}:{port}")
    base = f"http://{host}:{port}"
    ext = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "extension"))
    people = "\n".join(f"    {role:<8} user '{name}', password '{password}'" + (f", manager PIN {pin}" if pin else "")
                       for name, role, password, pin in DEMO_USERS)
    click.echo(f"""
Loyalty Bridge demo ({'new data' if created else 'existing data'} in {redact_url(app.config['DATABASE_URL'])})

  Demo POS sale screen:  {base}/demo/pos
  Staff web app:         {base}/
{people}
  API documentation:     {base}/api/v1/openapi.json
  Instance folder:       {app.instance_path}

Load the extension in Chrome or Chromium:
  1. open chrome://extensions and turn on "Developer mode"
  2. "Load unpacked" and choose {ext}
  3. in the extension's options, set server_url to {base} and token to the register token below
  4. open the demo POS, attach a customer, add products, click "Commit to Loyalty"

Register token (cashier; kept in {os.path.join(app.instance_path, 'demo-register-token')}):
{secret}
""")
    serve_app(app, host, port)


def _add_feature_commands():
    """Feature packages contribute command groups (e.g. ``loyalty pos`` from the Lightspeed integration)."""
    import importlib

    for module_name in ("loyalty.lightspeed.cli", "loyalty.web.cli", "loyalty.programs.cli",
                        "loyalty.member_cards.cli"):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name in (module_name, module_name.rsplit(".", 1)[0]):
                continue
            raise
        for command in getattr(module, "COMMANDS", []):
            main.add_command(command)


_add_feature_commands()

if __name__ == "__main__":
    main()
