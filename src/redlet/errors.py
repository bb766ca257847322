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

# scripting (EVAL, FUNCTION)
BUSY_FUNCTION = (
    "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."
)
NUMKEYS_NEGATIVE = "ERR Number of keys can't be negative"
FUNCTION_NOT_FOUND = "ERR Function not found"

# streams
STREAM_INVALID_ID = "ERR Invalid stream ID specified as stream command argument"
XADD_ID_ZERO = "ERR The ID specified in XADD must be greater than 0-0"
XADD_ID_TOO_SMALL = "ERR The ID specified in XADD is equal or smaller than the target stream top item"
STREAM_EXHAUSTED = "ERR The stream has exhausted the last possible ID, unable to add more items"
STREAM_MAXLEN_NEGATIVE = "ERR The MAXLEN argument must be >= 0."
STREAM_LIMIT_NEGATIVE = "ERR The LIMIT argument must be >= 0."
STREAM_LIMIT_WITHOUT_APPROX = "ERR syntax error, LIMIT cannot be used without the special ~ option"
STREAM_LIMIT_WITHOUT_STRATEGY = (
    "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy")
STREAM_MAXLEN_AND_MINID = (
    "ERR syntax error, MAXLEN and MINID options at the same time are not compatible")
XTRIM_NO_STRATEGY = "ERR syntax error, XTRIM must be called with a trimming strategy"
STREAM_INTERVAL_START = "ERR invalid start ID for the interval"
STREAM_INTERVAL_END = "ERR invalid end ID for the interval"
XREAD_UNBALANCED = (
    "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.")
XREAD_GROUP_OPTION = "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead."
XREAD_NOACK_OPTION = "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead."
XREADGROUP_MISSING_GROUP = "ERR Missing GROUP option for XREADGROUP"
XREADGROUP_NOGROUP = ("NOGROUP No such key '%s' or consumer group '%s' in XREADGROUP with GROUP "
                      "option")
XREADGROUP_DOLLAR = (
    "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of "
    "this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID "
    "would just return an empty result set.")
XREAD_BLOCK_IN_SCRIPT = "ERR %s command is not allowed with BLOCK option from scripts"
XREAD_GREATER = ("ERR The > ID can be specified only when calling XREADGROUP using the GROUP "
                 "<group> <consumer> option.")
TIMEOUT_NOT_INTEGER = "ERR timeout is not an integer or out of range"
XREADGROUP_GROUP_GONE = "NOGROUP the consumer group this client was blocked on no longer exists"
XREADGROUP_KEY_GONE = "UNBLOCKED the stream key no longer exists"
XGROUP_KEY_REQUIRED = (
    "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to "
    "use the MKSTREAM option to create an empty stream automatically.")
NOGROUP_FOR_KEY = "NOGROUP No such consumer group '%s' for key name '%s'"
NOGROUP_KEY_OR_GROUP = "NOGROUP No such key '%s' or consumer group '%s'"
BUSYGROUP = "BUSYGROUP Consumer Group name already exists"
ENTRIESREAD_INVALID = "ERR value for ENTRIESREAD must be positive or -1"
SUBCOMMAND_SYNTAX = "ERR unknown subcommand or wrong number of arguments for '%s'. Try %s HELP."
XCLAIM_MIN_IDLE = "ERR Invalid min-idle-time argument for XCLAIM"
XCLAIM_IDLE = "ERR Invalid IDLE option argument for XCLAIM"
XCLAIM_TIME = "ERR Invalid TIME option argument for XCLAIM"
XCLAIM_RETRYCOUNT = "ERR Invalid RETRYCOUNT option argument for XCLAIM"
XCLAIM_UNKNOWN_OPTION = "ERR Unrecognized XCLAIM option '%s'"
XAUTOCLAIM_MIN_IDLE = "ERR Invalid min-idle-time argument for XAUTOCLAIM"
XAUTOCLAIM_COUNT = "ERR COUNT must be > 0"
XAUTOCLAIM_COUNT_TOO_HIGH = (
    "ERR Insufficient memory, failed allocating transient memory, COUNT too high.")
XSETID_TOO_SMALL = "ERR The ID specified in XSETID is smaller than the target stream top item"
XSETID_ENTRIES_ADDED_SMALL = (
    "ERR The entries_added specified in XSETID is smaller than the target stream length")
XSETID_BELOW_MAX_DELETED = (
    "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id")
XSETID_ENTRIES_ADDED_NEGATIVE = "ERR entries_added must be positive"

# transactions and pub/sub
NOT_IN_MULTI = "ERR Command not allowed inside a transaction"
EXECABORT_BECAUSE = "EXECABORT Transaction discarded because of: %s"
NOTIFY_EVENTS_INVALID = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."
SSUBSCRIBE_DENY_BLOCKING = "ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client"

