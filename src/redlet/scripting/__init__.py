"""Lua scripting: EVAL scripts and FUNCTION libraries on Lua 5.1 (lupa).

``engine`` holds the runtime (``Scripting``, one per server engine), the
sandbox and the ``redis`` library are Lua code in ``_sandbox``, the
preloaded libraries (cjson, cmsgpack, bit, struct) in ``_libs``, the
FUNCTION DUMP format in ``payload``.  The command handlers live in
``commands/scripting.py``.
"""
from .engine import Scripting, scripting_of

__all__ = ["Scripting", "scripting_of"]
