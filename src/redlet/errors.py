"""Every error reply redlet sends, in one place, worded as Redis 7.0 words them.

A handler raises ``ReplyError(MSG)``; the dispatcher turns it into ``-MSG``.
Messages start with their error code (``ERR``, ``WRONGTYPE``...).
"""


class ReplyError(Exception):
    """An error reply. ``str(e)`` is the full message, e.g. ``ERR syntax error``."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    @property
    def code(self):
        return self.message.split(" ", 1)[0]


class ProtocolError(Exception):
    """The client sent bytes that are not RESP; the connection is closed."""


# generic
SYNTAX = "ERR syntax error"
NOT_INTEGER = "ERR value is not an integer or out of range"
NOT_FLOAT = "ERR value is not a valid float"
OVERFLOW = "ERR increment or decrement would overflow"
INCR_NAN_INF = "ERR increment would produce NaN or Infinity"
WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
NO_SUCH_KEY = "ERR no such key"
INVALID_EXPIRE = "ERR invalid expire time in '%s' command"
DB_INDEX_OUT_OF_RANGE = "ERR DB index is out of range"
INVALID_DB_INDEX = "ERR invalid DB index"
SAME_OBJECT = "ERR source and destination objects are the same"
UNKNOWN_COMMAND = "ERR unknown command '%s', with args beginning with: %s"
UNKNOWN_SUBCOMMAND = "ERR unknown subcommand '%s'. Try %s HELP."
WRONG_ARITY = "ERR wrong number of arguments for '%s' command"
NOAUTH = "NOAUTH Authentication required."
WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled."
AUTH_NOT_CONFIGURED = (
    "ERR AUTH <password> called without any password configured for the default user. "
    "Are you sure your configuration is correct?"
)
NOPROTO = "NOPROTO unsupported protocol version"
OOM = "OOM command not allowed when used memory > 'maxmemory'."
STRING_TOO_LONG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
BIT_OFFSET = "ERR bit offset is not an integer or out of range"
BIT_VALUE = "ERR bit is not an integer or out of range"
OFFSET_OUT_OF_RANGE = "ERR offset is out of range"
TIMEOUT_NOT_FLOAT = "ERR timeout is not a float or out of range"
TIMEOUT_NEGATIVE = "ERR timeout is negative"
INDEX_OUT_OF_RANGE = "ERR index out of range"
CURSOR_INVALID = "ERR invalid cursor"
MUST_BE_POSITIVE = "ERR value is out of range, must be positive"
NESTED_MULTI = "ERR MULTI calls can not be nested"
EXEC_WITHOUT_MULTI = "ERR EXEC without MULTI"
DISCARD_WITHOUT_MULTI = "ERR DISCARD without MULTI"
WATCH_IN_MULTI = "ERR WATCH inside MULTI is not allowed"
EXECABORT = "EXECABORT Transaction discarded because of previous errors."
MISCONF = (
    "MISCONF Errors writing to the AOF file: %s"
)
CLIENT_NAME_SPACES = "ERR Client names cannot contain spaces, newlines or special characters."
MAX_CLIENTS = "ERR max number of clients reached"
ONLY_IN_SUBSCRIBE = (
    "ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET "
    "are allowed in this context"
)
BUSY = (
    "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
)
NOSCRIPT = "NOSCRIPT No matching script. Please use EVAL."
UNSUPPORTED_CONFIG = "ERR Unknown option or number of arguments for CONFIG SET - '%s'"

# keys
INT_OUT_OF_RANGE = "ERR value is out of range, value must between %d and %d"
EXPIRE_UNSUPPORTED_OPTION = "ERR Unsupported option %s"
EXPIRE_NX_CONFLICT = "ERR NX and XX, GT or LT options at the same time are not compatible"
EXPIRE_GT_LT_CONFLICT = "ERR GT and LT options at the same time are not compatible"
OBJECT_IDLETIME_LFU = (
    "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
    "switching between policies at runtime LRU and LFU data will take some time to adjust."
)
OBJECT_FREQ_NOT_LFU = (
    "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
    "that when switching between policies at runtime LRU and LFU data will take some time "
    "to adjust."
)

# strings
DECREMENT_OVERFLOW = "ERR decrement would overflow"
BIT_ARGUMENT = "ERR The bit argument must be 1 or 0."
BITOP_NOT_SINGLE_KEY = "ERR BITOP NOT must be called with a single source key."
BITFIELD_TYPE = (
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported "
    "but i64 is."
)
BITFIELD_OVERFLOW_TYPE = "ERR Invalid OVERFLOW type specified"
BITFIELD_RO_GET_ONLY = "ERR BITFIELD_RO only supports the GET subcommand"
LCS_NOT_STRINGS = "ERR The specified keys must contain string values"
LCS_LEN_AND_IDX = "ERR If you want both the length and indexes, please just use IDX."
LCS_TOO_LONG = "ERR String too long for LCS"
LCS_NO_MEMORY = "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"

# hashes and sets
HASH_VALUE_NOT_INTEGER = "ERR hash value is not an integer"
HASH_VALUE_NOT_FLOAT = "ERR hash value is not a float"
VALUE_NAN_OR_INF = "ERR value is NaN or Infinity"
VALUE_OUT_OF_RANGE = "ERR value is out of range"
NUMKEYS_NOT_POSITIVE = "ERR numkeys should be greater than 0"
NUMKEYS_TOO_MANY = "ERR Number of keys can't be greater than number of args"
LIMIT_NEGATIVE = "ERR LIMIT can't be negative"