# sorted sets
ZADD_XX_NX = "ERR XX and NX options at the same time are not compatible"
ZADD_GT_LT_NX = "ERR GT, LT, and/or NX options at the same time are not compatible"
ZADD_INCR_PAIR = "ERR INCR option supports a single increment-element pair"
ZSCORE_NAN = "ERR resulting score is not a number (NaN)"
ZRANGE_NOT_FLOAT = "ERR min or max is not a float"
ZRANGE_NOT_LEX = "ERR min or max not valid string range item"
ZRANGE_LIMIT_RANK = (
    "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
ZRANGE_WITHSCORES_BYLEX = "ERR syntax error, WITHSCORES not supported in combination with BYLEX"
ZSET_NO_INPUT_KEY = "ERR at least 1 input key is needed for '%s' command"
WEIGHT_NOT_FLOAT = "ERR weight value is not a float"
COUNT_NOT_POSITIVE = "ERR count should be greater than 0"

# lists
LPOS_RANK_ZERO = (
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
    "or use negative to start from the end of the list"
)
LPOS_COUNT_NEGATIVE = "ERR COUNT can't be negative"
LPOS_MAXLEN_NEGATIVE = "ERR MAXLEN can't be negative"

# operations (SLOWLOG, CLIENT PAUSE)
SLOWLOG_COUNT = "ERR count should be greater than or equal to -1"

MISCONF_RDB = (
    "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist "
    "to disk. Commands that may modify the data set are disabled, because this instance is "
    "configured to report errors during writes if RDB snapshotting fails "
    "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about the "
    "RDB error.")


# protected mode (no password for the default user, a client not on loopback)
PROTECTED_MODE_DENIED = (
    "DENIED Redis is running in protected mode because protected mode is enabled and no "
    "password is set for the default user. In this mode connections are only accepted from "
    "the loopback interface. If you want to connect from external computers to Redis you may "
    "adopt one of the following solutions: 1) Just disable protected mode sending the command "
    "'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from "
    "the same host the server is running, however MAKE SURE Redis is not publicly accessible "
    "from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) "
    "Alternatively you can just disable the protected mode by editing the Redis configuration "
    "file, and setting the protected mode option to 'no', and then restarting the server. 3) "
    "If you started the server manually just for testing, restart it with the "
    "'--protected-mode no' option. 4) Setup a an authentication password for the default "
    "user. NOTE: You only need to do one of the above things in order for the server to start "
    "accepting connections from the outside.")
MAX_CLIENTS = "ERR max number of clients reached"

# ACL (redlet.acl)
NOPERM_COMMAND = "NOPERM this user has no permissions to run the '%s' command"
NOPERM_EXEC = ("NOPERM ACLs rules changed between the moment the transaction was accumulated "
               "and the EXEC call. This command is no longer allowed for the following "
               "reason: %s")
NOPERM_KEY = "NOPERM this user has no permissions to access one of the keys used as arguments"
NOPERM_CHANNEL = ("NOPERM this user has no permissions to access one of the channels used as "
                  "arguments")
ACL_NO_FILE = (
    "ERR This Redis instance is not configured to use an ACL file. You may want to specify "
    "users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a "
    "Redis configuration file set) in order to store users in the Redis configuration.")
ACL_DEFAULT_UNDELETABLE = "ERR The 'default' user cannot be removed"
ACL_GENPASS_BITS = ("ERR ACL GENPASS argument must be the number of bits for the output "
                    "password, a positive number up to 4096")
ACL_UNKNOWN_CATEGORY = "ERR Unknown category '%s'"
ACL_USER_NOT_FOUND = "ERR User '%s' not found"
ACL_COMMAND_NOT_FOUND = "ERR Command '%s' not found"

# HyperLogLog (commands.hyperloglog)
HLL_WRONGTYPE = "WRONGTYPE Key is not a valid HyperLogLog string value."
HLL_INVALIDOBJ = "INVALIDOBJ Corrupted HLL object detected"
PFDEBUG_NO_KEY = "ERR The specified key does not exist"
PFDEBUG_NOT_SPARSE = "ERR HLL encoding is not sparse"
PFDEBUG_UNKNOWN = "ERR Unknown PFDEBUG subcommand '%s'"
PFSELFTEST_REGISTER = "TESTFAILED Register %d should be %d but is %d"
PFSELFTEST_NOT_SPARSE = "TESTFAILED sparse encoding not used"
PFSELFTEST_DISAGREE = "TESTFAILED dense/sparse disagree"
PFSELFTEST_ERROR = "TESTFAILED Too big error. card:%d abserr:%d"

# geo
GEO_INVALID_LON_LAT = "ERR invalid longitude,latitude pair %f,%f"
GEO_UNSUPPORTED_UNIT = "ERR unsupported unit provided. please use M, KM, FT, MI"
GEO_RADIUS_NOT_NUMERIC = "ERR need numeric radius"
GEO_RADIUS_NEGATIVE = "ERR radius cannot be negative"
GEO_WIDTH_NOT_NUMERIC = "ERR need numeric width"
GEO_HEIGHT_NOT_NUMERIC = "ERR need numeric height"
GEO_BOX_NEGATIVE = "ERR height or width cannot be negative"
GEO_MEMBER_NOT_FOUND = "ERR could not decode requested zset member"
GEO_COUNT_NOT_POSITIVE = "ERR COUNT must be > 0"
GEO_STORE_WITH_OPTIONS = "ERR %s is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
GEO_NEED_FROM = "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for %s"
GEO_NEED_BY = "ERR exactly one of BYRADIUS and BYBOX can be specified for %s"
GEO_ANY_NEEDS_COUNT = "ERR the ANY argument requires COUNT argument"

# CONFIG SET: the parameter's name and the reason
CONFIG_SET_FAILED = "ERR CONFIG SET failed (possibly related to argument '%s') - %s"
# COMMAND GETKEYS / GETKEYSANDFLAGS
GETKEYS_INVALID_COMMAND = "ERR Invalid command specified"
GETKEYS_NO_KEYS = "ERR The command has no key arguments"
GETKEYS_ARITY = "ERR Invalid number of arguments specified for command"
GETKEYS_INVALID = "ERR Invalid arguments specified for command"
