"""Geo commands (group "geo", Redis 7.0's geo.c and geohash*.c).

A geo set is a sorted set (``keyspace/zset.py``'s ``ZSetValue``) whose scores
are 52-bit geohashes: latitude and longitude quantised to 26 bits each over
Redis' Web Mercator limits (longitude -180..180, latitude +-85.05112878) and
interleaved, latitude in the even bits.  So ZSCORE, ZRANGE, DUMP/RESTORE and
snapshots see what Redis would store.

The first half of this module is the numeric part, written from the public
description of Redis' algorithm: encoding and decoding hashes, the
neighbouring boxes of a hash, haversine distances on a sphere of Redis'
radius, and the search of a circle or a box through the nine boxes around
its centre.  The second half holds the commands:

* GEOADD is ZADD with the coordinates turned into scores (and is propagated
  as that ZADD, as Redis does);
* distances print with 4 decimals (``%.4f``), coordinates with up to 17
  decimals and no trailing zeros (Redis' "human" long doubles), doubles in
  RESP3;
* the STORE variants write a sorted set of hashes or of distances (in the
  query's unit), or delete the destination when nothing matched.
"""
import math

from .. import errors
from ..errors import ReplyError
from ..keyspace.zset import ZSetValue
from ..protocol.types import Raw
from ..util import parse_float, parse_int
from .registry import command
from .zsets import _store, _zadd

_GROUP = "geo"

# -- the numeric half -------------------------------------------------------------------
STEP_MAX = 26                       # 26 bits per coordinate: 52-bit scores
LAT_MIN, LAT_MAX = -85.05112878, 85.05112878
LON_MIN, LON_MAX = -180.0, 180.0
EARTH_RADIUS = 6372797.560856       # metres, as Redis has it
MERCATOR_MAX = 20037726.37
_D_R = math.pi / 180.0
_U64 = (1 << 64) - 1
_EVEN = 0x5555555555555555
_ODD = 0xAAAAAAAAAAAAAAAA
_BASE32 = b"0123456789bcdefghjkmnpqrstuvwxyz"

# units: name -> metres
UNITS = {b"m": 1.0, b"km": 1000.0, b"ft": 0.3048, b"mi": 1609.34}


def _spread(v):
    """The 32 bits of ``v`` moved to the even bit positions of a 64-bit word."""
    v &= 0xFFFFFFFF
    v = (v | (v << 16)) & 0x0000FFFF0000FFFF
    v = (v | (v << 8)) & 0x00FF00FF00FF00FF
    v = (v | (v << 4)) & 0x0F0F0F0F0F0F0F0F
    v = (v | (v << 2)) & 0x3333333333333333
    return (v | (v << 1)) & _EVEN


def _squash(v):
    """The even bits of a 64-bit word packed into 32 bits (``_spread`` undone)."""
    v &= _EVEN
    v = (v | (v >> 1)) & 0x3333333333333333
    v = (v | (v >> 2)) & 0x0F0F0F0F0F0F0F0F
    v = (v | (v >> 4)) & 0x00FF00FF00FF00FF
    v = (v | (v >> 8)) & 0x0000FFFF0000FFFF
    return (v | (v >> 16)) & 0xFFFFFFFF


def encode(lon, lat, step=STEP_MAX, lon_range=(LON_MIN, LON_MAX),
           lat_range=(LAT_MIN, LAT_MAX)):
    """The geohash bits of a point at ``step`` bits per coordinate; None out of range.

    Each coordinate becomes its offset in the range times 2**step, truncated
    to 32 bits (a point on the upper limit gives 2**step, whose bit spills
    beyond 2*step bits, as in Redis)."""
    if not (LON_MIN <= lon <= LON_MAX and LAT_MIN <= lat <= LAT_MAX):
        return None
    if not (lat_range[0] <= lat <= lat_range[1] and lon_range[0] <= lon <= lon_range[1]):
        return None
    scale = float(1 << step)
    lat_offset = (lat - lat_range[0]) / (lat_range[1] - lat_range[0]) * scale
    lon_offset = (lon - lon_range[0]) / (lon_range[1] - lon_range[0]) * scale
    return _spread(int(lat_offset)) | (_spread(int(lon_offset)) << 1)


