"""Every page the app shows, from its URL map: the sweeps over all pages (axe-core in tests/browser/
test_accessibility.py, "no English on a French page" in tests/web/test_web_no_english.py) take their list here,
so a new page is checked the day it is added."""
from __future__ import annotations

import re
import warnings

NOT_PAGES = ("static", "api", "openapi", "health")


def sample_arguments(app):
    """Values for each route argument a staff page takes: every demo account (their cards are in every state),
    every program. A page whose argument has no sample here is left out of the sweep, with a warning."""
    from loyalty.member_cards.domain import assign, create_batch
    from loyalty.messages import links
    from loyalty.models import Account, Program

    with app.app_context():
        accounts = [a.id for a in Account.select().order_by(Account.id)]
        batch, codes = create_batch("Counter cards", 3, "test")
        assign(codes[0], "test", account_id=accounts[0])  # the account page with a member card, a card assigned
        return {"account_id": accounts,
                "program_id": [p.id for p in Program.select().order_by(Program.id)],
                "batch_id": [batch.id], "purpose": ["merge", "unlink", "split"], "code": codes[:2],
                # the customer's page by its link; on the unsubscribe and confirm pages the same value is a link
                # that does not work there, which shows their "this link does not work" page
                "token": [links.page_token(accounts[0])]}


def page_urls(app, samples=None):
    """Every GET page of the URL map, each route argument filled with its samples (``sample_arguments``)."""
    samples = sample_arguments(app) if samples is None else samples
    urls, unknown = [], []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or any(word in rule.endpoint for word in NOT_PAGES):
            continue
        args = sorted(rule.arguments)
        if not args:
            urls.append(rule.rule)
        elif len(args) == 1 and args[0] in samples:
            urls.extend(rule.rule.split("<")[0] + str(v) + rule.rule.split(">", 1)[1] for v in samples[args[0]])
        elif all(a in samples for a in args):
            # Several arguments: each one's samples in turn, the others at their first sample (not every mix).
            for varied in args:
                for v in samples[varied]:
                    values = {a: (v if a == varied else samples[a][0]) for a in args}
                    url = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: str(values[m.group(1)]), rule.rule)
                    if url not in urls:
                        urls.append(url)
        else:
            unknown.append(rule.rule)
    if unknown:  # still checked wherever another browser test opens them (tests/a11y.py)
        warnings.warn(f"not in the page sweeps until sample_arguments() has values for them: {unknown}")
    return urls
