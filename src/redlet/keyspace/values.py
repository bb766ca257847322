"""Value types stored in the keyspace.

A key's value is one of these; the type is found with ``type(v)`` (never
``isinstance`` on the hot path).  Strings are plain ``bytes`` so that a
database of strings costs no more than a dict of bytes.

* ``bytes``        string
* ``ListValue``    list (a deque: O(1) push/pop at both ends)
* ``HashValue``    hash (a dict of bytes to bytes)
* ``SetValue``     set (a set of bytes)
* ``ZSetValue``    sorted set (``zset.py``)
* ``TypedValue``   a native typed value sent by a RESP3 client (int, float,
                   None, bool, list, dict, RespSet, nested); see
                   ``protocol.types``.
"""
from collections import deque


class ListValue(deque):
    __slots__ = ()


class HashValue(dict):
    __slots__ = ()


class SetValue(set):
    __slots__ = ()


class TypedValue:
    """A non-bytes value stored natively (the seed's typed values)."""
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __eq__(self, other):
        return type(other) is TypedValue and other.value == self.value

    def __repr__(self):
        return f"TypedValue({self.value!r})"
