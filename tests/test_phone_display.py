"""display_phone builds a stored North American number without phonenumbers' parser: the same text as parsing it."""
import phonenumbers
from hypothesis import given, settings, strategies as st

from loyalty.domain import contacts


def _parsed_display(e164: str, region: str) -> str:
    number = phonenumbers.parse(e164, region)
    same_country = number.country_code == phonenumbers.country_code_for_region(region)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL if same_country
                                      else phonenumbers.PhoneNumberFormat.INTERNATIONAL)


@settings(max_examples=500, deadline=None)
@given(national=st.integers(min_value=10**9, max_value=10**10 - 1), region=st.sampled_from(["US", "CA", "GB", "FR"]))
def test_a_stored_north_american_number_reads_as_parsing_it_gives(national, region):
    e164 = f"+1{national}"
    assert contacts.display_phone.__wrapped__(e164, region) == _parsed_display(e164, region)


def test_the_direct_path_is_the_parsed_number():
    for e164 in ("+12015550123", "+15550000122", "+19999999999", "+14165550199"):
        assert contacts._parse_stored(e164, "US") == phonenumbers.parse(e164, "US")


def test_other_numbers_still_go_through_the_parser():
    # an eleven-digit tail is a national prefix and ten digits to the parser; a leading 1 is not an area code
    for e164 in ("+114920732907", "+11234567890", "+442071838750", "+33142685300"):
        assert contacts.display_phone.__wrapped__(e164, "US") == _parsed_display(e164, "US")
    assert contacts.display_phone("+15552013344", "US") == "(555) 201-3344"
    assert contacts.display_phone("+442071838750", "US") == "+44 20 7183 8750"
