"""Command documentation: what ``COMMAND DOCS`` says of each command (Redis 7.0).

The declarations elsewhere give a command's summary, since, group and
complexity; this module holds the rest: its arguments, history, deprecation
and doc flags, plus Redis' wording where a declaration's text differs from it.
``Command.docs`` reads them from here on first use.  The values are Redis
7.0's (read from ``COMMAND DOCS`` of redis-server).

Our notation for the arguments, one string per command, the arguments in
order, separated by spaces::

    key:key value [condition(NX|XX)]@2.6.12 [GET]@6.2.0 [KEEPTTL]
    [LIMIT offset_count{offset:int count:int}] [GET pattern:pattern]+...

* ``name`` is a string argument; ``name:type`` another type: ``key``,
  ``int`` (integer), ``double``, ``pattern``, ``unix`` (unix-time).  A key's
  ``key_spec_index`` is the one after the previous key's (0 for the first);
  ``name:key#N`` says it when it is not, and ``name:type#N`` gives one to an
  argument of another type (SORT's BY pattern names keys of spec 1).  Names
  that are not lower-case words are quoted: ``'ip:port'``.
* ``NX`` (an upper-case word) is a pure token named ``nx``; ``name=TOKEN`` a
  pure token with another name (``sorting=ALPHA``, ``auto_id='*'``).
* ``TOKEN arg`` gives an argument its token: ``EX seconds:int``.  (So a
  required pure token before a plain argument is written ``name=TOKEN``.)
* ``name(a|b|c)`` is a oneof of the arguments a, b, c; ``name{a b c}`` a block.
* ``[arg]`` is optional; ``arg...`` multiple; ``arg+...`` multiple with the
  token repeated (multiple_token); ``arg@7.0.0`` gives its since,
  ``arg!2.8.12`` its deprecated_since (after the brackets: ``[GET]@6.2.0``).

``HISTORY`` maps a command's full name to its (version, change) pairs;
``DEPRECATED`` to (deprecated_since, replaced_by), which also gives it the
``deprecated`` doc flag; ``DOC_FLAGS`` to other doc flags (``syscmd``);
``TEXT`` (name, field) to Redis' summary or complexity where ours differs.  A
container without a complexity of its own has "Depends on subcommand.".
"""
import re