def decode_area(bits, step=STEP_MAX):
    """The box a hash stands for: (lon_min, lon_max, lat_min, lat_max)."""
    ilat = _squash(bits)
    ilon = _squash(bits >> 1)
    scale = float(1 << step)
    lat_scale = LAT_MAX - LAT_MIN
    lon_scale = LON_MAX - LON_MIN
    return (LON_MIN + (ilon * 1.0 / scale) * lon_scale,
            LON_MIN + ((ilon + 1) * 1.0 / scale) * lon_scale,
            LAT_MIN + (ilat * 1.0 / scale) * lat_scale,
            LAT_MIN + ((ilat + 1) * 1.0 / scale) * lat_scale)


def decode_score(score):
    """(longitude, latitude) of a 52-bit score: the centre of its box, clamped."""
    try:
        bits = int(score) & _U64
    except (OverflowError, ValueError):     # inf or nan: not a geohash
        bits = 0
    lon_min, lon_max, lat_min, lat_max = decode_area(bits)
    lon = min(max((lon_min + lon_max) / 2, LON_MIN), LON_MAX)
    lat = min(max((lat_min + lat_max) / 2, LAT_MIN), LAT_MAX)
    return lon, lat


def score_of(lon, lat):
    return encode(lon, lat)


def geohash_string(score):
    """The standard 11-character geohash of a score (latitude -90..90; the
    11th character stands for bits a 52-bit hash does not have: always 0)."""
    lon, lat = decode_score(score)
    bits = encode(lon, lat, STEP_MAX, (-180.0, 180.0), (-90.0, 90.0)) or 0
    out = bytearray()
    for i in range(10):
        out.append(_BASE32[(bits >> (52 - (i + 1) * 5)) & 0x1F])
    out.append(_BASE32[0])
    return bytes(out)


def _rad(deg):
    return deg * _D_R


def _deg(rad):
    return rad / _D_R


def lat_distance(lat1, lat2):
    return EARTH_RADIUS * abs(_rad(lat2) - _rad(lat1))


def distance(lon1, lat1, lon2, lat2):
    """Haversine great-circle distance in metres."""
    lon1r = _rad(lon1)
    lon2r = _rad(lon2)
    v = math.sin((lon2r - lon1r) / 2)
    if v == 0.0:                    # same meridian: only the latitudes count
        return lat_distance(lat1, lat2)
    lat1r = _rad(lat1)
    lat2r = _rad(lat2)
    u = math.sin((lat2r - lat1r) / 2)
    a = u * u + math.cos(lat1r) * math.cos(lat2r) * v * v
    return 2.0 * EARTH_RADIUS * math.asin(math.sqrt(a))


def _move_x(bits, step, d):
    """The hash of the box ``d`` (+1/-1) steps east/west, wrapping around."""
    x = bits & _ODD
    y = bits & _EVEN
    zz = _EVEN >> (64 - step * 2)
    if d > 0:
        x = (x + (zz + 1)) & _U64
    else:
        x = ((x | zz) - (zz + 1)) & _U64
    x &= _ODD >> (64 - step * 2)
    return x | y


def _move_y(bits, step, d):
    x = bits & _ODD
    y = bits & _EVEN
    zz = _ODD >> (64 - step * 2)
    if d > 0:
        y = (y + (zz + 1)) & _U64
    else:
        y = ((y | zz) - (zz + 1)) & _U64
    y &= _EVEN >> (64 - step * 2)
    return x | y


