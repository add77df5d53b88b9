"""The visitor's country from their address, with the offline GeoLite2 data shipped in the geoip2fast package:
no network call, nothing stored but the two letters."""

import ipaddress
import logging
import threading

logger = logging.getLogger(__name__)

# The package ships an IPv4-only file and one covering IPv4 and IPv6: visitors come over both.
_DATA_FILE = "geoip2fast-ipv6.dat.gz"

_reader = None
_failed = False
_lock = threading.Lock()


def _load():
    global _reader, _failed
    with _lock:
        if _reader is None and not _failed:
            try:
                from geoip2fast import GeoIP2Fast

                _reader = GeoIP2Fast(geoip2fast_data_file=_DATA_FILE, verbose=False)
            except Exception:  # a missing or broken data file costs the countries, never the beacon
                logger.exception("analytics: the country database could not be loaded")
                _failed = True
    return _reader


def geo_ready() -> bool:
    """Whether the data is in memory (loading it takes a tenth of a second: the ASGI layer does it in a
    thread, not on the event loop)."""
    return _reader is not None or _failed


def country_code(ip: str) -> str:
    """ISO 3166-1 alpha-2 code of `ip`'s country; "" for private, reserved, invalid or unknown addresses.
    Never raises."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ""
    if not address.is_global:
        return ""
    reader = _reader or _load()
    if reader is None:
        return ""
    try:
        code = reader.lookup(str(address)).country_code
    except Exception:  # the lookup of an odd address must not cost the beacon
        return ""
    return code if isinstance(code, str) and len(code) == 2 and code.isalpha() else ""
