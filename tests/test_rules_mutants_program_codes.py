"""Reading a program's codes from a CSV file (domain/program_codes.py) where mutation testing (scripts/mutation,
docs/testing.md) showed no test checked: each refusal of a bad file (what it says, on which field), the line
numbers and reasons of skipped cells, the cells after a skipped one, the 64-character and 20,000-code limits."""
import pytest

from loyalty.domain.program_codes import MAX_CODES, parse_codes_csv
from loyalty.errors import ValidationFailed


def refused(data: bytes):
    with pytest.raises(ValidationFailed) as err:
        parse_codes_csv(data)
    assert err.value.message
    return err.value


def test_a_file_that_is_not_a_csv_text_is_refused_on_the_file_field(app):
    utf16 = "064992523251\n".encode("utf-16")
    error = refused(utf16)
    assert error.fields == {"file": ["not text"]} and "UTF-8" in error.message
    assert refused(b"\x81\x8d\x90\n").fields == {"file": ["not text"]}  # bytes no Windows code page has
    assert refused(b"a" * 200_000).fields == {"file": ["not CSV"]}  # one cell over the csv module's limit
    assert refused(b"").fields == {"file": ["empty"]}
    assert refused(b"upc,sku\n").fields == {"file": ["no codes"]}


def test_a_windows_spreadsheets_file_is_read_in_its_code_page(app):
    assert parse_codes_csv("sku\nCafé-1\n".encode("cp1252")).skus == ["Café-1"]


def test_skipped_cells_are_named_by_their_line_and_the_next_cell_is_still_read(app):
    long = "X" * 70
    data = ("upc,sku\n"
            "6.49925E+11,ACA-1\n"
            f"bad\x07code,ACA-2\n"
            f"{long},ACA-3\n"
            f"{'1' * 64},{'S' * 65}\n"
            "'064992523251,'XL-BAG\n"
            ",ACA-4\n").encode()  # a row with a SKU only
    out = parse_codes_csv(data)
    assert out.skipped == [(2, "6.49925E+11", "a number in scientific notation: format the column as text"),
                           (3, "bad\x07code", "contains control characters"),
                           (4, "X" * 64, "longer than 64 characters"),
                           (5, "S" * 64, "longer than 64 characters")]
    assert out.upcs == ["1" * 64, "064992523251"]
    assert out.skus == ["ACA-1", "ACA-2", "ACA-3", "XL-BAG", "ACA-4"]


def test_without_a_header_lines_count_from_one_and_blank_lines_are_skipped(app):
    out = parse_codes_csv(b"6.49925E+11\n\n064992523251\nACA-25\n")
    assert out.skipped == [(1, "6.49925E+11", "a number in scientific notation: format the column as text")]
    assert (out.upcs, out.skus) == (["064992523251"], ["ACA-25"])


def test_a_control_character_in_a_long_value_is_named_with_its_first_64_characters(app):
    value = "\x07" + "Y" * 69
    assert parse_codes_csv(f"sku\n{value}\nOK-1\n".encode()).skipped == [(2, value[:64], "contains control characters")]


def test_at_most_20000_codes(app):
    assert len(parse_codes_csv("\n".join(f"SKU-{i}" for i in range(MAX_CODES)).encode()).skus) == MAX_CODES
    error = refused("\n".join(f"SKU-{i}" for i in range(MAX_CODES + 1)).encode())
    assert error.fields == {"file": ["too many codes"]}