def _neighbours(bits, step):
    """The eight boxes around a hash: north, south, east, west, north-east,
    north-west, south-east, south-west."""
    def at(dx, dy):
        b = bits
        if dx:
            b = _move_x(b, step, dx)
        if dy:
            b = _move_y(b, step, dy)
        return b
    return [at(0, 1), at(0, -1), at(1, 0), at(-1, 0),
            at(1, 1), at(-1, 1), at(1, -1), at(-1, -1)]


def _steps_for_radius(metres, lat):
    """Bits per coordinate of boxes about as large as the search radius."""
    if metres == 0:
        return STEP_MAX
    step = 1
    while metres < MERCATOR_MAX:
        metres *= 2
        step += 1
    step -= 2                       # so that the range fits in most cases
    if lat > 66 or lat < -66:       # boxes shrink towards the poles
        step -= 1
        if lat > 80 or lat < -80:
            step -= 1
    return min(max(step, 1), STEP_MAX)


class Shape:
    """A search area: a circle (``radius``) or a box (``width``, ``height``)
    around (lon, lat), its sizes in the query's unit (``conversion`` metres each)."""

    __slots__ = ("lon", "lat", "radius", "width", "height", "conversion")

    def __init__(self, lon, lat, conversion, radius=None, width=None, height=None):
        self.lon, self.lat = lon, lat
        self.conversion = conversion
        self.radius, self.width, self.height = radius, width, height

    def bounding_box(self):
        """(min_lon, min_lat, max_lon, max_lat) of the area."""
        if self.radius is not None:
            height = width = self.conversion * self.radius
        else:
            height = self.conversion * (self.height / 2)
            width = self.conversion * (self.width / 2)
        lat = self.lat
        lat_delta = _deg(height / EARTH_RADIUS)
        lon_delta_top = _deg(width / EARTH_RADIUS / math.cos(_rad(lat + lat_delta)))
        lon_delta_bottom = _deg(width / EARTH_RADIUS / math.cos(_rad(lat - lat_delta)))
        # the widest edge is the one nearer the equator
        delta = lon_delta_bottom if lat < 0 else lon_delta_top
        return self.lon - delta, lat - lat_delta, self.lon + delta, lat + lat_delta

    def distance_if_inside(self, lon, lat):
        """The distance from the centre to (lon, lat) in metres, or None outside."""
        if self.radius is not None:
            d = distance(self.lon, self.lat, lon, lat)
            return None if d > self.radius * self.conversion else d
        lon_d = distance(lon, lat, self.lon, lat)
        lat_d = distance(lon, lat, lon, self.lat)
        if lon_d > self.width * self.conversion / 2 or \
                lat_d > self.height * self.conversion / 2:
            return None
        return distance(self.lon, self.lat, lon, lat)

    def boxes(self):
        """The hashes to scan, as (bits, step) in Redis' order (the centre box,
        then N S E W NE NW SE SW); None for a box left out."""
        min_lon, min_lat, max_lon, max_lat = self.bounding_box()
        if self.radius is not None:
            metres = self.radius
        else:
            metres = math.sqrt((self.width / 2) * (self.width / 2)
                               + (self.height / 2) * (self.height / 2))
        metres *= self.conversion
        steps = _steps_for_radius(metres, self.lat)
        bits = encode(self.lon, self.lat, steps)
        around = _neighbours(bits, steps)
        # a neighbour too near the area to cover it: one step larger boxes
        north, south, east, west = (decode_area(b, steps) for b in around[:4])
        if steps > 1 and (north[3] < max_lat or south[2] > min_lat
                          or east[1] < max_lon or west[0] > min_lon):
            steps -= 1
            bits = encode(self.lon, self.lat, steps)
            around = _neighbours(bits, steps)
        boxes = [bits] + around
        if steps >= 2:              # leave out the boxes beyond the area
            lon_lo, lon_hi, lat_lo, lat_hi = decode_area(bits, steps)
            drop = set()
            if lat_lo < min_lat:
                drop.update((2, 8, 7))      # south, south-west, south-east
            if lat_hi > max_lat:
                drop.update((1, 5, 6))      # north, north-east, north-west
            if lon_lo < min_lon:
                drop.update((4, 8, 6))      # west, south-west, north-west
            if lon_hi > max_lon:
                drop.update((3, 7, 5))      # east, south-east, north-east
            for i in drop:
                boxes[i] = None
        return [(b, steps) if b is not None else None for b in boxes]


