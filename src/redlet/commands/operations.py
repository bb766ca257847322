"""Operations commands: SLOWLOG, LATENCY, MEMORY, CLIENT PAUSE/UNPAUSE/REPLY,
WAIT, LOLWUT, MODULE, and the cluster commands of a server without cluster
support (they answer as Redis 7.0 does with ``cluster-enabled no``)."""
import sys
import time

from .. import REDIS_VERSION, errors
from ..errors import ReplyError
from ..keyspace.values import HashValue, ListValue, SetValue, TypedValue
from ..keyspace.stream import StreamValue
from ..keyspace.zset import ZSetValue
from ..protocol import NO_REPLY, OK, Status, Verbatim
from ..util import parse_int
from .registry import command, container, subcommand


def _help(lines):
    return [Status(s.encode()) for s in lines]


def _subcommand_syntax(parent, sub):
    return ReplyError(errors.SUBCOMMAND_SYNTAX % (sub.decode("utf-8", "replace").upper(),
                                                  parent))


# -- SLOWLOG ---------------------------------------------------------------------------
container("SLOWLOG", group="server", summary="A container for slow log commands",
          since="2.2.12")


@subcommand("SLOWLOG", "GET", arity=-2, flags="admin loading stale",
            summary="Get the slow log's entries", since="2.2.12",
            complexity="O(N) where N is the number of entries returned")
def slowlog_get(ctx, sub, *args):
    if len(args) > 1:
        raise _subcommand_syntax("SLOWLOG", sub)
    count = 10
    if args:
        count = parse_int(args[0], ReplyError(errors.SLOWLOG_COUNT))
        if count < -1:
            raise ReplyError(errors.SLOWLOG_COUNT)
    entries = list(ctx.engine.slowlog)
    if count != -1:
        entries = entries[:count]
    return [[i, ts, usec, list(args), addr, name or b""]
            for i, ts, usec, args, addr, name in entries]


@subcommand("SLOWLOG", "LEN", arity=2, flags="admin loading stale",
            summary="Get the slow log's length", since="2.2.12", complexity="O(1)")
def slowlog_len(ctx, _):
    return len(ctx.engine.slowlog)


@subcommand("SLOWLOG", "RESET", arity=2, flags="admin loading stale",
            summary="Clear all entries from the slow log", since="2.2.12",
            complexity="O(N) where N is the number of entries in the slowlog")
def slowlog_reset(ctx, _):
    ctx.engine.slowlog.clear()
    return OK


@subcommand("SLOWLOG", "HELP", arity=2, flags="loading stale",
            summary="Show helpful text about the different subcommands", since="6.2.0",
            complexity="O(1)")
def slowlog_help(ctx, _):
    return _help((
        "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET [<count>]",
        "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
        "    Entries are made of:",
        "    id, timestamp, time in microseconds, arguments array, client IP and port,",
        "    client name",
        "LEN",
        "    Return the length of the slowlog.",
        "RESET",
        "    Reset the slowlog.",
        "HELP",
        "    Prints this help."))


# -- LATENCY ---------------------------------------------------------------------------
container("LATENCY", group="server", summary="A container for latency diagnostics commands",
          since="2.8.13")
_LATENCY_FLAGS = "admin noscript loading stale"


@subcommand("LATENCY", "LATEST", arity=2, flags=_LATENCY_FLAGS,
            summary="Return the latest latency samples for all events.", since="2.8.13",
            complexity="O(1)")
def latency_latest(ctx, _):
    out = []
    for event, (samples, peak) in ctx.engine.latency_events.items():
        if samples:
            ts, ms = samples[-1]
            out.append([event.encode(), ts, ms, peak])
    return out


@subcommand("LATENCY", "HISTORY", arity=3, flags=_LATENCY_FLAGS,
            summary="Return timestamp-latency samples for the event.", since="2.8.13",
            complexity="O(1)")
def latency_history(ctx, _, event):
    samples, _peak = ctx.engine.latency_events.get(event.decode("utf-8", "replace"),
                                                   ((), 0))
    return [[ts, ms] for ts, ms in samples]


@subcommand("LATENCY", "RESET", arity=-2, flags=_LATENCY_FLAGS,
            summary="Reset latency data for one or more events.", since="2.8.13",
            complexity="O(1)")
def latency_reset(ctx, _, *events):
    table = ctx.engine.latency_events
    if not events:
        n = len(table)
        table.clear()
        return n
    n = 0
    for e in events:
        if table.pop(e.decode("utf-8", "replace"), None) is not None:
            n += 1
    return n


