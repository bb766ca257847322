"""Connection commands: PING, ECHO, QUIT, RESET, HELLO, AUTH, SELECT, CLIENT."""
from .. import REDIS_VERSION, errors
from ..errors import ReplyError
from ..protocol import OK, PONG, Status, Verbatim
from ..util import parse_int
from .registry import command, container, subcommand


@command("PING", arity=-1, flags="fast", group="connection",
         summary="Ping the server", complexity="O(1)")
def ping(ctx, *args):
    if len(args) > 1:
        raise ReplyError(errors.WRONG_ARITY % "ping")
    if (ctx.subscriptions or ctx.psubscriptions or ctx.ssubscriptions) and not ctx.resp3:
        return [b"pong", args[0] if args else b""]
    return args[0] if args else PONG


@command("ECHO", arity=2, flags="fast", group="connection",
         summary="Echo the given string", complexity="O(1)")
def echo(ctx, message):
    return message


@command("QUIT", arity=-1, flags="allow_busy no_auth fast", group="connection",
         summary="Close the connection", complexity="O(1)")
def quit_(ctx, *args):
    ctx.closing = True
    return OK


@command("RESET", arity=1, flags="noscript loading stale fast no_auth allow_busy",
         group="connection", summary="Reset the connection", since="6.2.0",
         complexity="O(1)")
def reset(ctx):
    engine = ctx.engine
    ctx.multi = None
    ctx.multi_error = False
    engine.unwatch_all(ctx)
    engine.unsubscribe_all(ctx)
    if ctx.monitor:
        ctx.monitor = False
        engine.monitors.remove(ctx)
    ctx.db = engine.dbs[0]
    ctx.resp3 = False
    ctx.name = b""
    ctx.no_evict = False
    if engine.auth_required():
        ctx.authenticated = False
        ctx.user = "default"
    return Status(b"RESET")


def _auth(ctx, user, password):
    if not ctx.engine.authenticate(user, password):
        raise ReplyError(errors.WRONGPASS)
    ctx.authenticated = True
    ctx.user = user.decode("utf-8", "replace")


@command("AUTH", arity=-2, flags="noscript loading stale fast no_auth allow_busy",
         group="connection", summary="Authenticate to the server",
         complexity="O(N) where N is the number of passwords defined for the user")
def auth(ctx, *args):
    if len(args) > 2:
        raise ReplyError(errors.SYNTAX)
    if len(args) == 1:
        if not ctx.engine.auth_required() and not ctx.engine.has_acl_users():
            raise ReplyError(errors.AUTH_NOT_CONFIGURED)
        _auth(ctx, b"default", args[0])
    else:
        _auth(ctx, args[0], args[1])
    return OK


@command("HELLO", arity=-1, flags="noscript loading stale fast no_auth allow_busy",
         group="connection", summary="Handshake with Redis", since="6.0.0",
         complexity="O(1)")
def hello(ctx, *args):
    proto = None
    if args:
        try:
            proto = parse_int(args[0])
        except ReplyError:
            raise ReplyError("ERR Protocol version is not an integer or out of range") from None
        if proto < 2 or proto > 3:
            raise ReplyError(errors.NOPROTO)
    i = 1
    user = password = name = None
    while i < len(args):
        opt = args[i].upper()
        more = len(args) - i - 1
        if opt == b"AUTH" and more >= 2:
            user, password = args[i + 1], args[i + 2]
            i += 3
        elif opt == b"SETNAME" and more >= 1:
            name = args[i + 1]
            _check_client_name(name)
            i += 2
        else:
            raise ReplyError("ERR Syntax error in HELLO option '%s'"
                             % args[i].decode("utf-8", "replace"))
    if user is not None:
        _auth(ctx, user, password)
    if not ctx.authenticated:
        raise ReplyError("NOAUTH HELLO must be called with the client already authenticated, "
                         "otherwise the HELLO <proto> AUTH <user> <pass> option can be used to "
                         "authenticate the client and select the RESP protocol version at the "
                         "same time")
    if name is not None:
        ctx.name = name
    if proto is not None:
        ctx.resp3 = proto == 3
    return {
        b"server": b"redis",
        b"version": REDIS_VERSION.encode(),
        b"proto": 3 if ctx.resp3 else 2,
        b"id": ctx.id,
        b"mode": b"standalone",
        b"role": b"master",
        b"modules": [],
    }


@command("SELECT", arity=2, flags="loading stale fast", group="connection",
         summary="Change the selected database for the current connection", complexity="O(1)")