def search(z, shape, limit=0):
    """The members of ``z`` inside ``shape``: [(distance m, score, member, lon, lat)],
    in the order Redis finds them (box by box, by score in a box); stops at
    ``limit`` found when not 0 (COUNT ANY)."""
    found = []
    last = None
    for i, box in enumerate(shape.boxes()):
        if box is None:
            continue
        # a huge radius may give the same box twice in a row (Redis compares
        # with the last box scanned, except the centre one)
        if last and box == last:
            continue
        if found and limit and len(found) >= limit:
            break
        bits, step = box
        shift = 52 - step * 2
        lo, hi = float(bits << shift), float((bits + 1) << shift)
        start, end = z.score_bounds(lo, False, hi, True)
        for score, member in z.index.islice(start, end):
            lon, lat = decode_score(score)
            d = shape.distance_if_inside(lon, lat)
            if d is not None:
                found.append((d, score, member, lon, lat))
            if found and limit and len(found) >= limit:
                break
        last = box if i else None
    return found


# -- replies ----------------------------------------------------------------------------
def _human(x):
    """A coordinate as Redis prints a "human" long double: 17 decimals, the
    trailing zeros (and a bare dot) dropped, -0 as 0."""
    s = b"%.17f" % x
    if b"." in s:
        s = s.rstrip(b"0").rstrip(b".")
    return b"0" if s == b"-0" else s


def _coordinate(ctx, x):
    s = _human(x)
    return Raw(b",%s\r\n" % s) if ctx.resp3 else s


def _distance_text(d):
    return b"%.4f" % d


# -- argument parsing -------------------------------------------------------------------
def _lon_lat(raw_lon, raw_lat):
    lon, lat = parse_float(raw_lon), parse_float(raw_lat)
    if not (LON_MIN <= lon <= LON_MAX and LAT_MIN <= lat <= LAT_MAX):
        raise ReplyError(errors.GEO_INVALID_LON_LAT % (lon, lat))
    return lon, lat


def _unit(raw):
    metres = UNITS.get(raw.lower())
    if metres is None:
        raise ReplyError(errors.GEO_UNSUPPORTED_UNIT)
    return metres


def _radius(raw, raw_unit):
    r = parse_float(raw, ReplyError(errors.GEO_RADIUS_NOT_NUMERIC))
    if r < 0:
        raise ReplyError(errors.GEO_RADIUS_NEGATIVE)
    return r, _unit(raw_unit)


def _box(raw_w, raw_h, raw_unit):
    w = parse_float(raw_w, ReplyError(errors.GEO_WIDTH_NOT_NUMERIC))
    h = parse_float(raw_h, ReplyError(errors.GEO_HEIGHT_NOT_NUMERIC))
    if h < 0 or w < 0:
        raise ReplyError(errors.GEO_BOX_NEGATIVE)
    return w, h, _unit(raw_unit)


def _member_position(z, member):
    score = z.scores.get(member)
    if score is None:
        raise ReplyError(errors.GEO_MEMBER_NOT_FOUND)
    return decode_score(score)


# -- GEOADD -----------------------------------------------------------------------------
@command("GEOADD", arity=-5, flags="write denyoom", keys=(1, 1, 1), group=_GROUP,
         summary="Add one or more geospatial items in the geospatial index represented "
                 "using a sorted set", since="3.2.0",
         complexity="O(log(N)) for each item added, where N is the number of elements in "
                    "the sorted set.")
