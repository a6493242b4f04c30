"""``loyalty cards ...``: member card batches from the command line."""
from __future__ import annotations

import click


@click.group()
def cards():
    """Member cards (QR / Code 128) handed out or emailed to customers."""


@cards.group()
def batch():
    """Batches of member cards."""


@batch.command("create")
@click.option("--count", required=True, type=click.IntRange(1, 10000), help="how many cards (1 to 10000)")
@click.option("--name", required=True, help="e.g. 'Plastic cards, spring 2026'")
def batch_create(count, name):
    """Create a batch; prints the new codes, one a line, last."""
    from ..cli import _app, _init_db
    from ..errors import LoyaltyError
    from .domain import create_batch

    app = _app()
    _init_db(app)
    with app.app_context():
        try:
            created, codes = create_batch(name, count, "cli")
        except LoyaltyError as exc:
            raise click.ClickException(exc.message) from None
    click.echo(f"batch {created.id} '{created.name}': {len(codes)} cards")
    for code in codes:
        click.echo(code)


@batch.command("list")
def batch_list():
    from ..cli import _app, _init_db
    from .domain import batches

    app = _app()
    _init_db(app)
    with app.app_context():
        for b in batches():
            click.echo(f"{b['id']}\t{b['name']}\t{b['size']} cards\t{b['unassigned']} unassigned\t"
                       f"{b['assigned']} assigned\t{b['revoked']} revoked")


COMMANDS = [cards]
