"""Server commands: INFO, DBSIZE, FLUSHDB, FLUSHALL, FLUSH, SWAPDB, TIME, CONFIG,
LASTSAVE, SHUTDOWN, COMMAND, DEBUG."""
import os
import platform
import resource
import sys
import time

from .. import REDIS_VERSION, __version__, errors
from ..config import SETTINGS_BY_NAME, ConfigError
from ..errors import ReplyError
from ..protocol import NO_REPLY, OK, RespSet, Status, Verbatim
from ..util import glob_match, parse_int
from . import keyspecs
from .registry import COMMANDS, command, container, subcommand


# -- databases ----------------------------------------------------------------
@command("DBSIZE", arity=1, flags="readonly fast", group="server",
         summary="Return the number of keys in the selected database", complexity="O(1)")
def dbsize(ctx):
    return len(ctx.db.data)


def _flush_mode(args, name):
    if len(args) > 1:
        raise ReplyError(errors.SYNTAX)
    if args and args[0].upper() not in (b"ASYNC", b"SYNC"):
        raise ReplyError(errors.SYNTAX)


def _flush_db(ctx, db):
    n = db.flush()
    ctx.engine.dirty += n or 1
    return n


@command("FLUSHDB", arity=-1, flags="write", group="server",
         summary="Remove all keys from the current database",
         complexity="O(N) where N is the number of keys in the selected database")
def flushdb(ctx, *args):
    _flush_mode(args, "flushdb")
    _flush_db(ctx, ctx.db)
    return OK


@command("FLUSHALL", arity=-1, flags="write", group="server",
         summary="Remove all keys from all databases",
         complexity="O(N) where N is the total number of keys in all databases")
def flushall(ctx, *args):
    _flush_mode(args, "flushall")
    for db in ctx.engine.dbs:
        _flush_db(ctx, db)
    for ext in ctx.engine.extensions:
        hook = getattr(ext, "flushall", None)
        if hook is not None:
            hook()
    return OK


@command("FLUSH", arity=1, flags="write", group="server",
         summary="Removes all keys from the current database and returns how many "
                 "were removed (redlet; from the seed server).", since="0.1.0",
         complexity="O(N)")
def flush(ctx):
    n = _flush_db(ctx, ctx.db)
    ctx.engine.rewrite_propagation(ctx, (ctx.db.id, [b"FLUSHDB"]))
    return n


@command("SWAPDB", arity=3, flags="write fast", group="server",
         summary="Swaps two Redis databases", since="4.0.0",
         complexity="O(N) where N is the count of clients watching or blocking on keys "
                    "from both databases.")
def swapdb(ctx, a, b):
    try:
        i = parse_int(a)
    except ReplyError:
        raise ReplyError("ERR invalid first DB index") from None
    try:
        j = parse_int(b)
    except ReplyError:
        raise ReplyError("ERR invalid second DB index") from None
    dbs = ctx.engine.dbs
    if not (0 <= i < len(dbs)) or not (0 <= j < len(dbs)):
        raise ReplyError(errors.DB_INDEX_OUT_OF_RANGE)
    if i != j:
        x, y = dbs[i], dbs[j]
        for db in (x, y):
            for key in db.watched:
                if key in x.data or key in y.data:
                    db.touch(key)
        x.data, y.data = y.data, x.data
        x.expires, y.expires = y.expires, x.expires
        x._expire_keys = y._expire_keys = []
        x._expire_pos = y._expire_pos = 0
        for db in (x, y):
            for key in list(db.blocking):   # present keys serve, gone ones unblock XREADGROUP
                db.signal_ready(key)
    ctx.engine.dirty += 1
    return OK


@command("TIME", arity=1, flags="loading stale fast", group="server",
         summary="Return the current server time", since="2.6.0", complexity="O(1)")
