"""GEO commands against redis-server, raw replies compared byte for byte:
GEOADD, GEODIST, GEOHASH, GEOPOS, GEOSEARCH, GEOSEARCHSTORE, GEORADIUS,
GEORADIUSBYMEMBER and their _RO variants, with every option, the errors, edge
coordinates, units, RESP3, the stored results and seeded random searches.

Known difference, not tested: members at exactly the same distance come in
an order Redis' partial quicksort (COUNT without ANY) leaves to chance; ours
keep the order they were found in.  And the "exactly one of FROMMEMBER..."
errors name the command in lower case (Redis echoes it as the client typed it),
so these tests type it in lower case."""
import random

import pytest

from ._collections import Events
from .conftest import RawConn

SICILY = ("13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania",
          "12.758489", "38.788135", "edge1", "17.241510", "38.788135", "edge2")
REPLY_OPTIONS = ("WITHDIST", "WITHCOORD", "WITHHASH")


def _sicily(diff):
    diff.check("GEOADD", "Sicily", *SICILY)


# -- GEOADD ------------------------------------------------------------------------------
def test_geoadd_options_and_scores(diff):
    _sicily(diff)
    diff.check("GEOADD", "Sicily", *SICILY)                       # nothing new
    diff.check("ZRANGE", "Sicily", "0", "-1", "WITHSCORES")
    diff.check("GEOADD", "Sicily", "CH", "13.4", "38.1", "Palermo", "15.087269", "37.502669",
               "Catania")
    diff.check("GEOADD", "Sicily", "XX", "CH", "13.361389", "38.115556", "Palermo", "1", "2",
               "new")
    diff.check("GEOADD", "Sicily", "nx", "13.4", "38.1", "Palermo", "12.5", "37.8", "Marsala")
    diff.check("GEOADD", "Sicily", "Ch", "xX", "12.6", "37.8", "Marsala")
    diff.check("GEOADD", "Sicily", "NX", "CH", "12.7", "37.8", "Marsala", "12.7", "37.9", "x")
    diff.check("ZRANGE", "Sicily", "0", "-1", "WITHSCORES")
    diff.check("ZSCORE", "Sicily", "Marsala")
    diff.check("GEOADD", "fresh", "XX", "1", "2", "m")
    diff.check("EXISTS", "fresh")
    diff.check("OBJECT", "ENCODING", "Sicily")
    diff.check("TYPE", "Sicily")
    # a member given twice: the last coordinates win
    diff.check("GEOADD", "twice", "1", "1", "m", "2", "2", "m")
    diff.check("ZRANGE", "twice", "0", "-1", "WITHSCORES")


def test_geoadd_errors(diff):
    for args in (("1", "2"), ("1", "2", "m", "3"), ("NX", "XX", "1", "2", "m"),
                 ("XX", "NX", "CH"), ("CH", "CH", "CH"), ("GT", "1", "2", "m"),
                 ("GT", "1", "2"), ("foo", "2", "m"), ("1", "foo", "m"), ("", "2", "m"),
                 (" 1", "2", "m"), ("1e999", "2", "m"), ("nan", "2", "m"),
                 ("1", "2", "m", "x", "2", "n")):
        diff.check("GEOADD", "k", *args)
    diff.check("GEOADD", "k", "1", "2", "m", "x", "2", "n")
    diff.check("EXISTS", "k")       # nothing added when one pair is wrong
    diff.check("GEOADD", "k")
    diff.check("GEOADD", "k", "1", "2")


@pytest.mark.parametrize("lon,lat", [
    ("180.0001", "0"), ("-180.0001", "0"), ("0", "85.05112879"), ("0", "-85.05112879"),
    ("0", "90"), ("inf", "0"), ("-inf", "0"), ("0", "-inf"), ("1e300", "-1e300"),
    ("-0", "91.123456789"),
])
def test_geoadd_invalid_coordinates(diff, lon, lat):
    diff.check("GEOADD", "k", lon, lat, "m")


