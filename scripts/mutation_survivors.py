"""Every mutant not killed so far (survived, or no test calls it), grouped by module and function, each with its
change and, where the change is of a known harmless or known untestable kind, why. Writes Markdown to stdout:

    .venv/bin/python scripts/mutation_survivors.py > docs/mutation-survivors.md   (scripts/mutation survivors)

The reasons are patterns, checked by hand on the mutants they matched on 2026-11-26; a mutant no pattern explains
is listed as "open": a test should kill it, or a person should say why it cannot be.

mutants/ holds only this machine's runs, so the list merges with the one already in docs/mutation-survivors.md: a
mutant this machine has not judged (not run here, or its module never run here) keeps its row from that file, and
a row there whose reason is not "open" (a person's explanation, or an older pattern's) keeps its reason, and the
paragraphs written under a module's table stay there. A mutant killed here is dropped.
"""
import glob
import json
import re
import sys

sys.path.insert(0, "scripts")
import mutmut_server_layout  # noqa: E402,F401  (the same mutant names as the runs)
import libcst as cst  # noqa: E402
from difflib import unified_diff  # noqa: E402
from mutmut.mutation.diff_apply import read_mutant_function, read_mutants_module, read_original_function  # noqa
from mutmut.stats import status_by_exit_code  # noqa: E402

SQL = re.compile(r"'[^']*(\bSELECT\b|\bAND\b|\bWHERE\b|\"[a-z_]+\" = \?)[^']*'")  # SQL text in a string


def reason(name: str, minus: str, plus: str, status: str) -> str:
    if status == "no tests":
        return "dead code: nothing calls it"
    if name.startswith("xǁCodesǁ__init__"):
        return ("runs when the module is imported (the schemas' fields are made then), before mutmut turns a mutant "
                "on: mutmut cannot judge it; applied by hand, each fails tests/test_rules_mutants_points_rules.py")
    if name.startswith("xǁCodesǁ_deserialize__"):
        return "equivalent: marshmallow's List._deserialize uses neither attr nor data, and Str takes no options"
    if name.startswith("x_settings_of__") and re.search(r'\.get\("[a-z_]+", (None)?\)', plus):
        return ("equivalent: a new program's body is loaded with every list's default (load_default=list), and a "
                "change (update_points_program) passes all four keys itself: .get's default is never used")
    if name.startswith("x__excluded__") and re.search(r'\.get\("exclude_[a-z]+", (None)?\)', plus):
        return "equivalent: a program's settings always hold both exclusion lists (settings_of writes them)"
    if name.startswith("x_next_key__") and "n + 2" in plus:
        return "equivalent: the keys only have to be unique and the same on a retry, whatever number they start at"
    if name.startswith("x_forget_held__"):
        return ("equivalent: only merge_accounts calls it, and a merge runs outside a sale's memo, where there is no "
                "memo to forget")
    if name.startswith("x_earn__") and re.search(r'\.get\("(earn_rules|upcs|skus)", (None)?\)', plus):
        return ("equivalent: a program's settings always hold earn_rules, and an item rule its upcs and skus "
                "(settings_of writes them)")
    if name.startswith("x_earn__") and "spend >= 0 and" in plus:
        return "equivalent: no spend earns 0 points anyway (the floor of 0 / per_amount)"
    if "PointsKindǁmove_sale__" in name and re.search(r'key \+ "(XX:fromXX|:FROM|XX:toXX|:TO)"', plus):
        return "equivalent: the two rows' keys only have to differ from each other (and other sales' keys)"
    if name.startswith("x_prefill__"):
        return "lightspeed/customers.prefill: only a test calls it, the product never does (dead code)"
    if minus.lower() == plus.lower() and SQL.search(minus):
        return ("equivalent on SQLite (SQL keywords and quoted names ignore case there); PostgreSQL would refuse "
                "an upper-cased column name")
    if "lock_account(" in minus:
        return "only concurrent requests notice a missing row lock (tests/test_concurrency.py, not in the selection)"
    if re.search(r"\bnow\)$|, now\)", minus) and re.search(r"None\)$|, \)$", plus):
        return "equivalent: the callee takes `now or utcnow()`"
    if minus.lstrip().startswith("def ") and "=" in minus:
        return "a default argument no tested call relies on (the callers pass their own)"
    if "record(" in minus:
        return "open: a detail of the audit row no test reads"
    if re.search(r"raise \w+\(", minus) or "fields=" in minus:
        return "open: the refusal's message or field name"
    return "open"


EARLIER = "docs/mutation-survivors.md"
ROW = re.compile(r"^\| `(?P<name>[^`]+)` \| (?P<line>.*) \| (?P<why>[^|]*) \|$")


def earlier_rows() -> tuple[dict, dict]:
    """From the list as it is in the docs: {module path: {mutant: (the line's cell, why)}}, and {module path: the
    paragraphs a person wrote under its table}."""
    rows, notes, module = {}, {}, None
    try:
        text = open(EARLIER).read()
    except FileNotFoundError:
        return rows, notes
    for line in text.splitlines():
        if line.startswith("## "):
            module = line[3:].strip()
        elif module and (m := ROW.match(line)):
            rows.setdefault(module, {})[m["name"]] = (m["line"], m["why"])
        elif module and line.strip() and not line.startswith("| "):
            notes.setdefault(module, []).append(line)
    return rows, notes


def main_() -> None:
    earlier, notes = earlier_rows()
    print("# Mutants not killed\n")
    print("Generated by `scripts/mutation survivors` from the last runs' results in `mutants/` (see "
          "docs/testing.md, \"Mutation testing\"). \"open\" means a test should kill it or a person should say "
          "why it cannot be.\n")
    for meta in sorted(glob.glob("mutants/server/loyalty/**/*.py.meta", recursive=True)):
        path = meta[len("mutants/"):-len(".meta")]
        codes = json.load(open(meta))["exit_code_by_key"]
        before = earlier.get(path[len("server/"):], {})
        rows = []
        module = None
        for name, code in codes.items():
            status = status_by_exit_code[code]
            short = name.split(".")[-1]
            if status == "not checked" and short in before:
                rows.append((short, *before[short]))
                continue
            if status not in ("survived", "no tests", "suspicious"):
                continue
            module = module or read_mutants_module(path)  # parsed once per file: it holds every mutant
            orig, mutant = (cst.Module([f]).code.strip().split("\n") for f in
                            (read_original_function(module, name), read_mutant_function(module, name)))
            lines = [line for line in unified_diff(orig, mutant, lineterm="")
                     if line[:1] in "-+" and line[:3] not in ("---", "+++")]
            minus = " ".join(line[1:].strip() for line in lines if line.startswith("-"))
            plus = " ".join(line[1:].strip() for line in lines if line.startswith("+"))
            why = reason(short, minus, plus, status)
            if why.startswith("open") and short in before and not before[short][1].startswith("open"):
                why = before[short][1]
            cell = plus.replace("|", "\\|")
            rows.append((short, f"`{cell if len(cell) < 140 else cell[:137] + '...'}`", why))
        note = notes.get(path[len("server/"):], [])
        if not rows and not note:
            continue
        print(f"## {path[len('server/'):]}\n")
        if rows:
            print("| mutant | the line becomes | why it is not killed |")
            print("| --- | --- | --- |")
            for name, cell, why in rows:
                print(f"| `{name}` | {cell} | {why} |")
            print()
        for paragraph in note:
            print(paragraph + "\n")


if __name__ == "__main__":
    main_()