def geoadd(ctx, key, *args):
    nx = xx = False
    i = 0
    while i < len(args):
        opt = args[i].lower()
        if opt == b"nx":
            nx = True
        elif opt == b"xx":
            xx = True
        elif opt != b"ch":
            break
        i += 1
    rest = args[i:]
    if len(rest) % 3 or (nx and xx):
        raise ReplyError(errors.SYNTAX)
    zadd_args = list(args[:i])
    for j in range(0, len(rest), 3):
        lon, lat = _lon_lat(rest[j], rest[j + 1])
        zadd_args.append(b"%d" % score_of(lon, lat))
        zadd_args.append(rest[j + 2])
    engine = ctx.engine
    dirty = engine.dirty
    reply = _zadd(ctx, key, zadd_args)
    if engine.dirty != dirty:       # replicated as the ZADD it is
        engine.rewrite_propagation(ctx, (ctx.db.id, [b"zadd", key] + zadd_args))
    return reply


# -- GEODIST, GEOHASH, GEOPOS -------------------------------------------------------------
@command("GEODIST", arity=-4, flags="readonly", keys=(1, 1, 1), group=_GROUP,
         summary="Returns the distance between two members of a geospatial index",
         since="3.2.0", complexity="O(log(N))")
def geodist(ctx, key, member1, member2, *args):
    to_metres = 1.0
    if len(args) == 1:
        to_metres = _unit(args[0])
    elif args:
        raise ReplyError(errors.SYNTAX)
    z = ctx.db.get_typed(key, ZSetValue)
    if z is None:
        return None
    s1, s2 = z.scores.get(member1), z.scores.get(member2)
    if s1 is None or s2 is None:
        return None
    lon1, lat1 = decode_score(s1)
    lon2, lat2 = decode_score(s2)
    return _distance_text(distance(lon1, lat1, lon2, lat2) / to_metres)


@command("GEOHASH", arity=-2, flags="readonly", keys=(1, 1, 1), group=_GROUP,
         summary="Returns members of a geospatial index as standard geohash strings",
         since="3.2.0",
         complexity="O(log(N)) for each member requested, where N is the number of "
                    "elements in the sorted set.")
def geohash(ctx, key, *members):
    z = ctx.db.get_typed(key, ZSetValue)
    scores = z.scores if z is not None else {}
    out = []
    for m in members:
        s = scores.get(m)
        out.append(None if s is None else geohash_string(s))
    return out


@command("GEOPOS", arity=-2, flags="readonly", keys=(1, 1, 1), group=_GROUP,
         summary="Returns longitude and latitude of members of a geospatial index",
         since="3.2.0", complexity="O(N) where N is the number of members requested.")
def geopos(ctx, key, *members):
    from ..protocol import NULL_ARRAY
    z = ctx.db.get_typed(key, ZSetValue)
    scores = z.scores if z is not None else {}
    out = []
    for m in members:
        s = scores.get(m)
        if s is None:
            out.append(NULL_ARRAY)
        else:
            lon, lat = decode_score(s)
            out.append([_coordinate(ctx, lon), _coordinate(ctx, lat)])
    return out


# -- the searches -----------------------------------------------------------------------
_BY_COORDS, _BY_MEMBER, _NO_STORE, _GEOSEARCH, _GEOSEARCHSTORE = 1, 2, 4, 8, 16