def test_edge_coordinates(diff):
    diff.check("GEOADD", "k", "180", "85.05112878", "ne", "-180", "-85.05112878", "sw",
               "0", "0", "origin", "180", "0", "east", "-180", "0", "west",
               "-180", "85.05112878", "nw", "180", "-85.05112878", "se",
               "179.999999", "-0.000001", "a", "-0", "-0", "negzero",
               "0.0000001", "0.0000001", "tiny", "0x10", "1e1", "hex")
    diff.check("ZRANGE", "k", "0", "-1", "WITHSCORES")
    names = ("ne", "sw", "origin", "east", "west", "nw", "se", "a", "negzero", "tiny", "hex")
    diff.check("GEOPOS", "k", *names)
    diff.check3("GEOPOS", "k", *names)
    diff.check("GEOHASH", "k", *names)
    for a, b in (("ne", "sw"), ("east", "west"), ("origin", "east"), ("nw", "ne"),
                 ("origin", "origin"), ("a", "west"), ("tiny", "origin")):
        diff.check("GEODIST", "k", a, b)
    # searches across the antimeridian and near the poles
    for cmd in (("GEORADIUS", "k", "179.9", "0", "50", "km"),
                ("GEORADIUS", "k", "-179.9", "0", "50", "km"),
                ("GEORADIUS", "k", "180", "85", "500", "km"),
                ("GEORADIUS", "k", "0", "-85.05112878", "5000", "km"),
                ("GEORADIUS", "k", "0", "0", "20000", "km"),
                ("GEORADIUS", "k", "0", "0", "0", "km"),
                ("GEORADIUS", "k", "0", "0", "0.00001", "m"),
                ("GEORADIUS", "k", "90", "0", "10019", "km"),
                ("GEORADIUSBYMEMBER", "k", "east", "1", "m"),
                ("GEORADIUSBYMEMBER", "k", "west", "100", "km")):
        diff.check(*cmd, "WITHDIST", "WITHHASH", "ASC")
        diff.check(*cmd)
    for cmd in (("geosearch", "k", "FROMLONLAT", "180", "0", "BYBOX", "300", "300", "km"),
                ("geosearch", "k", "FROMLONLAT", "-180", "85", "BYBOX", "40000", "2000", "km"),
                ("geosearch", "k", "FROMMEMBER", "sw", "BYBOX", "1", "1", "m"),
                ("geosearch", "k", "FROMMEMBER", "origin", "BYBOX", "40075", "20000", "km"),
                ("geosearch", "k", "FROMMEMBER", "origin", "BYRADIUS", "1e10", "km")):
        diff.check(*cmd, "WITHCOORD", "WITHDIST", "DESC")
        diff.check(*cmd)


# -- GEODIST, GEOHASH, GEOPOS --------------------------------------------------------------
def test_geodist_units_and_misses(diff):
    _sicily(diff)
    for unit in ((), ("m",), ("km",), ("KM",), ("mi",), ("Mi",), ("ft",), ("FT",), ("M",)):
        diff.check("GEODIST", "Sicily", "Palermo", "Catania", *unit)
        diff.check3("GEODIST", "Sicily", "Palermo", "Catania", *unit)
        diff.check("GEODIST", "Sicily", "edge1", "edge2", *unit)
    diff.check("GEODIST", "Sicily", "Palermo", "Palermo")
    diff.check("GEODIST", "Sicily", "Palermo", "nope")
    diff.check("GEODIST", "Sicily", "nope", "Palermo", "km")
    diff.check("GEODIST", "nokey", "a", "b")
    diff.check3("GEODIST", "nokey", "a", "b")
    diff.check("GEODIST", "Sicily", "Palermo", "Catania", "yards")
    diff.check("GEODIST", "nokey", "a", "b", "yards")
    diff.check("GEODIST", "Sicily", "Palermo", "Catania", "km", "x")
    diff.check("GEODIST", "Sicily", "Palermo")


def test_geohash_and_geopos(diff):
    _sicily(diff)
    diff.check("GEOHASH", "Sicily", "Palermo", "Catania", "nope", "edge1")
    diff.check3("GEOHASH", "Sicily", "Palermo", "nope")
    diff.check("GEOHASH", "Sicily")
    diff.check("GEOHASH", "nokey", "a", "b")
    diff.check("GEOPOS", "Sicily", "Palermo", "Catania", "nope", "edge2")
    diff.check3("GEOPOS", "Sicily", "Palermo", "nope", "Catania")
    diff.check("GEOPOS", "Sicily")
    diff.check("GEOPOS", "nokey", "a")
    diff.check3("GEOPOS", "nokey", "a")
    # members added with ZADD: any score decodes
    diff.check("ZADD", "z", "0", "zero", "1", "one", "4503599627370495", "top",
               "1234567.5", "half")
    diff.check("GEOPOS", "z", "zero", "one", "top", "half")
    diff.check("GEOHASH", "z", "zero", "one", "top", "half")
    diff.check("GEODIST", "z", "zero", "top", "km")


