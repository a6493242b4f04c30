"""mutmut for a package under server/ (mutmut 3 only knows ./, src/ and source/): it names each mutant after
the file path (server.loyalty.domain.sales.x_...), while the tests import loyalty.domain.sales (tests/conftest.py
puts server/ on sys.path, which inside mutants/ is the mutated copy). The names are made to agree by dropping the
"server." prefix; the trampoline (which test calls which function) and the mutant names then use the same module
name, loyalty.domain.sales.

It also keeps presentation out of the mutants (docs/testing.md, "Scope"): the wording of translated messages
(the whole call of _ / gettext / lazy_gettext / ngettext, with its format arguments: what a message says is checked
by the translation tests, not by the rules), and the functions below that only turn rows into the JSON answers'
dicts. Everything else in the modules of [tool.mutmut] only_mutate is mutated.

    .venv/bin/python scripts/mutmut_server_layout.py run|results|show ...   (scripts/mutation calls this)
"""
import mutmut.__main__ as main
import mutmut.mutation.file_mutation as file_mutation
import mutmut.utils.format_utils as format_utils

TRANSLATION_CALLS = {"_", "_l", "gettext", "lazy_gettext", "ngettext"}
PRESENTATION = {
    "account_dict", "link_dict",  # domain/accounts.py: an account and a POS link as JSON
    "iso",  # domain/cards.py: a datetime as ISO 8601 text
    "redemption_dict",  # domain/redemptions.py: a redemption as JSON
    "_line_dict", "reward_dict",  # programs/points.py: a ledger row and a reward as JSON
    "_answer",  # programs/points_actions.py: a points redemption as JSON
    "line_effects",  # programs/punch.py and points.py: what a sale line does, as the panel lists it
    "display_phone",  # domain/contacts.py: a stored phone number as people read it
    "_parse_stored",  # domain/contacts.py: display_phone's parse (its fast path: tests/test_phone_display.py)
}

_path_name = format_utils.get_mutant_name


def get_mutant_name(relative_source_path, mutant_method_name):
    name = _path_name(relative_source_path, mutant_method_name)
    return name[len("server."):] if name.startswith("server.") else name


format_utils.get_mutant_name = main.get_mutant_name = file_mutation.get_mutant_name = get_mutant_name
file_mutation.NEVER_MUTATE_FUNCTION_CALLS = file_mutation.NEVER_MUTATE_FUNCTION_CALLS | TRANSLATION_CALLS
file_mutation.NEVER_MUTATE_FUNCTION_NAMES = file_mutation.NEVER_MUTATE_FUNCTION_NAMES | PRESENTATION

if __name__ == "__main__":
    main.cli()