# -- the tables ------------------------------------------------------------------------------
ARGUMENTS = {
    "acl|cat": "[categoryname]",
    "acl|deluser": "username...",
    "acl|dryrun": "username command [arg]...",
    "acl|genpass": "[bits:int]",
    "acl|getuser": "username",
    "acl|log": "[operation(count:int|RESET)]",
    "acl|setuser": "username [rule]...",
    "append": "key:key value",
    "auth": "[username]@6.0.0 password",
    "bgsave": "[SCHEDULE]@3.2.2",
    "bitcount": "key:key [index{start:int end:int [index_unit(BYTE|BIT)]@7.0.0}]",
    "bitfield":
        "key:key [operation(GET encoding_offset{encoding offset:int}|write{[OVERFLOW "
        "wrap_sat_fail(WRAP|SAT|FAIL)] write_operation(SET encoding_offset_value{encoding "
        "offset:int value:int}|INCRBY encoding_offset_increment{encoding offset:int "
        "increment:int})})]...",
    "bitfield_ro": "key:key [GET encoding_offset{encoding offset:int}]+...",
    "bitop": "operation destkey:key key:key...",
    "bitpos":
        "key:key bit:int [index{start:int [end_index{end:int [index_unit(BYTE|BIT)]@7.0.0}]}]",
    "blmove":
        "source:key destination:key wherefrom(LEFT|RIGHT) whereto(LEFT|RIGHT) timeout:double",
    "blmpop": "timeout:double numkeys:int key:key... where(LEFT|RIGHT) [COUNT count:int]",
    "blpop": "key:key... timeout:double",
    "brpop": "key:key... timeout:double",
    "brpoplpush": "source:key destination:key timeout:double",
    "bzmpop": "timeout:double numkeys:int key:key... where(MIN|MAX) [COUNT count:int]",
    "bzpopmax": "key:key... timeout:double",
    "bzpopmin": "key:key... timeout:double",
    "client|kill":
        "filter('ip:port'!2.8.12|new-format([ID client-id:int]@2.8.12|[TYPE "
        "normal_master_slave_pubsub(NORMAL|MASTER@3.2.0|SLAVE|REPLICA@5.0.0|PUBSUB)]@2.8.12|[USER "
        "username]|[ADDR 'ip:port']|[LADDR 'ip:port']@6.2.0|[SKIPME 'yes/no'])...)",
    "client|list":
        "[TYPE normal_master_replica_pubsub(NORMAL|MASTER|REPLICA|PUBSUB)]@5.0.0 [ID "
        "id{client-id:int...}]@6.2.0",
    "client|no-evict": "enabled(ON|OFF)",
    "client|pause": "timeout:int [mode(WRITE|ALL)]@6.2.0",
    "client|reply": "on_off_skip(ON|OFF|SKIP)",
    "client|setinfo": "attr(LIB-NAME libname|LIB-VER libver)",     # Redis 7.2
    "client|setname": "connection-name",
    "client|unblock": "client-id:int [timeout_error(TIMEOUT|ERROR)]",
    "cluster|addslots": "slot:int...",
    "cluster|addslotsrange": "start-slot_end-slot{start-slot:int end-slot:int}...",
    "cluster|count-failure-reports": "node-id",
    "cluster|countkeysinslot": "slot:int",
    "cluster|delslots": "slot:int...",
    "cluster|delslotsrange": "start-slot_end-slot{start-slot:int end-slot:int}...",
    "cluster|failover": "[options(FORCE|TAKEOVER)]",
    "cluster|forget": "node-id",
    "cluster|getkeysinslot": "slot:int count:int",
    "cluster|keyslot": "key",
    "cluster|meet": "ip port:int [cluster_bus_port:int]@4.0.0",
    "cluster|replicas": "node-id",
    "cluster|replicate": "node-id",
    "cluster|reset": "[hard_soft(HARD|SOFT)]",
    "cluster|set-config-epoch": "config-epoch:int",
    "cluster|setslot":
        "slot:int subcommand(IMPORTING node-id|MIGRATING node-id|NODE node-id|STABLE)",
    "cluster|slaves": "node-id",
    "command|docs": "[command-name]...",
    "command|info": "[command-name]...",
    "command|list":
        "[FILTERBY filterby(MODULE module-name|ACLCAT category|PATTERN pattern:pattern)]",
    "config|get": "parameter{parameter}...",
    "config|set": "parameter_value{parameter value}...",
    "copy": "source:key destination:key [DB destination-db:int] [REPLACE]",
    "decr": "key:key",
    "decrby": "key:key decrement:int",
    "del": "key:key...",
    "delete": "key:key...",       # redlet: the seed server's DEL
    "dump": "key:key",
    "echo": "message",
    "eval": "script numkeys:int [key:key]... [arg]...",
    "eval_ro": "script numkeys:int [key:key]... [arg]...",
    "evalsha": "sha1 numkeys:int [key:key]... [arg]...",
    "evalsha_ro": "sha1 numkeys:int [key:key]... [arg]...",
    "exists": "key:key...",
    "expire": "key:key seconds:int [condition(NX|XX|GT|LT)]@7.0.0",
    "expireat": "key:key unix-time-seconds:unix [condition(NX|XX|GT|LT)]@7.0.0",
    "expiretime": "key:key",
    "fcall": "function numkeys:int [key:key]... [arg]...",
    "fcall_ro": "function numkeys:int [key:key]... [arg]...",
    "flushall": "[async(ASYNC@4.0.0|SYNC@6.2.0)]",
    "flushdb": "[async(ASYNC@4.0.0|SYNC@6.2.0)]",
    "function|delete": "library-name",
    "function|flush": "[async(ASYNC|SYNC)]",
    "function|list": "[LIBRARYNAME library-name-pattern] [WITHCODE]",
    "function|load": "[REPLACE] function-code",
    "function|restore": "serialized-value [policy(FLUSH|APPEND|REPLACE)]",
    "geoadd":
        "key:key [condition(NX|XX)]@6.2.0 [change=CH]@6.2.0 "
        "longitude_latitude_member{longitude:double latitude:double member}...",
    "geodist": "key:key member1 member2 [unit(M|KM|FT|MI)]",
    "geohash": "key:key member...",
    "geopos": "key:key member...",
    "georadius":
        "key:key longitude:double latitude:double radius:double unit(M|KM|FT|MI) [WITHCOORD] "
        "[WITHDIST] [WITHHASH] [count{COUNT count:int [ANY]@6.2.0}] [order(ASC|DESC)] "
        "[STORE key:key] [STOREDIST key:key]",
    "georadius_ro":
        "key:key longitude:double latitude:double radius:double unit(M|KM|FT|MI) [WITHCOORD] "
        "[WITHDIST] [WITHHASH] [count{COUNT count:int [ANY]@6.2.0}] [order(ASC|DESC)]",
    "georadiusbymember":
        "key:key member radius:double unit(M|KM|FT|MI) [WITHCOORD] [WITHDIST] [WITHHASH] "
        "[count{COUNT count:int [ANY]}] [order(ASC|DESC)] [STORE key:key] [STOREDIST key:key]",
    "georadiusbymember_ro":
        "key:key member radius:double unit(M|KM|FT|MI) [WITHCOORD] [WITHDIST] [WITHHASH] "
        "[count{COUNT count:int [ANY]}] [order(ASC|DESC)]",
    "geosearch":
        "key:key from(FROMMEMBER member|FROMLONLAT longitude_latitude{longitude:double "
        "latitude:double}) by(circle{BYRADIUS radius:double unit(M|KM|FT|MI)}|box{BYBOX "
        "width:double height:double unit(M|KM|FT|MI)}) [order(ASC|DESC)] [count{COUNT "
        "count:int [ANY]}] [WITHCOORD] [WITHDIST] [WITHHASH]",
    "geosearchstore":
        "destination:key source:key from(FROMMEMBER member|FROMLONLAT "
        "longitude_latitude{longitude:double latitude:double}) by(circle{BYRADIUS "
        "radius:double unit(M|KM|FT|MI)}|box{BYBOX width:double height:double "
        "unit(M|KM|FT|MI)}) [order(ASC|DESC)] [count{COUNT count:int [ANY]}] [STOREDIST]",
    "get": "key:key",
    "getbit": "key:key offset:int",
    "getdel": "key:key",
    "getex":
        "key:key [expiration(EX seconds:int|PX milliseconds:int|EXAT unix-time-seconds:unix|PXAT "
        "unix-time-milliseconds:unix|PERSIST)]",
    "getrange": "key:key start:int end:int",
    "getset": "key:key value",
    "hdel": "key:key field...",
    "hello":
        "[arguments{protover:int [AUTH username_password{username password}] [SETNAME "
        "clientname]}]",
    "hexists": "key:key field",
    "hget": "key:key field",
    "hgetall": "key:key",
    "hincrby": "key:key field increment:int",
    "hincrbyfloat": "key:key field increment:double",
    "hkeys": "key:key",
    "hlen": "key:key",
    "hmget": "key:key field...",
    "hmset": "key:key field_value{field value}...",
    "hrandfield": "key:key [options{count:int [WITHVALUES]}]",
    "hscan": "key:key cursor:int [MATCH pattern:pattern] [COUNT count:int]",
    "hset": "key:key field_value{field value}...",
    "hsetnx": "key:key field value",
    "hstrlen": "key:key field",
    "hvals": "key:key",
    "incr": "key:key",
    "incrby": "key:key increment:int",
    "incrbyfloat": "key:key increment:double",
    "info": "[section]...",
    "keys": "pattern:pattern",
    "latency|graph": "event",
    "latency|history": "event",
    "latency|reset": "[event]...",
    "lcs": "key1:key key2:key#0 [LEN] [IDX] [MINMATCHLEN len:int] [WITHMATCHLEN]",
    "lindex": "key:key index:int",
    "linsert": "key:key where(BEFORE|AFTER) pivot element",
    "llen": "key:key",
    "lmove": "source:key destination:key wherefrom(LEFT|RIGHT) whereto(LEFT|RIGHT)",
    "lmpop": "numkeys:int key:key... where(LEFT|RIGHT) [COUNT count:int]",
    "lolwut": "[VERSION version:int]",
    "lpop": "key:key [count:int]@6.2.0",
    "lpos": "key:key element [RANK rank:int] [COUNT num-matches:int] [MAXLEN len:int]",
    "lpush": "key:key element...",
    "lpushx": "key:key element...",
    "lrange": "key:key start:int stop:int",
    "lrem": "key:key count:int element",
    "lset": "key:key index:int element",
    "ltrim": "key:key start:int stop:int",
    "memory|usage": "key:key [SAMPLES count:int]",
    "mget": "key:key...",
    "module|load": "path [arg]...",
    "module|loadex": "path [CONFIG configs{name value}]+... [ARGS args{arg}]...",
    "module|unload": "name",
    "move": "key:key db:int",
    "mset": "key_value{key:key value}...",
    "msetnx": "key_value{key:key value}...",
    "object|encoding": "key:key",
    "object|freq": "key:key",
    "object|idletime": "key:key",
    "object|refcount": "key:key",
    "persist": "key:key",
    "pexpire": "key:key milliseconds:int [condition(NX|XX|GT|LT)]@7.0.0",
    "pexpireat": "key:key unix-time-milliseconds:unix [condition(NX|XX|GT|LT)]@7.0.0",
    "pexpiretime": "key:key",
    "pfadd": "key:key [element]...",
    "pfcount": "key:key...",
    "pfdebug": "subcommand key:key",
    "pfmerge": "destkey:key sourcekey:key...",
    "ping": "[message]",
    "psetex": "key:key milliseconds:int value",
    "psubscribe": "pattern{pattern:pattern}...",
    "pttl": "key:key",
    "publish": "channel message",
    "pubsub|channels": "[pattern:pattern]",
    "pubsub|numsub": "[channel]...",
    "pubsub|shardchannels": "[pattern:pattern]",
    "pubsub|shardnumsub": "[shardchannel]...",
    "punsubscribe": "[pattern:pattern]...",
    "rename": "key:key newkey:key",
    "renamenx": "key:key newkey:key",
    "restore":
        "key:key ttl:int serialized-value [REPLACE]@3.0.0 [ABSTTL]@5.0.0 [IDLETIME "
        "seconds:int]@5.0.0 [FREQ frequency:int]@5.0.0",
    "rpop": "key:key [count:int]@6.2.0",
    "rpoplpush": "source:key destination:key",
    "rpush": "key:key element...",
    "rpushx": "key:key element...",
    "sadd": "key:key member...",
    "scan": "cursor:int [MATCH pattern:pattern] [COUNT count:int] [TYPE type]@6.0.0",
    "scard": "key:key",
    "script|debug": "mode(YES|SYNC|NO)",
    "script|exists": "sha1...",
    "script|flush": "[async(ASYNC|SYNC)]@6.2.0",
    "script|load": "script",
    "sdiff": "key:key...",
    "sdiffstore": "destination:key key:key...",
    "select": "index:int",
    "set":
        "key:key value [condition(NX|XX)]@2.6.12 [GET]@6.2.0 [expiration(EX seconds:int@2.6.12|PX "
        "milliseconds:int@2.6.12|EXAT unix-time-seconds:unix@6.2.0|PXAT "
        "unix-time-milliseconds:unix@6.2.0|KEEPTTL@6.0.0)]",
    "setbit": "key:key offset:int value:int",
    "setex": "key:key seconds:int value",
    "setnx": "key:key value",
    "setrange": "key:key offset:int value",
    "shutdown": "[nosave_save(NOSAVE|SAVE)] [NOW]@7.0.0 [FORCE]@7.0.0 [ABORT]@7.0.0",
    "sinter": "key:key...",
    "sintercard": "numkeys:int key:key... [LIMIT limit:int]",
    "sinterstore": "destination:key key:key...",
    "sismember": "key:key member",
    "slowlog|get": "[count:int]",
    "smembers": "key:key",
    "smismember": "key:key member...",
    "smove": "source:key destination:key member",
    "sort":
        "key:key [BY pattern:pattern#1] [LIMIT offset_count{offset:int count:int}] [GET "
        "pattern:pattern#1]+... [order(ASC|DESC)] [sorting=ALPHA] [STORE destination:key#2]",
    "sort_ro":
        "key:key [BY pattern:pattern#1] [LIMIT offset_count{offset:int count:int}] [GET "
        "pattern:pattern#1]+... [order(ASC|DESC)] [sorting=ALPHA]",
    "spop": "key:key [count:int]@3.2.0",
    "spublish": "shardchannel message",
    "srandmember": "key:key [count:int]@2.6.0",
    "srem": "key:key member...",
    "sscan": "key:key cursor:int [MATCH pattern:pattern] [COUNT count:int]",
    "ssubscribe": "shardchannel...",
    "strlen": "key:key",
    "subscribe": "channel...",
    "substr": "key:key start:int end:int",
    "sunion": "key:key...",
    "sunionstore": "destination:key key:key...",
    "sunsubscribe": "[shardchannel]...",
    "swapdb": "index1:int index2:int",
    "touch": "key:key...",
    "ttl": "key:key",
    "type": "key:key",
    "unlink": "key:key...",
    "unsubscribe": "[channel]...",
    "wait": "numreplicas:int timeout:int",
    "watch": "key:key...",
    "xack": "key:key group id...",
    "xadd":
        "key:key [NOMKSTREAM]@6.2.0 [trim{strategy(MAXLEN|MINID@6.2.0) "
        "[operator(equal='='|approximately='~')] threshold [LIMIT count:int]@6.2.0}] "
        "id_or_auto(auto_id='*'|id) field_value{field value}...",
    "xautoclaim": "key:key group consumer min-idle-time start [COUNT count:int] [JUSTID]",
    "xclaim":
        "key:key group consumer min-idle-time id... [IDLE ms:int] [TIME "
        "unix-time-milliseconds:unix] [RETRYCOUNT count:int] [FORCE] [JUSTID] [LASTID id]",
    "xdel": "key:key id...",
    "xgroup|create":
        "key:key groupname id(id|new_id='$') [MKSTREAM] [ENTRIESREAD entries_read:int]",
    "xgroup|createconsumer": "key:key groupname consumername",
    "xgroup|delconsumer": "key:key groupname consumername",
    "xgroup|destroy": "key:key groupname",
    "xgroup|setid": "key:key groupname id(id|new_id='$') [ENTRIESREAD entries_read:int]",
    "xinfo|consumers": "key:key groupname",
    "xinfo|groups": "key:key",
    "xinfo|stream": "key:key [FULL full{[COUNT count:int]}]",
    "xlen": "key:key",
    "xpending":
        "key:key group [filters{[IDLE min-idle-time:int]@6.2.0 start end count:int [consumer]}]",
    "xrange": "key:key start end [COUNT count:int]",
    "xread": "[COUNT count:int] [BLOCK milliseconds:int] STREAMS streams{key:key... id...}",
    "xreadgroup":
        "GROUP group_consumer{group consumer} [COUNT count:int] [BLOCK milliseconds:int] [NOACK] "
        "STREAMS streams{key:key... id...}",
    "xrevrange": "key:key end start [COUNT count:int]",
    "xsetid":
        "key:key last-id [ENTRIESADDED entries_added:int]@7.0.0 [MAXDELETEDID "
        "max_deleted_entry_id]@7.0.0",
    "xtrim":
        "key:key trim{strategy(MAXLEN|MINID@6.2.0) [operator(equal='='|approximately='~')] "
        "threshold [LIMIT count:int]@6.2.0}",
    "zadd":
        "key:key [condition(NX|XX)]@3.0.2 [comparison(GT|LT)]@6.2.0 [change=CH]@3.0.2 "
        "[increment=INCR]@3.0.2 score_member{score:double member}...",
    "zcard": "key:key",
    "zcount": "key:key min:double max:double",
    "zdiff": "numkeys:int key:key... [WITHSCORES]",
    "zdiffstore": "destination:key numkeys:int key:key...",
    "zincrby": "key:key increment:int member",
    "zinter":
        "numkeys:int key:key... [WEIGHTS weight:int]... [AGGREGATE aggregate(SUM|MIN|MAX)] "
        "[WITHSCORES]",
    "zintercard": "numkeys:int key:key... [LIMIT limit:int]",
    "zinterstore":
        "destination:key numkeys:int key:key... [WEIGHTS weight:int]... [AGGREGATE "
        "aggregate(SUM|MIN|MAX)]",
    "zlexcount": "key:key min max",
    "zmpop": "numkeys:int key:key... where(MIN|MAX) [COUNT count:int]",
    "zmscore": "key:key member...",
    "zpopmax": "key:key [count:int]",
    "zpopmin": "key:key [count:int]",
    "zrandmember": "key:key [options{count:int [WITHSCORES]}]",
    "zrange":
        "key:key start stop [sortby(BYSCORE|BYLEX)]@6.2.0 [REV]@6.2.0 [LIMIT "
        "offset_count{offset:int count:int}]@6.2.0 [WITHSCORES]",
    "zrangebylex": "key:key min max [LIMIT offset_count{offset:int count:int}]",
    "zrangebyscore":
        "key:key min:double max:double [WITHSCORES]@2.0.0 [LIMIT offset_count{offset:int "
        "count:int}]",
    "zrangestore":
        "dst:key src:key min max [sortby(BYSCORE|BYLEX)] [REV] [LIMIT offset_count{offset:int "
        "count:int}]",
    "zrank": "key:key member",
    "zrem": "key:key member...",
    "zremrangebylex": "key:key min max",
    "zremrangebyrank": "key:key start:int stop:int",
    "zremrangebyscore": "key:key min:double max:double",
    "zrevrange": "key:key start:int stop:int [WITHSCORES]",
    "zrevrangebylex": "key:key max min [LIMIT offset_count{offset:int count:int}]",
    "zrevrangebyscore":
        "key:key max:double min:double [WITHSCORES] [LIMIT offset_count{offset:int count:int}]",
    "zrevrank": "key:key member",
    "zscan": "key:key cursor:int [MATCH pattern:pattern] [COUNT count:int]",
    "zscore": "key:key member",
    "zunion":
        "numkeys:int key:key... [WEIGHTS weight:int]... [AGGREGATE aggregate(SUM|MIN|MAX)] "
        "[WITHSCORES]",
    "zunionstore":
        "destination:key numkeys:int key:key... [WEIGHTS weight:int]... [AGGREGATE "
        "aggregate(SUM|MIN|MAX)]",
}

