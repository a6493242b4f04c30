"""A pytest plugin that judges mutants against chosen test files, all in one process: for each mutant named in
$MUTANTS_FILE (full names, e.g. loyalty.domain.accounts.x_link_customer__mutmut_12), it switches the mutant on
the way mutmut does (MUTANT_UNDER_TEST, read by the trampolines in mutants/) and runs the collected tests until one
fails; one line per mutant is appended to $MUTANTS_OUT: "killed NAME TEST" or "SURVIVED NAME".

For checking new tests against survivors without `scripts/mutation run NAME...`, which traces the whole fast suite
again first whenever a test file changed (several minutes on a loaded machine), and only runs the tests its trace
says call the function: a test file written after the trace is not run for the mutants it was written for.

    cp tests/test_x.py mutants/tests/            # mutants/ holds the tests as they were when the run began
    cd mutants && MUTANTS_FILE=names.txt MUTANTS_OUT=out.txt PYTHONPATH=../scripts \
        ../.venv/bin/python -m pytest -q -p no:cacheprovider -p mutation_check tests/test_x.py

A mutant's state that outlives one test (a module-level registry filled by the first app of the process) is not
reset between mutants: a survivor here may still be killed in a fresh process, as mutmut runs it.
"""
import os

import pytest

_failed = {}
_current = [None]


def pytest_runtest_logreport(report):
    if _current[0] and report.failed and _current[0] not in _failed:
        _failed[_current[0]] = report.nodeid


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session):
    assert session.items, "no tests collected"
    with open(os.environ["MUTANTS_OUT"], "a") as out:
        for name in open(os.environ["MUTANTS_FILE"]).read().split():
            _current[0] = name
            os.environ["MUTANT_UNDER_TEST"] = name
            for item in session.items:
                item._initrequest()  # fixtures afresh: the item runs once per mutant
                item.ihook.pytest_runtest_protocol(item=item, nextitem=None)
                if name in _failed:
                    break
            out.write(f"killed {name} {_failed[name]}\n" if name in _failed else f"SURVIVED {name}\n")
            out.flush()
    os.environ.pop("MUTANT_UNDER_TEST", None)
    return True