@subcommand("LATENCY", "GRAPH", arity=3, flags=_LATENCY_FLAGS,
            summary="Return a latency graph for the event.", since="2.8.13",
            complexity="O(1)")
def latency_graph(ctx, _, event):
    name = event.decode("utf-8", "replace")
    samples, peak = ctx.engine.latency_events.get(name, ((), 0))
    if not samples:
        raise ReplyError("ERR No samples available for event '%s'" % name)
    # a plain text rendition: one row per sample, newest last
    now = int(time.time())
    lines = ["%s - high %d ms, low %d ms (all time high %d ms)" % (
        name, max(ms for _, ms in samples), min(ms for _, ms in samples), peak),
        "-" * 80]
    top = max(ms for _, ms in samples) or 1
    for ts, ms in samples:
        lines.append("%6ds ago %6d ms %s" % (now - ts, ms, "#" * max(1, ms * 50 // top)))
    return Verbatim(("\n".join(lines) + "\n").encode())


@subcommand("LATENCY", "DOCTOR", arity=2, flags=_LATENCY_FLAGS,
            summary="Return a human readable latency analysis report.", since="2.8.13",
            complexity="O(1)")
def latency_doctor(ctx, _):
    engine = ctx.engine
    if not engine.latency_ms:
        text = ("I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this "
                "Redis instance. You may use \"CONFIG SET latency-monitor-threshold "
                "<milliseconds>.\" in order to enable it. If we weren't in a deep space "
                "mission I'd suggest to take a look at "
                "https://redis.io/topics/latency-monitor.\n")
    elif not engine.latency_events:
        text = ("Dave, no latency spike was observed during the lifetime of this Redis "
                "instance, not in the slightest bit. I honestly think you ought to sleep "
                "better tonight.\n")
    else:
        lines = ["Dave, I have observed latency spikes in this Redis instance. You don't "
                 "mind talking about it, do you Dave?", ""]
        for i, (event, (samples, peak)) in enumerate(engine.latency_events.items(), 1):
            avg = sum(ms for _, ms in samples) // max(1, len(samples))
            lines.append("%d. %s: %d latency spikes (average %dms, mean deviation 0ms, "
                         "period 0 sec). Worst all time event %dms."
                         % (i, event, len(samples), avg, peak))
        lines += ["", "I have a few advices for you:", "",
                  "- Check your slow log with SLOWLOG GET: commands that take long run "
                  "in the event loop and delay every other client."]
        text = "\n".join(lines) + "\n"
    return Verbatim(text.encode())


@subcommand("LATENCY", "HELP", arity=2, flags="loading stale",
            summary="Show helpful text about the different subcommands.", since="2.8.13",
            complexity="O(1)")
def latency_help(ctx, _):
    return _help((
        "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    Return a human readable latency analysis report.",
        "GRAPH <event>",
        "    Return an ASCII latency graph for the <event> class.",
        "HISTORY <event>",
        "    Return time-latency samples for the <event> class.",
        "LATEST",
        "    Return the latest latency samples for all events.",
        "RESET [<event> ...]",
        "    Reset latency data of one or more <event> classes.",
        "    (default: reset all data for all event classes)",
        "HELP",
        "    Prints this help."))


# -- MEMORY ----------------------------------------------------------------------------
container("MEMORY", group="server", summary="A container for memory diagnostics commands",
          since="4.0.0")

_sizeof = sys.getsizeof
_DICT_ENTRY = 3 * 8          # a dict slot: hash, key pointer, value pointer


def _item_size(v):
    t = type(v)
    if t is tuple or t is list:
        return _sizeof(v) + sum(_item_size(x) for x in v)
    if t is dict:
        return _sizeof(v) + sum(_item_size(k) + _item_size(x) for k, x in v.items())
    return _sizeof(v)


def _sampled(container, items, samples):
    """Bytes of ``container``: its own size plus the average of up to
    ``samples`` items (0: all of them) times its length, as Redis samples."""
    n = len(container)
    total = _sizeof(container)
    if not n:
        return total
    taken = 0
    size = 0
    for x in items:
        size += _item_size(x)
        taken += 1
        if samples and taken >= samples:
            break
    return total + size * n // taken


def value_size(value, samples=5):
    """An estimate of the bytes a value holds (MEMORY USAGE)."""
    t = type(value)
    if t is bytes:
        return _sizeof(value)
    if t is ListValue:
        return _sampled(value, value, samples)
    if t is SetValue:
        return _sampled(value, value, samples)
    if t is HashValue:
        return _sampled(value, value.items(), samples) + len(value) * _DICT_ENTRY
    if t is ZSetValue:
        n = len(value)
        members = value.scores
        return (_sizeof(value) + _sampled(members, members, samples)
                + n * (_DICT_ENTRY + 8 + 32))       # the score and the ordered index
    if t is TypedValue:
        return _sizeof(value) + _item_size(value.value)
    if t is StreamValue:
        entries = value.entries
        n = len(entries)
        pending = sum(len(g.pel) for g in value.groups.values())
        return (_sizeof(value) + _sampled(entries, entries.values(), samples)
                + n * (_DICT_ENTRY + 32 + 8)        # the id, its slot in the ordered index
                + len(value.nodes) * 120 + pending * 200)
    nbytes = getattr(value, "memory_bytes", None)
    if nbytes is not None:
        return nbytes()
    return _sizeof(value)


@subcommand("MEMORY", "USAGE", arity=-3, flags="readonly", keys=(2, 2, 1),
            summary="Estimate the memory usage of a key", since="4.0.0",
            complexity="O(N) where N is the number of samples.")
def memory_usage(ctx, _, key, *args):
    samples = 5
    i = 0
    while i < len(args):
        if args[i].upper() == b"SAMPLES" and i + 1 < len(args):
            samples = parse_int(args[i + 1])
            if samples < 0:
                raise ReplyError(errors.SYNTAX)
            i += 2
        else:
            raise ReplyError(errors.SYNTAX)
    value = ctx.db.get(key)
    if value is None:
        return None
    return _sizeof(key) + _DICT_ENTRY + value_size(value, samples)


def _memory_stats(engine):
    used = engine.memory_used()
    startup = getattr(engine, "startup_memory", 0) or used
    keys = sum(len(db.data) for db in engine.dbs)
    clients = sum(c.output_bytes for c in engine.clients.values())
    overhead = startup + clients
    dataset = max(0, used - overhead)
    stats = [
        ("peak.allocated", used), ("total.allocated", used),
        ("startup.allocated", startup), ("replication.backlog", 0),
        ("clients.slaves", 0), ("clients.normal", clients), ("cluster.links", 0),
        ("aof.buffer", len(engine.aof.buf) if engine.aof is not None else 0),
        ("lua.caches", 0), ("functions.caches", 0), ("overhead.total", overhead),
        ("keys.count", keys), ("keys.bytes-per-key", dataset // keys if keys else 0),
        ("dataset.bytes", dataset),
        ("dataset.percentage", 100.0 * dataset / used if used else 0.0),
        ("peak.percentage", 100.0),
    ]
    for db in engine.dbs:
        if db.data:
            stats.append(("db.%d" % db.id, {b"overhead.hashtable.main": len(db.data) * 24,
                                            b"overhead.hashtable.expires":
                                                len(db.expires) * 24}))
    stats += [("allocator.allocated", used), ("allocator.active", used),
              ("allocator.resident", used), ("allocator-fragmentation.ratio", 1.0),
              ("allocator-fragmentation.bytes", 0), ("allocator-rss.ratio", 1.0),
              ("allocator-rss.bytes", 0), ("rss-overhead.ratio", 1.0),
              ("rss-overhead.bytes", 0), ("fragmentation", 1.0), ("fragmentation.bytes", 0)]
    return {k.encode(): v for k, v in stats}


@subcommand("MEMORY", "STATS", arity=2, summary="Show memory usage details", since="4.0.0",
            complexity="O(1)")
def memory_stats(ctx, _):
    return _memory_stats(ctx.engine)


@subcommand("MEMORY", "DOCTOR", arity=2, summary="Outputs memory problems report",
            since="4.0.0", complexity="O(1)")
def memory_doctor(ctx, _):
    engine = ctx.engine
    if engine.memory_used() < 5 * 1024 * 1024 or not any(db.data for db in engine.dbs):
        text = ("Hi Sam, this instance is empty or is using very little memory, my issues "
                "detector can't be used in these conditions. Please, leave for your mission "
                "on Earth and fill it with some data. The new Sam and I will be back to our "
                "programming as soon as I finished rebooting.")
    else:
        text = ("Hi Sam, I can't find any memory issue in your instance. I can only account "
                "for what occurs on this base.")
    return Verbatim(text.encode())


@subcommand("MEMORY", "MALLOC-STATS", arity=2, summary="Show allocator internal stats",
            since="4.0.0", complexity="Depends on how much memory is allocated, could be slow")
def memory_malloc_stats(ctx, _):
    return Verbatim(b"Stats not supported for the current allocator")


@subcommand("MEMORY", "PURGE", arity=2, summary="Ask the allocator to release memory",
            since="4.0.0", complexity="Depends on how much memory is allocated, could be slow")
def memory_purge(ctx, _):
    ctx.engine.compact_memory()
    from ..engine.core import _malloc_trim
    _malloc_trim()
    return OK


@subcommand("MEMORY", "HELP", arity=2, flags="loading stale",
            summary="Show helpful text about the different subcommands", since="4.0.0",
            complexity="O(1)")
def memory_help(ctx, _):
    return _help((
        "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    Return memory problems reports.",
        "MALLOC-STATS",
        "    Return internal statistics report from the memory allocator.",
        "PURGE",
        "    Attempt to purge dirty pages for reclamation by the allocator.",
        "STATS",
        "    Return information about the memory usage of the server.",
        "USAGE <key> [SAMPLES <count>]",
        "    Return memory in bytes used by <key> and its value. Nested values are",
        "    sampled up to <count> times (default: 5, 0 means sample all).",
        "HELP",
        "    Prints this help."))


# -- CLIENT PAUSE / UNPAUSE / REPLY ----------------------------------------------------
@subcommand("CLIENT", "PAUSE", arity=-3, flags="admin noscript loading stale",
            summary="Stop processing commands from clients for some time", since="2.9.50",
            complexity="O(1)", acl=("connection",))
def client_pause(ctx, sub, timeout, *mode):
    ms = parse_int(timeout, ReplyError(errors.TIMEOUT_NOT_INTEGER))
    if ms < 0:
        raise ReplyError(errors.TIMEOUT_NEGATIVE)
    if len(mode) > 1:
        raise _subcommand_syntax("CLIENT", sub)
    pause_all = True
    if mode:
        m = mode[0].upper()
        if m == b"WRITE":
            pause_all = False
        elif m != b"ALL":
            raise ReplyError("ERR CLIENT PAUSE mode must be WRITE or ALL")
    ctx.engine.pause(ms / 1000.0, pause_all)
    return OK


@subcommand("CLIENT", "UNPAUSE", arity=2, flags="admin noscript loading stale",
            summary="Resume processing of clients that were paused", since="6.2.0",
            complexity="O(N) Where N is the number of paused clients", acl=("connection",))
def client_unpause(ctx, _):
    ctx.engine.unpause()
    return OK


@subcommand("CLIENT", "REPLY", arity=3, flags="noscript loading stale",
            summary="Instruct the server whether to reply to commands", since="3.2.0",
            complexity="O(1)", acl=("connection",))
def client_reply(ctx, _, mode):
    m = mode.upper()
    if m == b"ON":
        ctx.reply_mode = 0
        return OK
    if m == b"OFF":
        ctx.reply_mode = 1
        return NO_REPLY
    if m == b"SKIP":
        if ctx.reply_mode != 1:
            ctx.reply_mode = 3
        return NO_REPLY
    raise ReplyError(errors.SYNTAX)


# -- WAIT, LOLWUT ----------------------------------------------------------------------
@command("WAIT", arity=3, flags="noscript", group="generic", acl=("connection", "-keyspace"),
         tips=("request_policy:all_shards", "response_policy:agg_min"),
         summary="Wait for the synchronous replication of all the write commands sent in "
                 "the context of the current connection", since="3.0.0", complexity="O(1)")
def wait(ctx, numreplicas, timeout):
    """No replicas ever acknowledge: 0 at once when none are asked for,
    otherwise after the timeout (0: forever), as a replica-less Redis does."""
    n = parse_int(numreplicas)
    ms = parse_int(timeout, ReplyError(errors.TIMEOUT_NOT_INTEGER))
    if ms < 0:
        raise ReplyError(errors.TIMEOUT_NEGATIVE)
    if n <= 0 or not ctx.engine.can_block(ctx):
        return 0
    return ctx.engine.block(ctx, [], ms / 1000.0, lambda: NO_REPLY, on_timeout=lambda: 0)


@command("LOLWUT", arity=-1, flags="readonly fast", group="server",
         summary="Display some computer art and the Redis version", since="5.0.0")
def lolwut(ctx, *args):
    if len(args) >= 2 and args[0].upper() == b"VERSION":
        parse_int(args[1])
    return Verbatim(b"Redis ver. %s\n" % REDIS_VERSION.encode())


# -- MODULE (extension modules: redlet.modules) ------------------------------------------
container("MODULE", group="server", summary="A container for module commands",
          since="4.0.0")

# importing the loader also registers its extension factory (``loadmodule`` at start)
from .. import modules  # noqa: E402

_LOAD_FAILED = "ERR Error loading the extension. Please check the server logs."


def _module_allowed(ctx):
    mode = ctx.engine.config["enable-module-command"]
    if mode == "no" or (mode == "local" and not ctx.unix_socket
                        and not ctx.addr.startswith(("127.", "::1", "[::1]"))):
        raise ReplyError(
            "ERR MODULE command not allowed. If the enable-module-command option is set "
            "to \"local\", you can run it from a local connection, otherwise you need to "
            "set this option in the configuration file, and then restart the server.")


def _module_load(ctx, path, args):
    try:
        modules.host(ctx.engine).load(path.decode("utf-8", "surrogateescape"), list(args))
    except modules.ModuleLoadError as e:
        import logging
        logging.getLogger("redlet").warning("Module %s failed to load: %s",
                                            path.decode("utf-8", "replace"), e)
        raise ReplyError(_LOAD_FAILED) from None
    return OK


@subcommand("MODULE", "LIST", arity=2, flags="admin noscript",
            summary="List all modules loaded by the server", since="4.0.0",
            complexity="O(N) where N is the number of loaded modules.")
def module_list(ctx, _):
    return modules.host(ctx.engine).list_reply()


@subcommand("MODULE", "LOAD", arity=-3, flags="admin noscript no_async_loading",
            summary="Load a module", since="4.0.0", complexity="O(1)")
def module_load(ctx, _, path, *args):
    _module_allowed(ctx)
    return _module_load(ctx, path, args)


@subcommand("MODULE", "LOADEX", arity=-3, flags="admin noscript no_async_loading",
            summary="Load a module with extended parameters", since="7.0.0",
            complexity="O(1)")
def module_loadex(ctx, _, path, *args):
    _module_allowed(ctx)
    # redlet modules take no CONFIG name value pairs: only ARGS
    if not args:
        return _module_load(ctx, path, ())
    if args[0].upper() != b"ARGS":
        raise ReplyError(_LOAD_FAILED)
    return _module_load(ctx, path, args[1:])


@subcommand("MODULE", "UNLOAD", arity=3, flags="admin noscript no_async_loading",
            summary="Unload a module", since="4.0.0", complexity="O(1)")
def module_unload(ctx, _, name):
    _module_allowed(ctx)
    if not modules.host(ctx.engine).unload(name.decode("utf-8", "surrogateescape")):
        raise ReplyError("ERR Error unloading module: no such module with that name")
    return OK


@subcommand("MODULE", "HELP", arity=2, flags="loading stale",
            summary="Show helpful text about the different subcommands", since="5.0.0",
            complexity="O(1)")
def module_help(ctx, _):
    return _help((
        "MODULE <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "LIST",
        "    Return a list of loaded modules.",
        "LOAD <path> [<arg> ...]",
        "    Load a module library from <path>, passing to it any optional arguments.",
        "LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
        "    Load a module library from <path>, while passing it module configurations "
        "and optional arguments.",
        "UNLOAD <name>",
        "    Unload a module.",
        "HELP",
        "    Prints this help."))


# -- cluster commands, answered as a server with cluster support disabled ---------------
_NO_CLUSTER = "ERR This instance has cluster support disabled"


def _no_cluster(ctx, *args):
    raise ReplyError(_NO_CLUSTER)


for _name, _summary in (
        ("READONLY", "Enables read queries for a connection to a cluster replica node"),
        ("READWRITE", "Disables read queries for a connection to a cluster replica node")):
    command(_name, arity=1, flags="loading stale fast", group="cluster",
            acl=("connection",), summary=_summary, since="3.0.0",
            complexity="O(1)")(_no_cluster)
command("ASKING", arity=1, flags="fast", group="cluster", acl=("connection",),
        summary="Sent by cluster clients after an -ASK redirect", since="3.0.0",
        complexity="O(1)")(_no_cluster)

container("CLUSTER", group="cluster", summary="A container for cluster commands",
          since="3.0.0")
_ADMIN = "admin stale no_async_loading"
for _name, _arity, _flags, _summary, _since, _complexity in (
        ("SLOTS", 2, "stale", "Get array of Cluster slot to node mappings", "3.0.0",
         "O(N) where N is the total number of Cluster nodes"),
        ("KEYSLOT", 3, "stale", "Returns the hash slot of the specified key", "3.0.0",
         "O(N) where N is the number of bytes in the key"),
        ("MYID", 2, "stale", "Return the node id", "3.0.0", "O(1)"),
        ("SHARDS", 2, "stale", "Get array of cluster slots to node mappings", "7.0.0",
         "O(N) where N is the total number of cluster nodes"),
        ("RESET", -2, "admin noscript stale", "Reset a Redis Cluster node", "3.0.0",
         "O(N) where N is the number of known nodes. The command may execute a FLUSHALL "
         "as a side effect."),
        ("ADDSLOTS", -3, _ADMIN, "Assign new hash slots to receiving node", "3.0.0",
         "O(N) where N is the total number of hash slot arguments"),
        ("ADDSLOTSRANGE", -4, _ADMIN, "Assign new hash slots to receiving node", "7.0.0",
         "O(N) where N is the total number of the slots between the start slot and end "
         "slot arguments."),
        ("SETSLOT", -4, _ADMIN, "Bind a hash slot to a specific node", "3.0.0", "O(1)"),
        ("SET-CONFIG-EPOCH", 3, _ADMIN, "Set the configuration epoch in a new node", "3.0.0",
         "O(1)"),
        ("FLUSHSLOTS", 2, _ADMIN, "Delete a node's own slots information", "3.0.0", "O(1)"),
        ("DELSLOTSRANGE", -4, _ADMIN, "Set hash slots as unbound in receiving node",
         "7.0.0", "O(N) where N is the total number of the slots between the start slot "
         "and end slot arguments."),
        ("REPLICATE", 3, _ADMIN, "Reconfigure a node as a replica of the specified master "
         "node", "3.0.0", "O(1)"),
        ("COUNTKEYSINSLOT", 3, "stale", "Return the number of local keys in the specified "
         "hash slot", "3.0.0", "O(1)"),
        ("SLAVES", 3, "admin stale", "List replica nodes of the specified master node",
         "3.0.0", "O(1)"),
        ("FAILOVER", -2, _ADMIN, "Forces a replica to perform a manual failover of its "
         "master.", "3.0.0", "O(1)"),
        ("FORGET", 3, _ADMIN, "Remove a node from the nodes table", "3.0.0", "O(1)"),
        ("GETKEYSINSLOT", 4, "stale", "Return local key names in the specified hash slot",
         "3.0.0", "O(log(N)) where N is the number of requested keys"),
        ("COUNT-FAILURE-REPORTS", 3, "admin stale", "Return the number of failure reports "
         "active for a given node", "3.0.0", "O(N) where N is the number of failure reports"),
        ("SAVECONFIG", 2, _ADMIN, "Forces the node to save cluster state on disk", "3.0.0",
         "O(1)"),
        ("MEET", -4, _ADMIN, "Force a node cluster to handshake with another node", "3.0.0",
         "O(1)"),
        ("DELSLOTS", -3, _ADMIN, "Set hash slots as unbound in receiving node", "3.0.0",
         "O(N) where N is the total number of hash slot arguments"),
        ("NODES", 2, "stale", "Get Cluster config for the node", "3.0.0",
         "O(N) where N is the total number of Cluster nodes"),
        ("REPLICAS", 3, "admin stale", "List replica nodes of the specified master node",
         "5.0.0", "O(1)"),
        ("BUMPEPOCH", 2, _ADMIN, "Advance the cluster config epoch", "3.0.0", "O(1)"),
        ("HELP", 2, "loading stale", "Show helpful text about the different subcommands",
         "5.0.0", "O(1)"),
        ("LINKS", 2, "stale", "Returns a list of all TCP links to and from peer nodes in "
         "cluster", "7.0.0", "O(N) where N is the total number of Cluster nodes"),
        ("INFO", 2, "stale", "Provides info about Redis Cluster node state", "3.0.0",
         "O(1)")):
    subcommand("CLUSTER", _name, arity=_arity, flags=_flags, summary=_summary,
               since=_since, complexity=_complexity)(_no_cluster)