HISTORY = {
    "acl|getuser": (
        ("6.2.0", "Added Pub/Sub channel patterns."),
        ("7.0.0",
         "Added selectors and changed the format of key and channel patterns from a list to their "
         "rule representation."),
    ),
    "acl|setuser": (
        ("6.2.0", "Added Pub/Sub channel patterns."),
        ("7.0.0", "Added selectors and key based permissions."),
    ),
    "auth": (
        ("6.0.0", "Added ACL style (username and password)."),
    ),
    "bgsave": (
        ("3.2.2", "Added the `SCHEDULE` option."),
    ),
    "bitcount": (
        ("7.0.0", "Added the `BYTE|BIT` option."),
    ),
    "bitpos": (
        ("7.0.0", "Added the `BYTE|BIT` option."),
    ),
    "blpop": (
        ("6.0.0", "`timeout` is interpreted as a double instead of an integer."),
    ),
    "brpop": (
        ("6.0.0", "`timeout` is interpreted as a double instead of an integer."),
    ),
    "brpoplpush": (
        ("6.0.0", "`timeout` is interpreted as a double instead of an integer."),
    ),
    "bzpopmax": (
        ("6.0.0", "`timeout` is interpreted as a double instead of an integer."),
    ),
    "bzpopmin": (
        ("6.0.0", "`timeout` is interpreted as a double instead of an integer."),
    ),
    "client|kill": (
        ("2.8.12", "Added new filter format."),
        ("2.8.12", "`ID` option."),
        ("3.2.0", "Added `master` type in for `TYPE` option."),
        ("5.0.0",
         "Replaced `slave` `TYPE` with `replica`. `slave` still supported for backward "
         "compatibility."),
        ("6.2.0", "`LADDR` option."),
    ),
    "client|list": (
        ("2.8.12", "Added unique client `id` field."),
        ("5.0.0", "Added optional `TYPE` filter."),
        ("6.0.0", "Added `user` field."),
        ("6.2.0",
         "Added `argv-mem`, `tot-mem`, `laddr` and `redir` fields and the optional `ID` filter."),
        ("7.0.0", "Added `resp`, `multi-mem`, `rbs` and `rbp` fields."),
        ("7.0.3", "Added `ssub` field."),
    ),
    "client|pause": (
        ("6.2.0", "`CLIENT PAUSE WRITE` mode added along with the `mode` option."),
    ),
    "cluster|meet": (
        ("4.0.0", "Added the optional `cluster_bus_port` argument."),
    ),
    "cluster|slots": (
        ("4.0.0", "Added node IDs."),
        ("7.0.0", "Added additional networking metadata field."),
    ),
    "command|info": (
        ("7.0.0", "Allowed to be called with no argument to get info on all commands."),
    ),
    "config|get": (
        ("7.0.0", "Added the ability to pass multiple pattern parameters in one call"),
    ),
    "config|set": (
        ("7.0.0", "Added the ability to set multiple parameters in one call."),
    ),
    "exists": (
        ("3.0.3", "Accepts multiple `key` arguments."),
    ),
    "expire": (
        ("7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."),
    ),
    "expireat": (
        ("7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."),
    ),
    "flushall": (
        ("4.0.0", "Added the `ASYNC` flushing mode modifier."),
        ("6.2.0", "Added the `SYNC` flushing mode modifier."),
    ),
    "flushdb": (
        ("4.0.0", "Added the `ASYNC` flushing mode modifier."),
        ("6.2.0", "Added the `SYNC` flushing mode modifier."),
    ),
    "geoadd": (
        ("6.2.0", "Added the `CH`, `NX` and `XX` options."),
    ),
    "georadius": (
        ("6.2.0", "Added the `ANY` option for `COUNT`."),
        ("7.0.0", "Added support for uppercase unit names."),
    ),
    "georadius_ro": (
        ("6.2.0", "Added the `ANY` option for `COUNT`."),
    ),
    "georadiusbymember": (
        ("7.0.0", "Added support for uppercase unit names."),
    ),
    "geosearch": (
        ("7.0.0", "Added support for uppercase unit names."),
    ),
    "geosearchstore": (
        ("7.0.0", "Added support for uppercase unit names."),
    ),
    "hdel": (
        ("2.4.0", "Accepts multiple `field` arguments."),
    ),
    "hello": (
        ("6.2.0",
         "`protover` made optional; when called without arguments the command reports the current "
         "connection's context."),
    ),
    "hset": (
        ("4.0.0", "Accepts multiple `field` and `value` arguments."),
    ),
    "info": (
        ("7.0.0", "Added support for taking multiple section arguments."),
    ),
    "lpop": (
        ("6.2.0", "Added the `count` argument."),
    ),
    "lpush": (
        ("2.4.0", "Accepts multiple `element` arguments."),
    ),
    "lpushx": (
        ("4.0.0", "Accepts multiple `element` arguments."),
    ),
    "pexpire": (
        ("7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."),
    ),
    "pexpireat": (
        ("7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."),
    ),
    "pttl": (
        ("2.8.0", "Added the -2 reply."),
    ),
    "renamenx": (
        ("3.2.0",
         "The command no longer returns an error when source and destination names are the same."),
    ),
    "restore": (
        ("3.0.0", "Added the `REPLACE` modifier."),
        ("5.0.0", "Added the `ABSTTL` modifier."),
        ("5.0.0", "Added the `IDLETIME` and `FREQ` options."),
    ),
    "rpop": (
        ("6.2.0", "Added the `count` argument."),
    ),
    "rpush": (
        ("2.4.0", "Accepts multiple `element` arguments."),
    ),
    "rpushx": (
        ("4.0.0", "Accepts multiple `element` arguments."),
    ),
    "sadd": (
        ("2.4.0", "Accepts multiple `member` arguments."),
    ),
    "scan": (
        ("6.0.0", "Added the `TYPE` subcommand."),
    ),
    "script|flush": (
        ("6.2.0", "Added the `ASYNC` and `SYNC` flushing mode modifiers."),
    ),
    "set": (
        ("2.6.12", "Added the `EX`, `PX`, `NX` and `XX` options."),
        ("6.0.0", "Added the `KEEPTTL` option."),
        ("6.2.0", "Added the `GET`, `EXAT` and `PXAT` option."),
        ("7.0.0", "Allowed the `NX` and `GET` options to be used together."),
    ),
    "shutdown": (
        ("7.0.0", "Added the `NOW`, `FORCE` and `ABORT` modifiers."),
    ),
    "slowlog|get": (
        ("4.0.0", "Added client IP address, port and name to the reply."),
    ),
    "spop": (
        ("3.2.0", "Added the `count` argument."),
    ),
    "srandmember": (
        ("2.6.0", "Added the optional `count` argument."),
    ),
    "srem": (
        ("2.4.0", "Accepts multiple `member` arguments."),
    ),
    "ttl": (
        ("2.8.0", "Added the -2 reply."),
    ),
    "xadd": (
        ("6.2.0",
         "Added the `NOMKSTREAM` option, `MINID` trimming strategy and the `LIMIT` option."),
        ("7.0.0", "Added support for the `<ms>-*` explicit ID form."),
    ),
    "xautoclaim": (
        ("7.0.0",
         "Added an element to the reply array, containing deleted entries the command cleared "
         "from the PEL"),
    ),
    "xgroup|create": (
        ("7.0.0", "Added the `entries_read` named argument."),
    ),
    "xgroup|setid": (
        ("7.0.0", "Added the optional `entries_read` argument."),
    ),
    "xinfo|groups": (
        ("7.0.0", "Added the `entries-read` and `lag` fields"),
    ),
    "xinfo|stream": (
        ("6.0.0", "Added the `FULL` modifier."),
        ("7.0.0",
         "Added the `max-deleted-entry-id`, `entries-added`, `recorded-first-entry-id`, "
         "`entries-read` and `lag` fields"),
    ),
    "xpending": (
        ("6.2.0", "Added the `IDLE` option and exclusive range intervals."),
    ),
    "xrange": (
        ("6.2.0", "Added exclusive ranges."),
    ),
    "xrevrange": (
        ("6.2.0", "Added exclusive ranges."),
    ),
    "xsetid": (
        ("7.0.0", "Added the `entries_added` and `max_deleted_entry_id` arguments."),
    ),
    "xtrim": (
        ("6.2.0", "Added the `MINID` trimming strategy and the `LIMIT` option."),
    ),
    "zadd": (
        ("2.4.0", "Accepts multiple elements."),
        ("3.0.2", "Added the `XX`, `NX`, `CH` and `INCR` options."),
        ("6.2.0", "Added the `GT` and `LT` options."),
    ),
    "zrange": (
        ("6.2.0", "Added the `REV`, `BYSCORE`, `BYLEX` and `LIMIT` options."),
    ),
    "zrangebyscore": (
        ("2.0.0", "Added the `WITHSCORES` modifier."),
    ),
    "zrem": (
        ("2.4.0", "Accepts multiple elements."),
    ),
    "zrevrangebyscore": (
        ("2.1.6", "`min` and `max` can be exclusive."),
    ),
}

