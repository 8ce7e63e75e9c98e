"""Format checks for customer tax ids, like Stripe's (format only, no registry look-up)."""

import re

_EU_VAT = {
    "AT": r"ATU\d{8}",
    "BE": r"BE[01]\d{9}",
    "BG": r"BG\d{9,10}",
    "CY": r"CY\d{8}[A-Z]",
    "CZ": r"CZ\d{8,10}",
    "DE": r"DE\d{9}",
    "DK": r"DK\d{8}",
    "EE": r"EE\d{9}",
    "EL": r"EL\d{9}",
    "ES": r"ES[A-Z0-9]\d{7}[A-Z0-9]",
    "FI": r"FI\d{8}",
    "FR": r"FR[A-HJ-NP-Z0-9]{2}\d{9}",
    "HR": r"HR\d{11}",
    "HU": r"HU\d{8}",
    "IE": r"IE\d{7}[A-W][A-I]?|IE\d[A-Z+*]\d{5}[A-W]",
    "IT": r"IT\d{11}",
    "LT": r"LT(\d{9}|\d{12})",
    "LU": r"LU\d{8}",
    "LV": r"LV\d{11}",
    "MT": r"MT\d{8}",
    "NL": r"NL\d{9}B\d{2}",
    "PL": r"PL\d{10}",
    "PT": r"PT\d{9}",
    "RO": r"RO\d{2,10}",
    "SE": r"SE\d{12}",
    "SI": r"SI\d{8}",
    "SK": r"SK\d{10}",
    "XI": r"XI(\d{9}|\d{12}|GD\d{3}|HA\d{3})",
}

_OTHER = {
    "gb_vat": ("GB", r"GB(\d{9}|\d{12}|GD\d{3}|HA\d{3})"),
    "us_ein": ("US", r"\d{2}-\d{7}"),
    "au_abn": ("AU", r"\d{11}"),
    "ca_bn": ("CA", r"\d{9}"),
    "ch_vat": ("CH", r"CHE-\d{3}\.\d{3}\.\d{3} ?(MWST|TVA|IVA)"),
    "no_vat": ("NO", r"\d{9}MVA"),
    "nz_gst": ("NZ", r"\d{8,9}"),
    "in_gst": ("IN", r"\d{2}[A-Z]{5}\d{4}[A-Z][1-9A-Z]Z[0-9A-Z]"),
    "jp_cn": ("JP", r"\d{13}"),
    "br_cnpj": ("BR", r"\d{2}\.\d{3}\.\d{3}/\d{4}-\d{2}"),
    "mx_rfc": ("MX", r"[A-Z&Ñ]{3,4}\d{6}[A-Z0-9]{3}"),
    "sg_gst": ("SG", r"[A-Z]\d{8}[A-Z]|\d{9}[A-Z]"),
}

# Types with a government registry Stripe checks against; others show "unavailable".
VERIFIED_TYPES = {"eu_vat", "gb_vat", "au_abn"}


def supported_types() -> list[str]:
    """Every tax id type the sandbox accepts."""
    return ["eu_vat", *_OTHER]


def check(type_: str, value: str) -> str | None:
    """The tax id's country when the value has the type's format, otherwise None."""
    if type_ == "eu_vat":
        compact = value.replace(" ", "").replace(".", "").upper()
        prefix = compact[:2]
        pattern = _EU_VAT.get(prefix)
        if pattern and re.fullmatch(pattern, compact):
            return "GR" if prefix == "EL" else ("GB" if prefix == "XI" else prefix)
        return None
    country, pattern = _OTHER[type_]
    return country if re.fullmatch(pattern, value.strip().upper()) else None
