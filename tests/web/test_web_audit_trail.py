"""The account page's audit trail reads as sentences with named fields, never as stored dictionaries."""
import html

from webtools import new_account, punch, text


def test_audit_trail_entries_are_sentences_with_their_fields(manager, api, program):
    a = new_account(api, "Ann", "Ames", phone="555-201-3344", link={"system": "demo", "customer_id": "c-7"})
    punch(api, a["id"], 1)
    manager.post(f"/accounts/{a['id']}/edit", {"first_name": "Anne", "last_name": "Ames", "phone": "555-201-3344",
                                              "email": "anne@example.com"}, confirm=True)
    manager.post(f"/accounts/{a['id']}/adjust", {"program_id": str(program["id"]), "quantity": "2",
                                                "reason": "Goodwill"}, confirm=True)
    page = text(manager.get(f"/accounts/{a['id']}"))
    trail = html.unescape(page.split("Audit trail")[1].split("</table>")[0])
    assert "{'" not in trail and "':" not in trail  # no Python dict or quoted keys
    assert "Created the account." in trail and "(555) 201-3344" in trail
    assert "Linked POS customer c-7 (demo)." in trail
    assert f"Committed sale S-{a['id']}-0." in trail and "+1 on ACANA 25 lb (line 1)" in trail
    assert "Changed the account's details." in trail
    assert "first name: Ann → Anne" in trail
    assert "Adjusted ACANA 25 lb punches by +2." in trail and "reason:</span> Goodwill" in trail