def test_wrongtype(diff):
    diff.check("SET", "s", "x")
    diff.check("LPUSH", "l", "x")
    for key in ("s", "l"):
        for cmd in (("GEOADD", key, "1", "1", "m"), ("GEOADD", key, "1", "1"),
                    ("GEODIST", key, "a", "b"), ("GEODIST", key, "a", "b", "km"),
                    ("GEOHASH", key, "a"), ("GEOPOS", key, "a"), ("GEOPOS", key),
                    ("geosearch", key, "FROMMEMBER", "a", "BYRADIUS", "1", "km"),
                    ("geosearch", key, "FROMLONLAT", "1", "1", "BYBOX", "x", "1", "km"),
                    ("geosearchstore", "d", key, "FROMMEMBER", "a", "BYRADIUS", "1", "km"),
                    ("GEORADIUS", key, "1", "1", "1", "km"),
                    ("GEORADIUS", key, "1000", "1", "1", "km"),
                    ("GEORADIUSBYMEMBER", key, "a", "1", "km"),
                    ("GEORADIUS_RO", key, "1", "1", "1", "km"),
                    ("GEORADIUSBYMEMBER_RO", key, "a", "1", "km")):
            diff.check(*cmd)
    # a destination of another type is overwritten
    _sicily(diff)
    diff.check("geosearchstore", "s", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", "200",
               "km")
    diff.check("TYPE", "s")
    diff.check("GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "l")
    diff.check("ZRANGE", "l", "0", "-1", "WITHSCORES")


# -- searches --------------------------------------------------------------------------------
def _option_sets():
    yield ()
    for n in range(1, 4):
        yield REPLY_OPTIONS[:n]
    yield ("WITHHASH", "WITHCOORD")
    yield ("withdist", "asc")
    yield ("WITHDIST", "DESC")
    yield ("WITHCOORD", "COUNT", "2")
    yield ("COUNT", "1", "DESC", "WITHDIST")
    yield ("COUNT", "10")
    yield ("COUNT", "2", "ANY")
    yield ("ANY", "COUNT", "1", "WITHDIST", "WITHHASH")
    yield ("COUNT", "3", "ANY", "ASC", "WITHDIST")
    yield ("DESC", "ASC")
    yield ("COUNT", "1", "COUNT", "3")


def test_georadius_and_byMember(diff):
    _sicily(diff)
    for opts in _option_sets():
        for unit, size in (("km", "200"), ("m", "150000"), ("MI", "120"), ("ft", "700000")):
            diff.check("GEORADIUS", "Sicily", "15", "37", size, unit, *opts)
            diff.check("GEORADIUS_RO", "Sicily", "15", "37", size, unit, *opts)
            diff.check("GEORADIUSBYMEMBER", "Sicily", "Palermo", size, unit, *opts)
            diff.check("GEORADIUSBYMEMBER_RO", "Sicily", "Catania", size, unit, *opts)
        diff.check3("GEORADIUS", "Sicily", "15", "37", "200", "km", *opts)
        diff.check3("GEORADIUSBYMEMBER", "Sicily", "Palermo", "300", "km", *opts)
    diff.check("GEORADIUS", "Sicily", "15", "37", "1", "km")
    diff.check("GEORADIUS", "Sicily", "15", "37", "1", "km", "COUNT", "1", "ANY")


def test_geosearch(diff):
    _sicily(diff)
    froms = (("FROMMEMBER", "Palermo"), ("FROMLONLAT", "15", "37"),
             ("fromlonlat", "-0", "-0"), ("FROMMEMBER", "edge2"))
    bys = (("BYRADIUS", "200", "km"), ("byradius", "150000", "M"), ("BYRADIUS", "3000", "mi"),
           ("BYBOX", "400", "400", "km"), ("BYBOX", "100", "600", "KM"),
           ("bybox", "1000000", "1", "ft"), ("BYBOX", "0", "0", "m"))
    for frm in froms:
        for by in bys:
            for opts in _option_sets():
                diff.check("geosearch", "Sicily", *frm, *by, *opts)
                diff.check("geosearch", "Sicily", *opts, *by, *frm)
            diff.check3("geosearch", "Sicily", *frm, *by, *REPLY_OPTIONS)
    # a second FROMMEMBER replaces the first
    diff.check("geosearch", "Sicily", "FROMMEMBER", "Palermo", "FROMMEMBER", "Catania",
               "BYRADIUS", "100", "km", "WITHDIST")


def test_store_and_storedist(diff):
    _sicily(diff)
    for opts in ((), ("COUNT", "1"), ("DESC", "COUNT", "2"), ("COUNT", "2", "ANY"), ("ASC",)):
        for store in ("STORE", "STOREDIST", "store", "storedist"):
            diff.check("GEORADIUS", "Sicily", "15", "37", "200", "km", *opts, store, "dst")
            diff.check("ZRANGE", "dst", "0", "-1", "WITHSCORES")
            diff.check("GEORADIUSBYMEMBER", "Sicily", "Palermo", "300", "MI", store, "dst",
                       *opts)
            diff.check("ZRANGE", "dst", "0", "-1", "WITHSCORES")
            diff.check("OBJECT", "ENCODING", "dst")
        for by in (("BYRADIUS", "200", "km"), ("BYBOX", "500", "500", "ft"),
                   ("BYBOX", "500", "300", "km")):
            diff.check("geosearchstore", "dst", "Sicily", "FROMLONLAT", "15", "37", *by, *opts)
            diff.check("ZRANGE", "dst", "0", "-1", "WITHSCORES")
            diff.check("geosearchstore", "dst", "Sicily", "FROMMEMBER", "Palermo", *by,
                       "STOREDIST", *opts)
            diff.check("ZRANGE", "dst", "0", "-1", "WITHSCORES")
    # the last STORE/STOREDIST wins
    diff.check("GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "a", "STOREDIST", "b")
    diff.check("EXISTS", "a", "b")
    diff.check("ZRANGE", "b", "0", "-1", "WITHSCORES")
    # the stored set is a geo set again
    diff.check("GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "copy")
    diff.check("GEOPOS", "copy", "Palermo", "Catania")
    diff.check("GEORADIUSBYMEMBER", "copy", "Palermo", "200", "km", "WITHDIST")
    # nothing found, or no source: the destination goes, 0
    diff.check("SET", "dst", "x")
    diff.check("EXPIRE", "dst", "100")
    diff.check("GEORADIUS", "Sicily", "0", "0", "1", "km", "STORE", "dst")
    diff.check("EXISTS", "dst")
    diff.check("SET", "dst", "x")
    diff.check("geosearchstore", "dst", "nokey", "FROMMEMBER", "x", "BYRADIUS", "1", "km")
    diff.check("EXISTS", "dst")
    diff.check("SET", "dst", "x")
    diff.check("GEORADIUSBYMEMBER", "nokey", "x", "1", "km", "STOREDIST", "dst")
    diff.check("EXISTS", "dst")
    diff.check("geosearchstore", "dst", "Sicily", "FROMMEMBER", "Palermo", "BYBOX", "1", "1",
               "m", "STOREDIST")
    diff.check("ZRANGE", "dst", "0", "-1", "WITHSCORES")
    diff.check("geosearchstore", "dst", "Sicily", "FROMLONLAT", "0", "0", "BYBOX", "1", "1",
               "m")
    diff.check("EXISTS", "dst")
    # a stored result with long members becomes a skiplist, as in Redis
    diff.check("GEOADD", "long", "15", "37", "x" * 100, "15.1", "37", "y")
    diff.check("GEORADIUS", "long", "15", "37", "100", "km", "STORE", "dst")
    diff.check("OBJECT", "ENCODING", "dst")


def test_missing_source(diff):
    for cmd in (("geosearch", "nokey", "FROMMEMBER", "x", "BYRADIUS", "1", "km"),
                ("geosearch", "nokey", "FROMLONLAT", "1", "2", "BYBOX", "1", "1", "km"),
                ("GEORADIUS", "nokey", "1", "2", "1", "km", "WITHDIST"),
                ("GEORADIUS_RO", "nokey", "1", "2", "1", "km"),
                ("GEORADIUSBYMEMBER", "nokey", "x", "1", "km"),
                # no source: the member is not looked up, the radius not read
                ("GEORADIUSBYMEMBER", "nokey", "x", "-1", "km"),
                ("GEORADIUSBYMEMBER_RO", "nokey", "x", "foo", "bar"),
                ("GEORADIUSBYMEMBER", "nokey", "x", "-1", "km", "COUNT", "0"),
                ("GEORADIUS", "nokey", "1", "2", "-1", "km"),
                ("GEORADIUS", "nokey", "1", "2", "1", "km", "ANY"),
                ("geosearch", "nokey", "FROMMEMBER", "x", "BYRADIUS", "1", "km", "ANY"),
                ("geosearch", "nokey", "FROMLONLAT", "1", "200", "BYRADIUS", "1", "km")):
        diff.check(*cmd)
        diff.check3(*cmd)


def test_search_errors(diff):
    _sicily(diff)
    k = "Sicily"
    for cmd in (
            ("GEORADIUS", k, "15", "37", "-1", "km"),
            ("GEORADIUS", k, "15", "37", "foo", "km"),
            ("GEORADIUS", k, "15", "37", "", "km"),
            ("GEORADIUS", k, "15", "37", "nan", "km"),
            ("GEORADIUS", k, "15", "37", "1", "yd"),
            ("GEORADIUS", k, "15", "37", "1", ""),
            ("GEORADIUS", k, "181", "37", "1", "km"),
            ("GEORADIUS", k, "15", "86", "1", "km"),
            ("GEORADIUS", k, "x", "37", "1", "km"),
            ("GEORADIUS", k, "15", "37", "1", "km", "COUNT"),
            ("GEORADIUS", k, "15", "37", "1", "km", "COUNT", "0"),
            ("GEORADIUS", k, "15", "37", "1", "km", "COUNT", "-3"),
            ("GEORADIUS", k, "15", "37", "1", "km", "COUNT", "x"),
            ("GEORADIUS", k, "15", "37", "1", "km", "COUNT", "99999999999999999999"),
            ("GEORADIUS", k, "15", "37", "1", "km", "ANY"),
            ("GEORADIUS", k, "15", "37", "1", "km", "ANY", "COUNT", "0"),
            ("GEORADIUS", k, "15", "37", "1", "km", "STORE"),
            ("GEORADIUS", k, "15", "37", "1", "km", "STORE", "d", "WITHDIST"),
            ("GEORADIUS", k, "15", "37", "1", "km", "WITHHASH", "STOREDIST", "d"),
            ("GEORADIUS", k, "15", "37", "1", "km", "FROMMEMBER", "Palermo"),
            ("GEORADIUS", k, "15", "37", "1", "km", "BYRADIUS", "1", "km"),
            ("GEORADIUS", k, "15", "37", "1", "km", "foo"),
            ("GEORADIUS_RO", k, "15", "37", "1", "km", "STORE", "d"),
            ("GEORADIUS_RO", k, "15", "37", "1", "km", "STOREDIST", "d"),
            ("GEORADIUSBYMEMBER", k, "nope", "1", "km"),
            ("GEORADIUSBYMEMBER", k, "nope", "-1", "km"),
            ("GEORADIUSBYMEMBER", k, "Palermo", "-1", "km"),
            ("GEORADIUSBYMEMBER", k, "Palermo", "1", "parsec"),
            ("GEORADIUSBYMEMBER", k, "Palermo", "1", "km", "COUNT", "1", "STORE", "d",
             "WITHCOORD"),
            ("GEORADIUSBYMEMBER_RO", k, "Palermo", "1", "km", "STORE", "d"),
            ("geosearch", k, "FROMLONLAT", "15", "37", "COUNT", "1", "WITHDIST"),
            ("geosearch", k, "BYRADIUS", "1", "km", "COUNT", "1", "WITHDIST"),
            ("geosearch", k, "FROMMEMBER", "Palermo", "FROMLONLAT", "15", "37", "BYRADIUS",
             "1", "km"),
            ("geosearch", k, "FROMLONLAT", "15", "37", "FROMMEMBER", "Palermo", "BYRADIUS",
             "1", "km"),
            ("geosearch", k, "FROMLONLAT", "15", "37", "BYRADIUS", "1", "km", "BYBOX", "1",
             "1", "km"),
            ("geosearch", k, "FROMLONLAT", "15", "37", "BYBOX", "1", "1", "km", "BYRADIUS",
             "1", "km"),
            ("geosearch", k, "FROMMEMBER", "nope", "BYRADIUS", "1", "km"),
            ("geosearch", k, "BYRADIUS", "-1", "km", "FROMMEMBER", "nope"),
            ("geosearch", k, "FROMMEMBER", "nope", "BYRADIUS", "-1", "km"),
            ("geosearch", k, "FROMLONLAT", "200", "37", "BYRADIUS", "1", "km"),
            ("geosearch", k, "FROMLONLAT", "x", "37", "BYRADIUS", "1", "km"),
            ("geosearch", k, "FROMLONLAT", "15", "37", "BYRADIUS", "x", "km"),
            ("geosearch", k, "FROMLONLAT", "15", "37", "BYRADIUS", "1", "kms"),
            ("geosearch", k, "FROMLONLAT", "15", "37", "BYBOX", "-1", "1", "km"),
            ("geosearch", k, "FROMLONLAT", "15", "37", "BYBOX", "1", "-1", "km"),
            ("geosearch", k, "FROMLONLAT", "15", "37", "BYBOX", "x", "-1", "km"),
            ("geosearch", k, "FROMLONLAT", "15", "37", "BYBOX", "1", "x", "km"),
            ("geosearch", k, "FROMLONLAT", "15", "37", "BYBOX", "1", "1", "x"),
            ("geosearch", k, "FROMLONLAT", "15", "37", "BYBOX", "1", "1"),
            ("geosearch", k, "FROMLONLAT", "15", "37", "BYRADIUS", "1"),
            ("geosearch", k, "FROMLONLAT", "15", "BYRADIUS", "1", "km"),
            ("geosearch", k, "FROMMEMBER", "Palermo", "BYRADIUS", "1", "km", "STORE", "d"),
            ("geosearch", k, "FROMMEMBER", "Palermo", "BYRADIUS", "1", "km", "STOREDIST"),
            ("geosearch", k, "FROMMEMBER", "Palermo", "BYRADIUS", "1", "km", "ANY"),
            ("geosearch", k, "FROMMEMBER", "Palermo", "BYRADIUS", "1", "km", "COUNT", "0"),
            ("geosearch", k, "FROMMEMBER", "Palermo", "BYRADIUS", "1", "km", "what"),
            ("geosearchstore", "d", k, "FROMMEMBER", "Palermo", "BYRADIUS", "1", "km",
             "WITHDIST"),
            ("geosearchstore", "d", k, "FROMMEMBER", "Palermo", "BYRADIUS", "1", "km",
             "STORE", "e"),
            ("geosearchstore", "d", k, "FROMMEMBER", "Palermo", "COUNT", "1", "ANY"),
            ("geosearchstore", "d", k, "BYBOX", "1", "1", "km", "STOREDIST"),
            ("geosearch", k, "FROMLONLAT", "15", "37"),
            ("geosearchstore", "d", k, "FROMLONLAT", "15", "37"),
            ("GEORADIUS", k, "15", "37", "1"),
            ("GEORADIUSBYMEMBER", k, "Palermo", "1"),
            ("GEORADIUS_RO", k), ("GEORADIUSBYMEMBER_RO", k, "x", "1")):
        diff.check(*cmd)
    diff.check("EXISTS", "d", "e")


def test_keyspace_events(diff):
    diff.check("CONFIG", "SET", "notify-keyspace-events", "KEA")
    ev = Events(diff, RawConn)
    try:
        for cmd in (("GEOADD", "g", "13.361389", "38.115556", "Palermo"),
                    ("GEOADD", "g", "13.361389", "38.115556", "Palermo"),
                    ("GEOADD", "g", "CH", "15.087269", "37.502669", "Catania"),
                    ("GEOADD", "g", "XX", "1", "1", "nope"),
                    ("GEORADIUS", "g", "15", "37", "200", "km", "STORE", "d"),
                    ("GEORADIUS", "g", "15", "37", "200", "km"),
                    ("geosearchstore", "d", "g", "FROMMEMBER", "Palermo", "BYRADIUS", "1",
                     "km", "STOREDIST"),
                    ("geosearchstore", "d", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "1",
                     "km"),
                    ("GEORADIUSBYMEMBER", "nokey", "x", "1", "km", "STORE", "g")):
            ev.same(*cmd)
    finally:
        for c in ev.subs:
            c.close()
        diff.check("CONFIG", "SET", "notify-keyspace-events", "")


def test_command_getkeys(diff):
    for cmd in (("GEORADIUS", "k", "1", "2", "3", "km", "STORE", "a", "STOREDIST", "b"),
                ("GEORADIUS", "k", "1", "2", "3", "km", "STORE", "a"),
                ("GEORADIUS", "k", "1", "2", "3", "km"),
                ("GEORADIUS", "k", "1", "2", "3", "km", "COUNT", "4", "STORE"),
                ("GEORADIUS", "k", "1", "2", "STORE", "a", "km"),
                ("GEORADIUSBYMEMBER", "k", "m", "3", "km", "STORE", "a"),
                ("GEORADIUSBYMEMBER", "k", "m", "3", "km", "storedist", "a"),
                ("GEORADIUS_RO", "k", "1", "2", "3", "km"),
                ("geosearchstore", "d", "k", "FROMMEMBER", "m", "BYRADIUS", "1", "km"),
                ("geosearch", "k", "FROMMEMBER", "m", "BYRADIUS", "1", "km"),
                ("GEOADD", "k", "1", "2", "m")):
        diff.check("COMMAND", "GETKEYS", *cmd)
        diff.check("COMMAND", "GETKEYSANDFLAGS", *cmd)


def test_dump_restore_round_trip(diff):
    _sicily(diff)
    dumped = diff.check("DUMP", "Sicily")
    payload = dumped.split(b"\r\n")[1]
    diff.check("RESTORE", "again", "0", payload)
    diff.check("GEOPOS", "again", "Palermo", "edge1")
    diff.check("GEORADIUSBYMEMBER", "again", "Palermo", "300", "km", "WITHDIST", "ASC")


# -- seeded random searches ----------------------------------------------------------------
@pytest.mark.parametrize("seed", range(4))
def test_random_searches(diff, seed):
    rnd = random.Random(seed)
    for _ in range(6):
        diff.both("DEL", "k", "d")
        clon = rnd.choice([rnd.uniform(-180, 180), 180, -180, 179.99, 0])
        clat = rnd.choice([rnd.uniform(-85, 85), 85, -85, 0, 70, -82])
        spread = rnd.choice([0.01, 0.5, 5, 40, 180])
        args = []
        for i in range(rnd.choice([5, 40, 200])):
            lon = clon + rnd.uniform(-spread, spread)
            lat = clat + rnd.uniform(-spread / 2, spread / 2)
            if -180 <= lon <= 180 and -85.05112878 <= lat <= 85.05112878:
                args += ["%.6f" % lon, "%.6f" % lat, "m%d" % i]
        if not args:
            continue
        diff.check("GEOADD", "k", *args)
        members = args[2::3]
        for _ in range(15):
            unit, metres = rnd.choice([("m", 1), ("km", 1000), ("mi", 1609.34), ("ft", 0.3048)])
            size = "%.3f" % (rnd.choice([1, 100, 10000, 500000, 3000000, 9000000])
                             * rnd.random() / metres)
            lon = "%.5f" % max(-180, min(180, clon + rnd.uniform(-spread, spread)))
            lat = "%.5f" % max(-85.05112878, min(85.05112878, clat + rnd.uniform(-spread, spread)))
            opts = list(REPLY_OPTIONS) + rnd.choice(
                [[], ["ASC"], ["DESC"], ["COUNT", "7"], ["COUNT", "3", "ANY"],
                 ["DESC", "COUNT", "5"]])
            member = rnd.choice(members)
            if rnd.random() < .5:
                diff.check("GEORADIUS", "k", lon, lat, size, unit, *opts)
                diff.check("GEORADIUSBYMEMBER", "k", member, size, unit, *opts)
            else:
                by = (["BYRADIUS", size, unit] if rnd.random() < .5 else
                      ["BYBOX", size, "%.3f" % (float(size) * rnd.uniform(.2, 3)), unit])
                diff.check("geosearch", "k", "FROMLONLAT", lon, lat, *by, *opts)
                diff.check("geosearchstore", "d", "k", "FROMMEMBER", member, *by,
                           *opts[3:], "STOREDIST")
                diff.check("ZRANGE", "d", "0", "-1", "WITHSCORES")
        diff.check("GEOHASH", "k", *members[:20])
        diff.check("GEOPOS", "k", *members[:20])
        diff.check("GEODIST", "k", members[0], members[-1], "km")