DEPRECATED = {
    "brpoplpush": ("6.2.0", "`BLMOVE` with the `RIGHT` and `LEFT` arguments"),
    "cluster|slaves": ("5.0.0", "`CLUSTER REPLICAS`"),
    "cluster|slots": ("7.0.0", "`CLUSTER SHARDS`"),
    "georadius": ("6.2.0", "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` argument"),
    "georadius_ro": ("6.2.0", "`GEOSEARCH` with the `BYRADIUS` argument"),
    "georadiusbymember": (
        "6.2.0", "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` and `FROMMEMBER` arguments"),
    "georadiusbymember_ro": ("6.2.0", "`GEOSEARCH` with the `BYRADIUS` and `FROMMEMBER` arguments"),
    "getset": ("6.2.0", "`SET` with the `!GET` argument"),
    "hmset": ("4.0.0", "`HSET` with multiple field-value pairs"),
    "rpoplpush": ("6.2.0", "`LMOVE` with the `RIGHT` and `LEFT` arguments"),
    "substr": ("2.0.0", "`GETRANGE`"),
    "zrangebylex": ("6.2.0", "`ZRANGE` with the `BYLEX` argument"),
    "zrangebyscore": ("6.2.0", "`ZRANGE` with the `BYSCORE` argument"),
    "zrevrange": ("6.2.0", "`ZRANGE` with the `REV` argument"),
    "zrevrangebylex": ("6.2.0", "`ZRANGE` with the `REV` and `BYLEX` arguments"),
    "zrevrangebyscore": ("6.2.0", "`ZRANGE` with the `REV` and `BYSCORE` arguments"),
}