def _search_command(ctx, name, args, src_index, flags):
    """georadiusGeneric: ``args`` are the command's arguments (name excluded),
    the source key at ``args[src_index - 1]``."""
    argv = (name,) + tuple(args)
    argc = len(argv)
    z = ctx.db.get_typed(argv[src_index], ZSetValue)
    store = None
    storedist = False
    center = None
    radius = width = height = None
    conversion = 1.0
    if flags & _BY_COORDS:
        base = 6
        center = _lon_lat(argv[2], argv[3])
        radius, conversion = _radius(argv[4], argv[5])
    elif flags & _BY_MEMBER and z is None:
        base = 5                    # nothing to search: parse the options only
    elif flags & _BY_MEMBER:
        base = 5
        center = _member_position(z, argv[2])
        radius, conversion = _radius(argv[3], argv[4])
    else:
        base = 2
        if flags & _GEOSEARCHSTORE:
            base = 3
            store = argv[1]
    withdist = withhash = withcoord = False
    frommember = fromloc = byradius = bybox = False
    order = None
    any_ = False
    count = 0
    i = base
    while i < argc:
        arg = argv[i].lower()
        left = argc - i - 1          # arguments after this one
        if arg == b"withdist":
            withdist = True
        elif arg == b"withhash":
            withhash = True
        elif arg == b"withcoord":
            withcoord = True
        elif arg == b"any":
            any_ = True
        elif arg == b"asc":
            order = "asc"
        elif arg == b"desc":
            order = "desc"
        elif arg == b"count" and left >= 1:
            count = parse_int(argv[i + 1])
            if count <= 0:
                raise ReplyError(errors.GEO_COUNT_NOT_POSITIVE)
            i += 1
        elif arg in (b"store", b"storedist") and left >= 1 \
                and not flags & (_NO_STORE | _GEOSEARCH):
            store = argv[i + 1]
            storedist = arg == b"storedist"
            i += 1
        elif arg == b"storedist" and flags & _GEOSEARCHSTORE:
            storedist = True
        elif arg == b"frommember" and left >= 1 and flags & _GEOSEARCH and not fromloc:
            if z is not None:
                center = _member_position(z, argv[i + 1])
            frommember = True
            i += 1
        elif arg == b"fromlonlat" and left >= 2 and flags & _GEOSEARCH and not frommember:
            center = _lon_lat(argv[i + 1], argv[i + 2])
            fromloc = True
            i += 2
        elif arg == b"byradius" and left >= 2 and flags & _GEOSEARCH and not bybox:
            radius, conversion = _radius(argv[i + 1], argv[i + 2])
            byradius = True
            i += 2
        elif arg == b"bybox" and left >= 3 and flags & _GEOSEARCH and not byradius:
            width, height, conversion = _box(argv[i + 1], argv[i + 2], argv[i + 3])
            bybox = True
            i += 3
        else:
            raise ReplyError(errors.SYNTAX)
        i += 1
    if store is not None and (withdist or withhash or withcoord):
        raise ReplyError(errors.GEO_STORE_WITH_OPTIONS % (
            "GEOSEARCHSTORE" if flags & _GEOSEARCHSTORE else "STORE option in GEORADIUS"))
    if flags & _GEOSEARCH:
        if not (frommember or fromloc):
            raise ReplyError(errors.GEO_NEED_FROM % name.decode("utf-8", "replace"))
        if not (byradius or bybox):
            raise ReplyError(errors.GEO_NEED_BY % name.decode("utf-8", "replace"))
    if any_ and not count:
        raise ReplyError(errors.GEO_ANY_NEEDS_COUNT)
    if z is None:
        return _store(ctx, store, [], "") if store is not None else []
    if count and order is None and not any_:
        order = "asc"               # the N nearest
    if bybox:
        shape = Shape(center[0], center[1], conversion, width=width, height=height)
    else:
        shape = Shape(center[0], center[1], conversion, radius=radius)
    found = search(z, shape, count if any_ else 0)
    if not found and store is None:
        return []
    if order is not None:
        found.sort(key=lambda p: p[0], reverse=order == "desc")
    if count:
        found = found[:count]
    if store is not None:
        seen = set()
        items = []
        for d, score, member, _, _ in found:
            if member not in seen:
                seen.add(member)
                items.append((d / conversion if storedist else score, member))
        event = "geosearchstore" if flags & _GEOSEARCH else "georadiusstore"
        return _store(ctx, store, items, event)
    options = withdist + withhash + withcoord
    out = []
    for d, score, member, lon, lat in found:
        if not options:
            out.append(member)
            continue
        entry = [member]
        if withdist:
            entry.append(_distance_text(d / conversion))
        if withhash:
            entry.append(int(score))
        if withcoord:
            entry.append([_coordinate(ctx, lon), _coordinate(ctx, lat)])
        out.append(entry)
    return out