def time_(ctx):
    t = time.time_ns() // 1000
    return [b"%d" % (t // 1000000), b"%d" % (t % 1000000)]


@command("LASTSAVE", arity=1, flags="loading stale fast", group="server",
         summary="Get the UNIX time stamp of the last successful save to disk",
         complexity="O(1)")
def lastsave(ctx):
    return ctx.engine.lastsave


@command("ROLE", arity=1, flags="noscript loading stale fast", group="server",
         acl=("admin", "dangerous"),
         summary="Return the role of the instance in the context of replication", since="2.8.12", complexity="O(1)")
def role(ctx):
    # a master without replicas (redlet does not replicate): role, offset, replicas
    return [b"master", 0, []]


@command("SHUTDOWN", arity=-1, flags="admin noscript loading stale no_multi allow_busy",
         group="server", summary="Synchronously save the dataset to disk and then shut down the "
                                 "server",
         complexity="O(N) when saving, where N is the total number of keys in all databases when "
                    "saving data, otherwise O(1)")
def shutdown(ctx, *args):
    nosave = save = False
    for a in args:
        opt = a.upper()
        if opt == b"NOSAVE":
            nosave = True
        elif opt == b"SAVE":
            save = True
        elif opt in (b"NOW", b"FORCE"):
            pass
        elif opt == b"ABORT":
            raise ReplyError("ERR No shutdown in progress.")
        else:
            raise ReplyError(errors.SYNTAX)
    if nosave and save:
        raise ReplyError(errors.SYNTAX)
    for ext in ctx.engine.extensions:
        hook = getattr(ext, "prepare_shutdown", None)
        if hook is not None:
            err = hook(save=save, nosave=nosave)
            if err is not None:
                raise ReplyError(err)
    if ctx.engine.shutdown_requested is not None:
        ctx.engine.shutdown_requested()
    ctx.closing = True
    from ..protocol import NO_REPLY
    return NO_REPLY


# -- CONFIG -------------------------------------------------------------------
container("CONFIG", group="server", summary="A container for server configuration commands",
          since="2.0.0")


@subcommand("CONFIG", "GET", arity=-3, flags="admin noscript loading stale",
            summary="Get the values of configuration parameters",
            complexity="O(N) when N is the number of configuration parameters provided",
            since="2.0.0")
def config_get(ctx, _, *patterns):
    cfg = ctx.engine.config
    out = {}
    for pat in patterns:
        p = pat.lower()
        exact = SETTINGS_BY_NAME.get(p.decode("utf-8", "replace"))
        if exact is not None and not any(c in p for c in b"*?["):
            if not exact.multi:         # loadmodule, user...: config-file only, as Redis
                out[p] = cfg.format(exact.name).encode()
            continue
        for name, setting in SETTINGS_BY_NAME.items():
            if name != setting.name or setting.multi:
                continue
            if glob_match(p, name.encode(), nocase=True):
                out[name.encode()] = cfg.format(name).encode()
    return out


@subcommand("CONFIG", "SET", arity=-4, flags="admin noscript loading stale",
            summary="Set configuration parameters to the given values",
            complexity="O(N) when N is the number of configuration parameters provided", since="2.0.0")
def config_set(ctx, _, *args):
    if len(args) % 2:
        raise ReplyError(errors.WRONG_ARITY % "config|set")
    cfg = ctx.engine.config
    pairs = []
    seen = set()
    for i in range(0, len(args), 2):
        name = args[i].decode("utf-8", "replace").lower()
        setting = SETTINGS_BY_NAME.get(name)
        if setting is None or setting.multi:
            raise ReplyError(errors.UNSUPPORTED_CONFIG % args[i].decode("utf-8", "replace"))
        if setting.name in seen:
            raise ReplyError(errors.CONFIG_SET_FAILED % (name, "duplicate parameter"))
        seen.add(setting.name)
        pairs.append((name, setting, args[i + 1].decode("utf-8", "replace")))
    old = {}
    for name, setting, value in pairs:
        if setting.immutable:
            raise ReplyError(errors.CONFIG_SET_FAILED % (name, "can't set immutable config"))
        if setting.protected and cfg["enable-protected-configs"] == "no":
            raise ReplyError(errors.CONFIG_SET_FAILED % (name, "can't set protected config"))
        try:
            setting.parse(value) if setting.kind not in ("save", "obuf") else None
        except ConfigError as e:
            raise ReplyError(errors.CONFIG_SET_FAILED % (name, e)) from None
        if setting.kind == "save" and value and not value.split():
            # blanks: not the empty string
            raise ReplyError(errors.CONFIG_SET_FAILED % (name, "Invalid save parameters"))
        if setting.name == "dir" and not os.path.isdir(value):
            raise ReplyError(errors.CONFIG_SET_FAILED % ("dir", "No such file or directory"))
    try:
        for name, setting, value in pairs:
            old[setting.name] = cfg.values[setting.name]
            cfg.set_from_text(setting.name, value.split() if setting.kind in ("save", "obuf")
                              else [value], startup=False)
            if setting.name == "dir":
                os.chdir(value)
    except ConfigError as e:
        cfg.values.update(old)
        raise ReplyError(errors.CONFIG_SET_FAILED % (name, e)) from None
    return OK


@subcommand("CONFIG", "RESETSTAT", arity=2, flags="admin noscript loading stale",
            summary="Reset the stats returned by INFO",
            complexity="O(1)", since="2.0.0")
def config_resetstat(ctx, _):
    engine = ctx.engine
    for k in engine.stats:
        engine.stats[k] = 0.0 if isinstance(engine.stats[k], float) else 0
    engine.errorstats.clear()
    engine.net_input_bytes = engine.net_output_bytes = 0
    for cmd in _all_commands():
        cmd.stats_calls = cmd.stats_usec = cmd.stats_rejected = cmd.stats_failed = 0
    return OK


@subcommand("CONFIG", "REWRITE", arity=2, flags="admin noscript loading stale",
            summary="Rewrite the configuration file with the in memory configuration",
            complexity="O(1)", since="2.8.0")
def config_rewrite(ctx, _):
    raise ReplyError("ERR The server is running without a config file")


@subcommand("CONFIG", "HELP", arity=2, flags="loading stale",
            summary="Show helpful text about the different subcommands",
            complexity="O(1)", since="5.0.0")
def config_help(ctx, _):
    return [Status(s.encode()) for s in (
        "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET <pattern>", "    Return parameters matching the glob-like <pattern> and their "
        "values.", "SET <directive> <value>", "    Set the configuration <directive> to "
        "<value>.", "RESETSTAT", "    Reset statistics reported by the INFO command.",
        "REWRITE", "    Rewrite the configuration file.", "HELP", "    Print this help.")]


# -- INFO -----------------------------------------------------------------------
def _all_commands():
    for cmd in COMMANDS.values():
        if cmd.subcommands:
            yield from cmd.subcommands.values()
        if cmd.fn is not None:
            yield cmd


def _human(n):
    for unit, size in (("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
        if n >= size:
            return "%.2f%s" % (n / size, unit)
    return "%dB" % n


def info_sections(engine, client):
    """Section name -> list of (field, value); in Redis' order."""
    now = time.time()
    cfg = engine.config
    ru = resource.getrusage(resource.RUSAGE_SELF)
    rss = engine.memory_used()
    used = engine.dataset_memory() if hasattr(engine, "dataset_memory") else rss
    uptime = int(now - engine.start_time)
    port = cfg["port"]
    sections = {}
    sections["server"] = [
        ("redis_version", REDIS_VERSION), ("redis_git_sha1", "00000000"),
        ("redis_git_dirty", 0), ("redis_build_id", "redlet"),
        ("redis_mode", "standalone"), ("os", "%s %s %s" % (platform.system(),
                                                           platform.release(),
                                                           platform.machine())),
        ("arch_bits", 64), ("monotonic_clock", "POSIX clock_gettime"),
        ("multiplexing_api", "epoll" if sys.platform.startswith("linux") else "kqueue"),
        ("atomicvar_api", "c11-builtin"), ("gcc_version", "0.0.0"),
        ("process_id", os.getpid()), ("process_supervised", "no"),
        ("run_id", engine.run_id), ("tcp_port", port),
        ("server_time_usec", int(now * 1000000)), ("uptime_in_seconds", uptime),
        ("uptime_in_days", uptime // 86400), ("hz", cfg["hz"]),
        ("configured_hz", cfg["hz"]), ("lru_clock", int(now) & ((1 << 24) - 1)),
        ("executable", os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] else ""),
        ("config_file", ""), ("io_threads_active", 0),
        ("redlet_version", __version__), ("python_version", platform.python_version()),
    ]
    nblocked = sum(1 for c in engine.clients.values() if c.blocked is not None)
    npubsub = sum(1 for c in engine.clients.values()
                  if c.subscriptions or c.psubscriptions or c.ssubscriptions)
    sections["clients"] = [
        ("connected_clients", len(engine.clients)), ("cluster_connections", 0),
        ("maxclients", cfg["maxclients"]), ("client_recent_max_input_buffer", 0),
        ("client_recent_max_output_buffer", 0), ("blocked_clients", nblocked),
        ("tracking_clients", 0), ("pubsub_clients", npubsub),
        ("clients_in_timeout_table", nblocked),
    ]
    maxmemory = cfg["maxmemory"]
    sections["memory"] = [
        ("used_memory", used), ("used_memory_human", _human(used)),
        ("used_memory_rss", rss), ("used_memory_rss_human", _human(rss)),
        ("used_memory_peak", max(used, ru.ru_maxrss * 1024)),
        ("used_memory_peak_human", _human(max(used, ru.ru_maxrss * 1024))),
        ("used_memory_lua", 0), ("used_memory_scripts", 0),
        ("maxmemory", maxmemory), ("maxmemory_human", _human(maxmemory)),
        ("maxmemory_policy", cfg["maxmemory-policy"]),
        ("mem_fragmentation_ratio", "%.2f" % (rss / used if used else 1.0)),
        ("mem_allocator", "pymalloc"), ("lazyfree_pending_objects", 0),
    ]
    persistence = [
        ("loading", 0), ("async_loading", 0), ("current_cow_peak", 0),
        ("current_cow_size", 0), ("current_fork_perc", "0.00"),
        ("current_save_keys_processed", 0), ("current_save_keys_total", 0),
        ("rdb_changes_since_last_save", engine.dirty), ("rdb_bgsave_in_progress", 0),
        ("rdb_last_save_time", engine.lastsave), ("rdb_last_bgsave_status", "ok"),
        ("rdb_last_bgsave_time_sec", -1), ("rdb_current_bgsave_time_sec", -1),
        ("aof_enabled", 1 if engine.aof is not None else 0),
        ("aof_rewrite_in_progress", 0), ("aof_rewrite_scheduled", 0),
        ("aof_last_rewrite_time_sec", -1), ("aof_current_rewrite_time_sec", -1),
        ("aof_last_bgrewrite_status", "ok"), ("aof_rewrites", 0),
        ("aof_rewrites_consecutive_failures", 0), ("aof_last_write_status", "ok"),
    ]
    for ext in engine.extensions:
        hook = getattr(ext, "info_persistence", None)
        if hook is not None:
            updates = dict(hook())
            persistence = [(k, updates.pop(k, v)) for k, v in persistence] + list(
                updates.items())
    sections["persistence"] = persistence
    st = engine.stats
    sections["stats"] = [
        ("total_connections_received", st["total_connections_received"]),
        ("total_commands_processed", st["total_commands_processed"]),
        ("instantaneous_ops_per_sec", 0),
        ("total_net_input_bytes", engine.net_input_bytes),
        ("total_net_output_bytes", engine.net_output_bytes),
        ("rejected_connections", st["rejected_connections"]),
        ("expired_keys", st["expired_keys"]), ("expired_stale_perc", "0.00"),
        ("expire_cycle_cpu_milliseconds", st["expire_cycle_cpu_milliseconds"]),
        ("evicted_keys", st["evicted_keys"]), ("evicted_clients", 0),
        ("keyspace_hits", st["keyspace_hits"]), ("keyspace_misses", st["keyspace_misses"]),
        ("pubsub_channels", len(engine.channels)), ("pubsub_patterns", len(engine.patterns)),
        ("pubsubshard_channels", len(engine.shard_channels)),
        ("total_forks", 0), ("total_error_replies", st["total_error_replies"]),
        ("total_blocking_keys", sum(len(db.blocking) for db in engine.dbs)),
    ]
    sections["replication"] = [
        ("role", "master"), ("connected_slaves", 0), ("master_failover_state", "no-failover"),
        ("master_replid", engine.run_id), ("master_replid2", "0" * 40),
        ("master_repl_offset", 0), ("second_repl_offset", -1), ("repl_backlog_active", 0),
        ("repl_backlog_size", cfg["repl-backlog-size"]),
    ]
    sections["cpu"] = [
        ("used_cpu_sys", "%.6f" % ru.ru_stime), ("used_cpu_user", "%.6f" % ru.ru_utime),
        ("used_cpu_sys_children", "0.000000"), ("used_cpu_user_children", "0.000000"),
    ]
    sections["modules"] = []
    sections["cluster"] = [("cluster_enabled", 0)]
    for ext in engine.extensions:
        hook = getattr(ext, "info_modules", None)
        if hook is not None:
            sections["modules"] = hook()
    stats = []
    for cmd in sorted(_all_commands(), key=lambda c: c.fullname):
        if cmd.stats_calls or cmd.stats_rejected or cmd.stats_failed:
            per = cmd.stats_usec / cmd.stats_calls if cmd.stats_calls else 0
            stats.append(("cmdstat_" + cmd.fullname,
                          "calls=%d,usec=%d,usec_per_call=%.2f,rejected_calls=%d,"
                          "failed_calls=%d" % (cmd.stats_calls, cmd.stats_usec, per,
                                               cmd.stats_rejected, cmd.stats_failed)))
    sections["commandstats"] = stats
    sections["errorstats"] = [("errorstat_" + code, "count=%d" % n)
                              for code, n in sorted(engine.errorstats.items())]
    keyspace = []
    for db in engine.dbs:
        if db.data:
            keyspace.append(("db%d" % db.id, "keys=%d,expires=%d,avg_ttl=%d" % (
                len(db.data), len(db.expires), db.avg_ttl)))
    sections["keyspace"] = keyspace
    return sections


_DEFAULT_SECTIONS = ("server", "clients", "memory", "persistence", "stats", "replication",
                     "cpu", "modules", "errorstats", "cluster", "keyspace")
_ALL_SECTIONS = _DEFAULT_SECTIONS[:-2] + ("commandstats", "errorstats", "keyspace")


def info_text(engine, client, args=()):
    wanted = [a.decode("utf-8", "replace").lower() for a in args]
    if not wanted or "default" in wanted:
        names = list(_DEFAULT_SECTIONS) + [w for w in wanted if w != "default"]
    elif "all" in wanted or "everything" in wanted:
        names = list(_ALL_SECTIONS)
    else:
        names = wanted
    sections = info_sections(engine, client)
    out = []
    seen = set()
    for name in names:
        if name in seen or name not in sections:
            continue
        seen.add(name)
        if out:
            out.append("")
        out.append("# " + name.capitalize() if name != "cpu" else "# CPU")
        for k, v in sections[name]:
            out.append("%s:%s" % (k, v))
    if out:
        out.append("")
    return "\r\n".join(out).replace("# Commandstats", "# Commandstats").replace(
        "# Errorstats", "# Errorstats")


@command("INFO", arity=-1, flags="loading stale", group="server",
         summary="Get information and statistics about the server", complexity="O(1)")
def info(ctx, *args):
    return Verbatim(info_text(ctx.engine, ctx, args).encode())


# -- COMMAND ----------------------------------------------------------------------
container("COMMAND", group="server", summary="Get array of Redis command details",
          since="2.8.13")


def _key_spec_reply(spec):
    """One key spec in Redis' shape: a map of notes, flags, begin_search, find_keys."""
    if spec.begin_type == "index":
        begin = {b"index": spec.begin_arg}
    elif spec.begin_type == "keyword":
        begin = {b"keyword": spec.begin_arg[0].encode(), b"startfrom": spec.begin_arg[1]}
    else:
        begin = {}
    if spec.find_type == "range":
        find = dict(zip((b"lastkey", b"keystep", b"limit"), spec.find_arg))
    elif spec.find_type == "keynum":
        find = dict(zip((b"keynumidx", b"firstkey", b"keystep"), spec.find_arg))
    else:
        find = {}
    out = {b"notes": spec.notes.encode()} if spec.notes else {}
    out[b"flags"] = RespSet(Status(f.encode()) for f in spec.flags)
    out[b"begin_search"] = {b"type": spec.begin_type.encode(), b"spec": begin}
    out[b"find_keys"] = {b"type": spec.find_type.encode(), b"spec": find}
    return out


def _command_info(cmd):
    subs = RespSet()                 # Redis: an empty set, or an array of subcommands
    if cmd.subcommands:
        subs = [_command_info(s) for s in sorted(cmd.subcommands.values(),
                                                 key=lambda s: s.name)]
    first, last, step = cmd.first_key, cmd.last_key, cmd.key_step
    return [
        cmd.fullname.encode(), cmd.arity,
        RespSet(Status(f.encode()) for f in cmd.flag_names),
        first, last, step,
        RespSet(Status(("@" + c).encode()) for c in cmd.acl_categories),
        RespSet(t.encode() for t in cmd.tips),
        RespSet(_key_spec_reply(s) for s in cmd.key_specs), subs,
    ]


def _top_commands():
    return [c for c in COMMANDS.values()]


def command_(ctx, *args):
    return [_command_info(c) for c in _top_commands()]


def _find(name):
    n = name.decode("utf-8", "replace").lower()
    if "|" in n:
        parent, sub = n.split("|", 1)
        p = COMMANDS.get(parent)
        return p.subcommands.get(sub) if p is not None and p.subcommands else None
    return COMMANDS.get(n)


@subcommand("COMMAND", "COUNT", arity=2, flags="loading stale",
            summary="Get total number of Redis commands",
            complexity="O(1)", since="2.8.13")
def command_count(ctx, _):
    return len(COMMANDS)


@subcommand("COMMAND", "INFO", arity=-2, flags="loading stale",
            summary="Get array of specific Redis command details, or all when no argument is "
                    "given.",
            complexity="O(N) where N is the number of commands to look up",
            since="2.8.13")
def command_info(ctx, _, *names):
    if not names:
        return [_command_info(c) for c in _top_commands()]
    out = []
    for n in names:
        cmd = _find(n)
        out.append(_command_info(cmd) if cmd is not None else None)
    return out


def _doc_arg(a):
    d = {b"name": a.name.encode(), b"type": a.type.encode()}
    if a.key_spec_index is not None:
        d[b"key_spec_index"] = a.key_spec_index
    if a.token is not None:
        d[b"token"] = a.token.encode()
    if a.since:
        d[b"since"] = a.since.encode()
    if a.flags:
        d[b"flags"] = RespSet(Status(f.encode()) for f in a.flags)
    if a.deprecated_since:
        d[b"deprecated_since"] = a.deprecated_since.encode()
    if a.arguments:
        d[b"arguments"] = [_doc_arg(x) for x in a.arguments]
    return d


def _docs(cmd):
    """One command's COMMAND DOCS map, its fields in Redis' order (``docs.Docs``)."""
    doc = cmd.docs
    d = {b"summary": doc.summary.encode(), b"since": doc.since.encode(),
         b"group": doc.group.encode()}
    if doc.complexity:
        d[b"complexity"] = doc.complexity.encode()
    if doc.doc_flags:
        d[b"doc_flags"] = RespSet(Status(f.encode()) for f in doc.doc_flags)
    if doc.deprecated_since:
        d[b"deprecated_since"] = doc.deprecated_since.encode()
        d[b"replaced_by"] = doc.replaced_by.encode()
    if doc.history:
        d[b"history"] = RespSet([v.encode(), text.encode()] for v, text in doc.history)
    if doc.arguments:
        d[b"arguments"] = [_doc_arg(a) for a in doc.arguments]
    if cmd.subcommands:
        d[b"subcommands"] = {s.fullname.encode(): _docs(s)
                             for s in sorted(cmd.subcommands.values(), key=lambda s: s.name)}
    return d


@subcommand("COMMAND", "DOCS", arity=-2, flags="loading stale",
            summary="Get array of specific Redis command documentation",
            complexity="O(N) where N is the number of commands to look up",
            since="7.0.0")
def command_docs(ctx, _, *names):
    if not names:
        return {c.name.encode(): _docs(c) for c in _top_commands()}
    found = []
    for n in names:
        cmd = _find(n)
        if cmd is not None:
            found.append((cmd.fullname.encode(), _docs(cmd)))
    if len({name for name, _ in found}) == len(found):
        return dict(found)
    # a name asked for twice is answered twice, as Redis does: a map no dict holds
    from ..protocol.encoder import encode
    from ..protocol.types import Raw
    resp3 = ctx.resp3
    out = [(b"%%%d\r\n" if resp3 else b"*%d\r\n") % (len(found) * (1 if resp3 else 2))]
    for name, doc in found:
        out.append(encode(name, resp3))
        out.append(encode(doc, resp3))
    return Raw(b"".join(out))


@subcommand("COMMAND", "LIST", arity=-2, flags="loading stale",
            summary="Get an array of Redis command names",
            complexity="O(N) where N is the total number of Redis commands", since="7.0.0")
def command_list(ctx, _, *args):
    names = []
    for c in _top_commands():
        names.append(c.name.encode())
        if c.subcommands:
            names.extend(s.fullname.encode() for s in c.subcommands.values())
    if args:
        if len(args) != 3 or args[0].upper() != b"FILTERBY":
            raise ReplyError(errors.SYNTAX)
        kind, val = args[1].upper(), args[2]
        if kind == b"PATTERN":
            names = [n for n in names if glob_match(val, n, nocase=True)]
        elif kind == b"ACLCAT":
            cat = val.decode("utf-8", "replace").lower()
            names = [n for n in names if cat in _find(n).acl_categories]
        elif kind == b"MODULE":
            from ..modules import host
            mod = host(ctx.engine).loaded.get(val.decode("utf-8", "surrogateescape"))
            names = [c.name.encode() for c in mod.commands] if mod is not None else []
        else:
            raise ReplyError(errors.SYNTAX)
    return names


def _getkeys(ctx, args):
    """The keys of a full command line, as ``[(key, key-spec flags)]`` (Redis'
    order of checks: command, has keys at all, arity, then the keys)."""
    if not args:
        raise ReplyError(errors.WRONG_ARITY % "command|getkeys")
    cmd = ctx.engine.table.get(args[0]) or ctx.engine.table.get(args[0].lower())
    if cmd is not None and cmd.subcommands and len(args) > 1:
        cmd = cmd.subcommands.get(args[1].decode("utf-8", "replace").lower())
    if cmd is None:
        raise ReplyError(errors.GETKEYS_INVALID_COMMAND)
    if not keyspecs.has_keys(cmd):
        raise ReplyError(errors.GETKEYS_NO_KEYS)
    n = cmd.arity
    argv = list(args)
    if (len(argv) != n) if n > 0 else (len(argv) < -n):
        raise ReplyError(errors.GETKEYS_ARITY)
    found = keyspecs.find_keys(cmd, argv)
    if not found and "no_mandatory_keys" not in cmd.flag_names:
        raise ReplyError(errors.GETKEYS_INVALID)
    return [(argv[p], flags) for p, flags in found]


@subcommand("COMMAND", "GETKEYS", arity=-4, flags="loading stale",
            summary="Extract keys given a full Redis command",
            complexity="O(N) where N is the number of arguments to the command", since="2.8.13")
def command_getkeys(ctx, _, *args):
    return [k for k, _ in _getkeys(ctx, args)]


@subcommand("COMMAND", "GETKEYSANDFLAGS", arity=-4, flags="loading stale",
            summary="Extract keys and access flags given a full Redis command",
            complexity="O(N) where N is the number of arguments to the command",
            since="7.0.0")
def command_getkeysandflags(ctx, _, *args):
    return [[k, RespSet(Status(f.encode()) for f in flags)] for k, flags in _getkeys(ctx, args)]


@subcommand("COMMAND", "HELP", arity=2, flags="loading stale",
            summary="Show helpful text about the different subcommands",
            complexity="O(1)", since="5.0.0")
def command_help(ctx, _):
    return [Status(s.encode()) for s in (
        "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "(no subcommand)", "    Return details about all Redis commands.",
        "COUNT", "    Return the total number of commands in this Redis server.",
        "LIST", "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]", "    Return details about multiple Redis commands.",
        "DOCS [<command-name> ...]", "    Return documentation details about multiple "
        "Redis commands.", "GETKEYS <full-command>", "    Return the keys from a full Redis "
        "command.", "HELP", "    Print this help.")]


# COMMAND with no subcommand is itself a command: register the container's handler
COMMANDS["command"].fn = command_
COMMANDS["command"].arity = -1


# -- DEBUG (only what clients and tests need) ----------------------------------------
@command("DEBUG", arity=-2, flags="admin noscript loading stale", group="server",
         summary="A container for debugging commands", complexity="Depends on subcommand.")
def debug(ctx, sub, *args):
    mode = ctx.engine.config["enable-debug-command"]
    if mode == "no" or (mode == "local" and not ctx.unix_socket
                        and not ctx.addr.startswith(("127.", "::1", "[::1]"))):
        raise ReplyError("ERR DEBUG command not allowed. If the enable-debug-command option is "
                         "set to \"local\", you can run it from a local connection, otherwise "
                         "you need to set this option in the configuration file, and then "
                         "restart the server.")
    s = sub.upper()
    if s == b"SLEEP" and args:
        from ..util import parse_float
        time.sleep(parse_float(args[0]))
        return OK
    if s == b"SET-ACTIVE-EXPIRE":
        return OK
    if s == b"JMAP":
        return OK
    raise ReplyError("ERR unknown subcommand '%s'. Try DEBUG HELP."
                     % sub.decode("utf-8", "replace"))


@command("MONITOR", arity=1, flags="admin noscript loading stale", group="server",
         summary="Listen for all requests received by the server in real time",
         since="1.0.0", complexity="")
def monitor(ctx):
    if ctx.in_exec:
        raise ReplyError("ERR MONITOR isn't allowed for DENY BLOCKING client")
    if ctx.monitor:
        return NO_REPLY                  # already monitoring: Redis says nothing
    ctx.monitor = True
    ctx.engine.monitors.append(ctx)
    return OK