DOC_FLAGS = {
    "debug": "syscmd",
    "pfdebug": "syscmd",
    "pfselftest": "syscmd",
}

TEXT = {
    ("acl", "summary"): "A container for Access List Control commands ",
    ("blmpop", "summary"): "Pop elements from a list, or block until one is available",
    ("bzmpop", "complexity"):
        "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of "
        "elements in the sorted set, and M being the number of elements popped.",
    ("command", "complexity"): "O(N) where N is the total number of Redis commands",
    ("fcall", "complexity"): "Depends on the function that is executed.",
    ("fcall_ro", "complexity"): "Depends on the function that is executed.",
    ("zmpop", "complexity"):
        "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of "
        "elements in the sorted set, and M being the number of elements popped.",
    ("zrangebylex", "complexity"):
        "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
        "elements being returned. If M is constant (e.g. always asking for the first 10 elements "
        "with LIMIT), you can consider it O(log(N)).",
    ("zrangebyscore", "complexity"):
        "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
        "elements being returned. If M is constant (e.g. always asking for the first 10 elements "
        "with LIMIT), you can consider it O(log(N)).",
    ("zrevrangebylex", "complexity"):
        "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
        "elements being returned. If M is constant (e.g. always asking for the first 10 elements "
        "with LIMIT), you can consider it O(log(N)).",
    ("zrevrangebyscore", "complexity"):
        "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
        "elements being returned. If M is constant (e.g. always asking for the first 10 elements "
        "with LIMIT), you can consider it O(log(N)).",
    ("zunionstore", "complexity"):
        "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being "
        "the number of elements in the resulting sorted set.",
}


