"""Platform-wide codes for geo units and CBOs.

LGD codes repeat across levels (district 163 and village 163 both exist), so
a geo unit's code is its LGD code qualified by level: ``DT-163``, ``VL-163``.
CBO codes are issued by the platform: the kind and eight random Crockford
base-32 characters (``SHG-7K3QX9MB``), readable aloud and free of I, L, O, U.
"""

from __future__ import annotations

import secrets

from hierarchy.models import CboKind, GeoLevel

GEO_PREFIX = {
    GeoLevel.STATE: "ST",
    GeoLevel.DISTRICT: "DT",
    GeoLevel.BLOCK: "BL",
    GeoLevel.GRAM_PANCHAYAT: "GP",
    GeoLevel.VILLAGE: "VL",
}
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CBO_CODE_RANDOM_CHARS = 8


def geo_code(level: GeoLevel, lgd_code: int) -> str:
    """>>> geo_code(GeoLevel.DISTRICT, 163)
    'DT-163'"""
    return f"{GEO_PREFIX[level]}-{lgd_code}"


def new_cbo_code(kind: CboKind) -> str:
    body = "".join(secrets.choice(_CROCKFORD) for _ in range(CBO_CODE_RANDOM_CHARS))
    return f"{kind.value.upper()}-{body}"


def normalise_code(code: str) -> str:
    """Codes are matched case-insensitively and without surrounding spaces."""
    return code.strip().upper()
