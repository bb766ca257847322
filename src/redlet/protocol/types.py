"""Reply value types that plain Python types cannot express.

Handlers return ordinary Python values and the encoder maps them:

=================  ==========================  ===========================
Python value       RESP3                       RESP2
=================  ==========================  ===========================
bytes              ``$`` bulk string           same
int                ``:`` integer               same
None               ``_`` null                  ``$-1`` null bulk
NULL_ARRAY         ``_`` null                  ``*-1`` null array
float              ``,`` double                bulk string (``%.17g``)
bool               ``#`` boolean               ``:1`` / ``:0``
list / tuple       ``*`` array                 same
dict               ``%`` map                   flat array of key, value
RespSet            ``~`` set                   array
Status             ``+`` simple string         same
ReplyError         ``-`` error                 same
Verbatim           ``=`` verbatim text         bulk string
Push               ``>`` push                  array
Raw                the bytes as they are       same
=================  ==========================  ===========================
"""


class Status(bytes):
    """A simple string reply (``+OK``)."""
    __slots__ = ()


class Verbatim(bytes):
    """A verbatim text reply (``=``, format ``txt``); a bulk string in RESP2."""
    __slots__ = ()


class Raw(bytes):
    """Already-encoded protocol bytes, sent as they are."""
    __slots__ = ()


class RespSet(list):
    """An unordered collection: ``~`` in RESP3, an array in RESP2.

    A list subclass so that it may hold unhashable members (nested arrays)
    when it is a client's typed value.
    """
    __slots__ = ()


class Push(list):
    """An out-of-band push message (pub/sub): ``>`` in RESP3."""
    __slots__ = ()


class Replies(list):
    """Several consecutive replies to one command (SUBSCRIBE a b)."""
    __slots__ = ()


class _NoReply:
    __slots__ = ()

    def __repr__(self):
        return "NO_REPLY"


NO_REPLY = _NoReply()       # nothing to send now (a blocked command)


class _NullArray:
    __slots__ = ()

    def __repr__(self):
        return "NULL_ARRAY"


NULL_ARRAY = _NullArray()

OK = Status(b"OK")
QUEUED = Status(b"QUEUED")
PONG = Status(b"PONG")