# -- parsing the notation --------------------------------------------------------------------
TYPES = {"key": "key", "int": "integer", "double": "double", "pattern": "pattern",
         "unix": "unix-time"}
_LEXEME = re.compile(r"\s*(?:(\+?\.\.\.)|'([^']*)'|([@!#][0-9.]+)|([A-Za-z0-9_-]+)|(\S))")
_TOKEN_WORD = re.compile(r"[A-Z][A-Z0-9_-]*$")


class Arg:
    """One documented argument; ``arguments`` holds a oneof's or block's own."""

    __slots__ = ("name", "type", "key_spec_index", "token", "since", "flags",
                 "deprecated_since", "arguments")

    def __init__(self, name, type, token=None, arguments=()):
        self.name = name
        self.type = type
        self.key_spec_index = None
        self.token = token
        self.since = None
        self.flags = ()                 # optional, multiple, multiple_token (Redis' order)
        self.deprecated_since = None
        self.arguments = arguments

    def __repr__(self):
        return "Arg(%r, %r)" % (self.name, self.type)


class _Parser:
    def __init__(self, text, where):
        self.where = where
        self.items = []                  # (kind, text): kind "word", "quoted", "mark", "suffix"
        pos = 0
        text = text.rstrip()
        while pos < len(text):
            m = _LEXEME.match(text, pos)
            dots, quoted, mark, word, punct = m.groups()
            if dots is not None:
                self.items.append(("suffix", dots))
            elif quoted is not None:
                self.items.append(("quoted", quoted))
            elif mark is not None:
                self.items.append(("suffix", mark))
            elif word is not None:
                self.items.append(("word", word))
            else:
                self.items.append(("punct", punct))
            pos = m.end()
        self.i = 0
        self.next_key = 0

    def fail(self, what):
        raise ValueError("docs of %s: %s at item %d" % (self.where, what, self.i))

    def peek(self):
        return self.items[self.i] if self.i < len(self.items) else (None, None)

    def take(self):
        item = self.peek()
        self.i += 1
        return item

    def accept(self, punct):
        if self.peek() == ("punct", punct):
            self.i += 1
            return True
        return False

    def expect(self, punct):
        if not self.accept(punct):
            self.fail("%r expected" % punct)

    def sequence(self, end=None):
        args = []
        while self.peek()[0] is not None and self.peek() != ("punct", end):
            args.append(self.argument())
        return args

    def argument(self):
        optional = self.accept("[")
        arg = self.body()
        if optional:
            self.expect("]")
        flags = ["optional"] if optional else []
        while self.peek()[0] == "suffix":
            s = self.take()[1]
            if s == "...":
                flags.append("multiple")
            elif s == "+...":
                flags += ["multiple", "multiple_token"]
            elif s[0] == "@":
                arg.since = s[1:]
            elif s[0] == "!":
                arg.deprecated_since = s[1:]
            else:
                self.fail("misplaced %r" % s)
        arg.flags = tuple(flags)
        return arg

    def _is_name(self, item):
        return item[0] == "quoted" or (item[0] == "word" and not _TOKEN_WORD.match(item[1]))

    def body(self):
        kind, text = self.take()
        if kind == "word" and _TOKEN_WORD.match(text):
            if not self._is_name(self.peek()):
                return Arg(text.lower(), "pure-token", text)
            arg = self.core(self.take()[1])
            if arg.token is not None:
                self.fail("two tokens")
            arg.token = text
            return arg
        if not self._is_name((kind, text)):
            self.fail("a name expected, not %r" % text)
        return self.core(text)

    def core(self, name):
        if self.accept("="):
            kind, token = self.take()
            if kind not in ("word", "quoted"):
                self.fail("a token expected")
            return Arg(name, "pure-token", token)
        if self.accept("("):
            alternatives = [self.argument()]
            while self.accept("|"):
                alternatives.append(self.argument())
            self.expect(")")
            return Arg(name, "oneof", arguments=tuple(alternatives))
        if self.accept("{"):
            members = self.sequence("}")
            self.expect("}")
            return Arg(name, "block", arguments=tuple(members))
        arg = Arg(name, "string")
        if self.accept(":"):
            kind, type_name = self.take()
            if type_name not in TYPES:
                self.fail("unknown type %r" % type_name)
            arg.type = TYPES[type_name]
        kind, mark = self.peek()
        if kind == "suffix" and mark[0] == "#":
            self.take()
            arg.key_spec_index = int(mark[1:])
        if arg.type == "key":
            if arg.key_spec_index is None:
                arg.key_spec_index = self.next_key
            self.next_key = arg.key_spec_index + 1
        return arg


