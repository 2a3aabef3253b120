"""Pure readers of the values CSV exports carry: dates (ISO, ISO date-times, Excel date numbers),
amounts (currency signs, thousands separators, a decimal comma) and regions (a billing country,
and for the US and Canada the state or province). No ORM here."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 (it counts the 1900 leap day that never was)
DATE_HELP = "must be a date (YYYY-MM-DD, an ISO date-time or an Excel date number)"


class BadValue(ValueError):
    """A cell that cannot be read; the message says what it must be."""


def date_read(text: str) -> dt.date:
    value = text.strip()
    if re.fullmatch(r"\d{1,6}(\.\d+)?", value):
        days = int(Decimal(value))
        if 1 <= days <= 2958465:  # Excel's last day, 9999-12-31
            return EXCEL_EPOCH + dt.timedelta(days=days)
        raise BadValue(DATE_HELP)
    value = value.replace("/", "-")
    try:
        if len(value) == 10:
            return dt.date.fromisoformat(value)
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace(" UTC", "+00:00"))
    except ValueError:
        raise BadValue(DATE_HELP) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return moment.date()


def amount_read(text: str) -> str:
    """An amount as a plain decimal string: '$1,200,000.50', '1.200.000,50 €', '120000' -> '1200000.50'."""
    value = re.sub(r"[^\d.,-]", "", text)
    if not re.search(r"\d", value):
        raise BadValue("must be a number >= 0")
    last_dot, last_comma = value.rfind("."), value.rfind(",")
    if last_comma > last_dot and (last_dot >= 0 or re.fullmatch(r"-?\d+,\d{1,2}", value)):
        value = value.replace(".", "").replace(",", ".")  # a decimal comma
    else:
        value = value.replace(",", "")
    try:
        return str(Decimal(value))
    except InvalidOperation:
        raise BadValue("must be a number >= 0") from None


# Billing country -> the handbook's region. The US and Canada are split by state or province.
COUNTRY_REGIONS = {
    "EMEA": [
        "austria",
        "belgium",
        "czech republic",
        "czechia",
        "denmark",
        "finland",
        "france",
        "germany",
        "greece",
        "ireland",
        "israel",
        "italy",
        "luxembourg",
        "netherlands",
        "norway",
        "poland",
        "portugal",
        "romania",
        "saudi arabia",
        "south africa",
        "spain",
        "sweden",
        "switzerland",
        "turkey",
        "united arab emirates",
        "united kingdom",
        "uk",
        "gb",
        "de",
        "fr",
        "nl",
        "es",
        "it",
        "ie",
        "se",
        "ch",
        "egypt",
        "nigeria",
        "kenya",
    ],
    "APAC": [
        "australia",
        "china",
        "hong kong",
        "india",
        "indonesia",
        "japan",
        "malaysia",
        "new zealand",
        "philippines",
        "singapore",
        "south korea",
        "korea",
        "taiwan",
        "thailand",
        "vietnam",
        "au",
        "jp",
        "in",
        "sg",
        "nz",
    ],
    "LATAM": [
        "argentina",
        "brazil",
        "chile",
        "colombia",
        "costa rica",
        "mexico",
        "peru",
        "uruguay",
        "br",
        "mx",
        "ar",
    ],
}
NORTH_AMERICA = {"united states", "united states of america", "usa", "us", "canada", "ca"}
WESTERN_STATES = {
    # US states and Canadian provinces west of the line the regions use.
    "ak",
    "alaska",
    "az",
    "arizona",
    "ca",
    "california",
    "co",
    "colorado",
    "hi",
    "hawaii",
    "id",
    "idaho",
    "mt",
    "montana",
    "nv",
    "nevada",
    "nm",
    "new mexico",
    "or",
    "oregon",
    "ut",
    "utah",
    "wa",
    "washington",
    "wy",
    "wyoming",
    "bc",
    "british columbia",
    "ab",
    "alberta",
    "yt",
    "yukon",
}
_BY_COUNTRY = {country: region for region, countries in COUNTRY_REGIONS.items() for country in countries}


def region_read(country: str, state: str = "") -> str:
    """The region of a billing address; a region code (EMEA, US-WEST...) is taken as it is."""
    key = country.strip().lower()
    if key.upper() in {"US-WEST", "US-EAST", "EMEA", "APAC", "LATAM"}:
        return key.upper()
    if key in NORTH_AMERICA:
        return "US-WEST" if state.strip().lower() in WESTERN_STATES else "US-EAST"
    if key in _BY_COUNTRY:
        return _BY_COUNTRY[key]
    raise BadValue(f"no region known for the country {country.strip()!r} (add it to the mapping's region values)")