def select(ctx, index):
    try:
        i = parse_int(index)
    except ReplyError:
        raise ReplyError(errors.NOT_INTEGER) from None
    if i < 0 or i >= len(ctx.engine.dbs):
        raise ReplyError(errors.DB_INDEX_OUT_OF_RANGE)
    ctx.db = ctx.engine.dbs[i]
    return OK


# -- CLIENT -------------------------------------------------------------------
container("CLIENT", group="connection", summary="A container for client connection commands",
          since="2.4.0")


def _check_client_name(name):
    for c in name:
        if c < 0x21 or c > 0x7E:
            raise ReplyError(errors.CLIENT_NAME_SPACES)


@subcommand("CLIENT", "ID", arity=2, flags="noscript loading stale",
            summary="Returns the client ID for the current connection",
            complexity="O(1)", since="5.0.0")
def client_id(ctx, _):
    return ctx.id


@subcommand("CLIENT", "SETNAME", arity=3, flags="noscript loading stale",
            summary="Set the current connection name",
            complexity="O(1)", since="2.6.9")
def client_setname(ctx, _, name):
    _check_client_name(name)
    ctx.name = name
    return OK


@subcommand("CLIENT", "GETNAME", arity=2, flags="noscript loading stale",
            summary="Get the current connection name",
            complexity="O(1)", since="2.6.9")
def client_getname(ctx, _):
    return ctx.name or None


@subcommand("CLIENT", "SETINFO", arity=4, flags="noscript loading stale",
            summary="Sets information specific to the client or connection.", since="7.2.0")
def client_setinfo(ctx, _, attr, value):
    a = attr.upper()
    for c in value:
        if c < 0x21 or c > 0x7E:
            raise ReplyError("ERR %s cannot contain spaces, newlines or special characters."
                             % a.decode("utf-8", "replace").lower())
    if a == b"LIB-NAME":
        ctx.lib_name = value
    elif a == b"LIB-VER":
        ctx.lib_ver = value
    else:
        raise ReplyError("ERR Unrecognized option '%s'" % attr.decode("utf-8", "replace"))
    return OK


def _client_text(lines):
    return Verbatim("".join(line + "\n" for line in lines).encode())


@subcommand("CLIENT", "LIST", arity=-2, flags="admin noscript loading stale",
            summary="Get the list of client connections",
            complexity="O(N) where N is the number of client connections", since="2.4.0")
def client_list(ctx, _, *args):
    clients = sorted(ctx.engine.clients.values(), key=lambda c: c.id)
    i = 0
    while i < len(args):
        opt = args[i].upper()
        if opt == b"TYPE" and i + 1 < len(args):
            kind = args[i + 1].lower()
            if kind not in (b"normal", b"master", b"replica", b"slave", b"pubsub"):
                raise ReplyError("ERR Unknown client type '%s'"
                                 % args[i + 1].decode("utf-8", "replace"))
            if kind == b"pubsub":
                clients = [c for c in clients if c.subscribed]
            elif kind == b"normal":
                clients = [c for c in clients if not c.subscribed]
            else:
                clients = []
            i += 2
        elif opt == b"ID" and i + 1 < len(args):
            ids = set()
            for a in args[i + 1:]:
                try:
                    v = parse_int(a)
                except ReplyError:
                    raise ReplyError("ERR Invalid client ID") from None
                if v <= 0:
                    raise ReplyError("ERR Invalid client ID")
                ids.add(v)
            clients = [c for c in clients if c.id in ids]
            i = len(args)
        else:
            raise ReplyError(errors.SYNTAX)
    return _client_text([c.info_line() for c in clients])


@subcommand("CLIENT", "INFO", arity=2, flags="noscript loading stale",
            summary="Returns information about the current client connection.",
            complexity="O(1)", since="6.2.0")
def client_info(ctx, _):
    return Verbatim((ctx.info_line() + "\n").encode())


@subcommand("CLIENT", "KILL", arity=-3, flags="admin noscript loading stale",
            summary="Kill the connection of a client",
            complexity="O(N) where N is the number of client connections", since="2.4.0")
