"""What the API's parameters may be, read by its views and stated by its OpenAPI document."""

from lalisa.complaints.models import Complaint

# The largest id any table holds (a 64-bit column); larger numbers are refused as such.
MAX_ID = 2**63 - 1
# A search is for a code, a few words or a number: longer text is refused, not cut, so that
# a program never reads results for something else than it asked.
SEARCH_MAX_CHARS = 200
# ?overdue=
TRUE_WORDS = ("1", "true", "True", "ya")
FALSE_WORDS = ("0", "false", "False", "tidak")
# Text stored in a column of that size (PostgreSQL refuses longer text; SQLite would keep it).
ADDRESS_MAX_CHARS = Complaint._meta.get_field("address").max_length
AGENCY_MAX_CHARS = Complaint._meta.get_field("referred_to").max_length
