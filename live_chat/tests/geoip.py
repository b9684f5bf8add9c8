"""A small GeoIP database of the tests' own, in MaxMind's format, read by the host."""

import contextlib
import os
import tempfile
from unittest.mock import patch

from mmdb_writer import MMDBWriter
from netaddr import IPSet

import odoo
from odoo.tools import config

# Test addresses (RFC 5737 documentation ranges) and their countries.
NETWORKS = {
    "192.0.2.0/24": ("UA", "Ukraine"),
    "198.51.100.0/24": ("BE", "Belgium"),
}
UA_IP = "192.0.2.10"
BE_IP = "198.51.100.20"
UNKNOWN_IP = "203.0.113.30"


def _forget_host_readers():
    # The host opens its GeoIP readers once (cached properties of the application).
    for name in ("geoip_country_db", "geoip_city_db"):
        odoo.http.root.__dict__.pop(name, None)


@contextlib.contextmanager
def geoip_database(networks=None):
    """Point the host at a GeoIP2-Country database mapping ``networks``."""
    writer = MMDBWriter(
        ip_version=6,
        ipv4_compatible=True,
        database_type="GeoIP2-Country",
        languages=["en"],
        description="live_chat tests",
    )
    for network, (code, name) in (networks or NETWORKS).items():
        writer.insert_network(
            IPSet([network]), {"country": {"iso_code": code, "names": {"en": name}}}
        )
    fd, path = tempfile.mkstemp(suffix=".mmdb")
    os.close(fd)
    writer.to_db_file(path)
    _forget_host_readers()
    try:
        with patch.dict(
            config.options,
            {"geoip_country_db": path, "geoip_city_db": path + ".missing", "proxy_mode": True},
        ):
            yield path
    finally:
        _forget_host_readers()
        os.unlink(path)


@contextlib.contextmanager
def no_geoip_database():
    _forget_host_readers()
    try:
        with patch.dict(
            config.options,
            {"geoip_country_db": "/nonexistent.mmdb", "geoip_city_db": "/nonexistent.mmdb"},
        ):
            yield
    finally:
        _forget_host_readers()
