"""Readers' IP addresses are stored only as a salted hash: enough to rate-limit, useless to identify anyone.

The hash is HMAC-SHA256 of the address under a secret salt. An IPv6 reader is hashed by their /64 network,
since one home or phone usually holds a whole /64 and could otherwise step around the rate limit.

The salt comes from ``QAPRESS_IP_HASH_SALT``. When unset, a random one is generated once and kept in
``{data_dir}/ip-hash-salt`` (mode 0600), so hashes stay comparable across restarts of one installation.
Deployments with several hosts sharing PostgreSQL must set the variable, the same on every host.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from qapress.settings import Settings
from qapress.store.local_secrets import persisted_secret

SALT_FILE_NAME = "ip-hash-salt"


def ip_hash(ip: str, salt: str) -> str:
    """The 64-hex-digit hash stored in ``link.ip_hash`` for a reader at ``ip``."""
    try:
        address = ipaddress.ip_address(ip.strip().split("%", 1)[0])
    except ValueError:
        subject = ip.strip().lower()
    else:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            subject = str(address.ipv4_mapped)
        elif isinstance(address, ipaddress.IPv6Address):
            subject = str(ipaddress.IPv6Network((address, 64), strict=False))
        else:
            subject = str(address)
    return hmac.new(salt.encode("utf-8"), subject.encode("utf-8"), hashlib.sha256).hexdigest()


def resolve_salt(settings: Settings) -> str:
    """The salt from the environment, else the one kept in the data folder (created on first use)."""
    if settings.ip_hash_salt:
        return settings.ip_hash_salt
    return persisted_secret(settings.data_dir / SALT_FILE_NAME)
