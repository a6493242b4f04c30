"""mutmut for a package under server/ (mutmut 3 only knows ./, src/ and source/): it names each mutant after
the file path (server.loyalty.domain.sales.x_...), while the tests import loyalty.domain.sales (tests/conftest.py
puts server/ on sys.path, which inside mutants/ is the mutated copy). The names are made to agree by dropping the
"server." prefix; everything else is mutmut as installed.

    .venv/bin/python scripts/mutmut_server_layout.py run|results|show ...   (scripts/mutation calls this)
"""
import mutmut.__main__ as main
import mutmut.mutation.file_mutation as file_mutation
import mutmut.utils.format_utils as format_utils

_path_name = format_utils.get_mutant_name


def get_mutant_name(relative_source_path, mutant_method_name):
    name = _path_name(relative_source_path, mutant_method_name)
    return name[len("server."):] if name.startswith("server.") else name


format_utils.get_mutant_name = main.get_mutant_name = file_mutation.get_mutant_name = get_mutant_name

if __name__ == "__main__":
    main.cli()
