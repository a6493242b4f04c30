"""Member cards: batches of opaque codes (codes.py), assignment to accounts (domain.py), the register's scan
look-up and assign/revoke API (api.py), QR and Code 128 images (render.py), ``loyalty cards`` (cli.py)."""
from . import models  # noqa: F401  (registers the tables)
