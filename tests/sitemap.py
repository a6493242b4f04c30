"""Every page the app shows, from its URL map: the sweeps over all pages (axe-core in tests/browser/
test_accessibility.py, "no English on a French page" in tests/web/test_web_no_english.py) take their list here,
so a new page is checked the day it is added."""
from __future__ import annotations

import re

NOT_PAGES = ("static", "api", "openapi", "health")


# A signed link that is not one of ours: the customer's page, email confirmation and unsubscribe show their "this
# link does not work" page for it.
BROKEN_LINK = "not-a-signed-link"


def sample_arguments(app):
    """Values for each route argument a page takes: every demo account (their cards are in every state), every
    program, a batch of member cards (one assigned, one not). A route argument without a sample fails the sweeps
    (``page_urls``): add its values here."""
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
                # the customer's page by its link (endpoint_samples gives each signed-link page its own)
                "token": [links.page_token(accounts[0])]}


def endpoint_samples(app) -> dict:
    """{endpoint: {argument: values}} where an argument means something else on that page: each signed-link page
    gets a link that works there (its real page) and one that does not. The customer's page is the one of the
    account holding the member card (its QR code shows there)."""
    from loyalty.member_cards.models import MemberCard
    from loyalty.messages import links
    from loyalty.models import Account

    with app.app_context():
        holder = MemberCard.select().where(MemberCard.account.is_null(False)).order_by(MemberCard.id).first()
        holder_id = holder.account_id if holder else Account.select().order_by(Account.id).first().id
        reader = Account.select().where(Account.email.is_null(False) & (Account.email != "")) \
            .order_by(Account.id).first()
        return {"customer.page": {"token": [links.page_token(holder_id), BROKEN_LINK]},
                "customer.confirm_email": {"token": [links.confirm_token(reader.id, reader.email), BROKEN_LINK]},
                "messages.unsubscribe_page": {"token": [links.unsubscribe_token(reader.id, reader.email),
                                                        BROKEN_LINK]}}


def page_urls(app, samples=None):
    """Every GET page of the URL map, each route argument filled with its samples (``sample_arguments``, and
    ``endpoint_samples`` for the signed-link pages). A route argument without a sample fails: a page the sweeps
    cannot reach would go unchecked."""
    samples = sample_arguments(app) if samples is None else samples
    by_endpoint = endpoint_samples(app)
    urls, unknown = [], []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or any(word in rule.endpoint for word in NOT_PAGES):
            continue
        values_of = {**samples, **by_endpoint.get(rule.endpoint, {})}
        args = sorted(rule.arguments)
        if not args:
            urls.append(rule.rule)
        elif all(a in values_of for a in args):
            # Each argument's samples in turn, the others at their first sample (not every mix).
            for varied in args:
                for v in values_of[varied]:
                    values = {a: (v if a == varied else values_of[a][0]) for a in args}
                    url = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: str(values[m.group(1)]), rule.rule)
                    if url not in urls:
                        urls.append(url)
        else:
            unknown.append(f"{rule.rule} (no sample for {', '.join(a for a in args if a not in values_of)})")
    assert not unknown, f"pages the sweeps cannot reach; give sample_arguments() values for them: {unknown}"
    return urls