def client_kill(ctx, _, *args):
    engine = ctx.engine
    clients = list(engine.clients.values())
    if len(args) == 1:          # old form: CLIENT KILL addr:port
        for c in clients:
            if c.addr == args[0].decode("utf-8", "replace"):
                _kill(engine, c, ctx)
                return OK
        raise ReplyError("ERR No such client")
    if len(args) % 2:
        raise ReplyError(errors.SYNTAX)
    skipme = True
    filters = []
    for i in range(0, len(args), 2):
        opt, val = args[i].upper(), args[i + 1]
        if opt == b"ID":
            try:
                cid = parse_int(val)
            except ReplyError:
                raise ReplyError("ERR client-id should be greater than 0") from None
            if cid <= 0:
                raise ReplyError("ERR client-id should be greater than 0")
            filters.append(lambda c, cid=cid: c.id == cid)
        elif opt == b"ADDR":
            filters.append(lambda c, v=val.decode("utf-8", "replace"): c.addr == v)
        elif opt == b"LADDR":
            filters.append(lambda c, v=val.decode("utf-8", "replace"): c.laddr == v)
        elif opt == b"USER":
            filters.append(lambda c, v=val.decode("utf-8", "replace"): c.user == v)
        elif opt == b"TYPE":
            kind = val.lower()
            if kind == b"pubsub":
                filters.append(lambda c: c.subscribed)
            elif kind == b"normal":
                filters.append(lambda c: not c.subscribed)
            elif kind in (b"master", b"replica", b"slave"):
                filters.append(lambda c: False)
            else:
                raise ReplyError("ERR Unknown client type '%s'" % val.decode("utf-8", "replace"))
        elif opt == b"SKIPME":
            v = val.lower()
            if v == b"yes":
                skipme = True
            elif v == b"no":
                skipme = False
            else:
                raise ReplyError(errors.SYNTAX)
        elif opt == b"MAXAGE":
            try:
                age = parse_int(val)
            except ReplyError:
                raise ReplyError(errors.SYNTAX) from None
            import time
            filters.append(lambda c, age=age: time.time() - c.created >= age)
        else:
            raise ReplyError(errors.SYNTAX)
    n = 0
    for c in clients:
        if skipme and c is ctx:
            continue
        if all(f(c) for f in filters):
            _kill(engine, c, ctx)
            n += 1
    return n


def _kill(engine, c, current):
    if c is current:
        c.closing = True      # closed after this reply is written
        return
    c.closing = True
    c.close()


@subcommand("CLIENT", "NO-EVICT", arity=3, flags="admin noscript loading stale",
            summary="Set client eviction mode for the current connection",
            complexity="O(1)", since="7.0.0")
def client_no_evict(ctx, _, mode):
    m = mode.upper()
    if m == b"ON":
        ctx.no_evict = True
    elif m == b"OFF":
        ctx.no_evict = False
    else:
        raise ReplyError(errors.SYNTAX)
    return OK


@subcommand("CLIENT", "GETREDIR", arity=2, flags="noscript loading stale",
            summary="Get tracking notifications redirection client ID if any",
            complexity="O(1)", since="6.0.0")
def client_getredir(ctx, _):
    return -1


@subcommand("CLIENT", "UNBLOCK", arity=-3, flags="admin noscript loading stale",
            summary="Unblock a client blocked in a blocking command from a different connection",
            complexity="O(log N) where N is the number of client connections", since="5.0.0")
def client_unblock(ctx, _, cid, *mode):
    from ..protocol import NULL_ARRAY
    try:
        target_id = parse_int(cid)
    except ReplyError:
        raise ReplyError(errors.NOT_INTEGER) from None
    if mode and (len(mode) > 1 or mode[0].upper() not in (b"TIMEOUT", b"ERROR")):
        raise ReplyError("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
    target = ctx.engine.clients.get(target_id)
    if target is None or target.blocked is None:
        return 0
    if mode and mode[0].upper() == b"ERROR":
        reply = ReplyError("UNBLOCKED client unblocked via CLIENT UNBLOCK")
    else:
        w = target.blocked
        reply = w.on_timeout() if w.on_timeout else None
        if reply is None:
            reply = NULL_ARRAY
    ctx.engine.unblock(target, reply)
    return 1


@subcommand("CLIENT", "HELP", arity=2, flags="loading stale",
            summary="Show helpful text about the different subcommands",
            complexity="O(1)", since="5.0.0")
def client_help(ctx, _):
    return [Status(s.encode()) for s in (
        "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ID", "    Return the ID of the current connection.",
        "INFO", "    Return information about the current client connection.",
        "GETNAME", "    Return the name of the current connection.",
        "KILL <ip:port>", "    Kill connection made from <ip:port>.",
        "LIST [options ...]", "    Return information about client connections.",
        "SETNAME <name>", "    Assign the name <name> to the current connection.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]",
        "    Unblock the specified blocked client.",
        "HELP", "    Print this help.",
    )]

