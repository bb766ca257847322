"""Sans-IO RESP2/RESP3 codec shared by the server, the client and the tests."""
from .encoder import encode, encode_command, encode_into, encode_typed, format_double
from .parser import (PythonRequestParser, HiredisRequestParser, RequestProtocolError,
                     make_parser, split_args, TypedRequest)
from .types import NO_REPLY, NULL_ARRAY, Replies, OK, PONG, QUEUED, Push, Raw, RespSet, Status, Verbatim


def parse_typed(data):
    """Parse one RESP3 element encoded by ``encode_typed``; raises ValueError."""
    p = PythonRequestParser(max_bulk_len=2 ** 62)
    p._buf += data
    try:
        value, end = p._element(0, 0)
    except RequestProtocolError as e:
        raise ValueError(e.reply) from None
    except Exception:
        raise ValueError("truncated typed value") from None
    if end != len(data):
        raise ValueError("trailing bytes after typed value")
    return value


__all__ = [
    "encode", "encode_command", "encode_into", "encode_typed", "format_double",
    "parse_typed", "PythonRequestParser", "HiredisRequestParser", "RequestProtocolError",
    "make_parser", "split_args", "TypedRequest", "NO_REPLY", "NULL_ARRAY", "Replies", "OK", "PONG", "QUEUED", "Push", "Raw",
    "RespSet", "Status", "Verbatim",
]