def parse(text, where="?"):
    """The arguments a notation string describes (a tuple of ``Arg``)."""
    p = _Parser(text, where)
    args = p.sequence()
    if p.peek()[0] is not None:
        p.fail("unexpected %r" % (p.peek()[1],))
    return tuple(args)


# -- a command's documentation ---------------------------------------------------------------
class Docs:
    """The ``COMMAND DOCS`` fields of one command, in Redis' order."""

    __slots__ = ("summary", "since", "group", "complexity", "doc_flags", "deprecated_since",
                 "replaced_by", "history", "arguments")

    def __init__(self, summary, since, group, complexity, doc_flags=(), deprecated_since=None,
                 replaced_by=None, history=(), arguments=()):
        self.summary = summary
        self.since = since
        self.group = group
        self.complexity = complexity
        self.doc_flags = doc_flags
        self.deprecated_since = deprecated_since
        self.replaced_by = replaced_by
        self.history = history
        self.arguments = arguments


def docs_for(cmd):
    """The documentation of a ``registry.Command``."""
    from .registry import MODULE
    name = cmd.fullname
    complexity = TEXT.get((name, "complexity"), cmd.complexity)
    if not complexity and cmd.subcommands is not None:
        complexity = "Depends on subcommand."
    if cmd.flags & MODULE:
        # extension commands: the names they declare, as strings
        arguments = tuple(Arg(a, "string") for a in cmd.doc_args)
    else:
        arguments = parse(ARGUMENTS.get(name, ""), name)
    deprecated_since, replaced_by = DEPRECATED.get(name, (None, None))
    doc_flags = (("deprecated",) if deprecated_since else ()) + tuple(
        DOC_FLAGS.get(name, "").split())
    return Docs(TEXT.get((name, "summary"), cmd.summary), cmd.since, cmd.group, complexity,
                doc_flags, deprecated_since, replaced_by, HISTORY.get(name, ()), arguments)