def _radius_keys(argv):
    """georadiusGetKeys: the key, and the last STORE/STOREDIST destination."""
    stored = None
    i = 5
    while i < len(argv):
        if argv[i].lower() in (b"store", b"storedist") and i + 1 < len(argv):
            stored = i + 1
            i += 1
        i += 1
    return [1] if stored is None else [1, stored]


def _radius_written(argv):
    keys = _radius_keys(argv)
    return [argv[keys[1]]] if len(keys) > 1 else []


_SEARCH_COMPLEXITY = ("O(N+log(M)) where N is the number of elements in the grid-aligned "
                      "bounding box area around the shape provided as the filter and M is the "
                      "number of items inside the shape")
_RADIUS_COMPLEXITY = ("O(N+log(M)) where N is the number of elements inside the bounding box "
                      "of the circular area delimited by center and radius and M is the number "
                      "of items inside the index.")


@command("GEOSEARCH", arity=-7, flags="readonly", keys=(1, 1, 1), group=_GROUP,
         summary="Query a sorted set representing a geospatial index to fetch members "
                 "inside an area of a box or a circle.", since="6.2.0",
         complexity=_SEARCH_COMPLEXITY)
def geosearch(ctx, *args):
    return _search_command(ctx, b"geosearch", args, 1, _GEOSEARCH)


@command("GEOSEARCHSTORE", arity=-8, flags="write denyoom", keys=(1, 2, 1), group=_GROUP,
         summary="Query a sorted set representing a geospatial index to fetch members "
                 "inside an area of a box or a circle, and store the result in another "
                 "key.", since="6.2.0", complexity=_SEARCH_COMPLEXITY,
         write_keys=lambda argv: [argv[1]])
def geosearchstore(ctx, *args):
    return _search_command(ctx, b"geosearchstore", args, 2, _GEOSEARCH | _GEOSEARCHSTORE)


@command("GEORADIUS", arity=-6, flags="write denyoom", keys=(1, 1, 1), group=_GROUP,
         summary="Query a sorted set representing a geospatial index to fetch members "
                 "matching a given maximum distance from a point", since="3.2.0",
         complexity=_RADIUS_COMPLEXITY, getkeys=_radius_keys, write_keys=_radius_written)
def georadius(ctx, *args):
    return _search_command(ctx, b"georadius", args, 1, _BY_COORDS)


@command("GEORADIUSBYMEMBER", arity=-5, flags="write denyoom", keys=(1, 1, 1),
         group=_GROUP,
         summary="Query a sorted set representing a geospatial index to fetch members "
                 "matching a given maximum distance from a member", since="3.2.0",
         complexity=_RADIUS_COMPLEXITY, getkeys=_radius_keys, write_keys=_radius_written)
def georadiusbymember(ctx, *args):
    return _search_command(ctx, b"georadiusbymember", args, 1, _BY_MEMBER)


@command("GEORADIUS_RO", arity=-6, flags="readonly", keys=(1, 1, 1), group=_GROUP,
         summary="A read-only variant for GEORADIUS", since="3.2.10",
         complexity=_RADIUS_COMPLEXITY)
def georadius_ro(ctx, *args):
    return _search_command(ctx, b"georadius_ro", args, 1, _BY_COORDS | _NO_STORE)


@command("GEORADIUSBYMEMBER_RO", arity=-5, flags="readonly", keys=(1, 1, 1), group=_GROUP,
         summary="A read-only variant for GEORADIUSBYMEMBER", since="3.2.10",
         complexity=_RADIUS_COMPLEXITY)
def georadiusbymember_ro(ctx, *args):
    return _search_command(ctx, b"georadiusbymember_ro", args, 1, _BY_MEMBER | _NO_STORE)
