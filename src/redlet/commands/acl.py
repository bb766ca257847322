"""ACL commands (Redis 7.0): SETUSER, GETUSER, DELUSER, LIST, USERS, WHOAMI, CAT,
GENPASS, DRYRUN, LOG, SAVE, LOAD, HELP.  The users live in the engine's ACL
extension (``redlet.acl``, ``engine.acl``)."""
import os
import time

from .. import errors
from ..errors import ReplyError
from ..protocol import OK, Raw, RespSet, Status
from ..util import parse_int
from .registry import container, subcommand

container("ACL", group="server", summary="A container for Access List Control commands",
          since="6.0.0")
_ADMIN = "admin noscript loading stale"


def _acl(ctx):
    return ctx.engine.acl


def _name(b):
    return b.decode("utf-8", "replace")


@subcommand("ACL", "SETUSER", arity=-3, flags=_ADMIN, since="6.0.0",
            summary="Modify or create the rules for a specific ACL user",
            complexity="O(N). Where N is the number of rules provided.")
def acl_setuser(ctx, _, username, *rules):
    _acl(ctx).setuser(_name(username), list(rules))
    return OK


@subcommand("ACL", "GETUSER", arity=3, flags=_ADMIN, since="6.0.0",
            summary="Get the rules for a specific ACL user",
            complexity="O(N). Where N is the number of password, command and pattern rules "
                       "that the user has.")
def acl_getuser(ctx, _, username):
    acl = _acl(ctx)
    u = acl.users.get(_name(username))
    if u is None:
        return None
    return {
        b"flags": RespSet(acl.flags(u)),
        b"passwords": [h.encode() for h in u.passwords],
        b"commands": acl.describe_commands(u).encode("utf-8", "surrogateescape"),
        b"keys": acl.describe_keys(u).encode("utf-8", "surrogateescape"),
        b"channels": acl.describe_channels(u).encode("utf-8", "surrogateescape"),
        b"selectors": [],
    }


@subcommand("ACL", "DELUSER", arity=-3, flags=_ADMIN, since="6.0.0",
            summary="Remove the specified ACL users and the associated rules",
            complexity="O(1) amortized time considering the typical user.")
def acl_deluser(ctx, _, *usernames):
    names = [_name(u) for u in usernames]
    if "default" in names:
        raise ReplyError(errors.ACL_DEFAULT_UNDELETABLE)
    acl = _acl(ctx)
    n = 0
    for name in names:
        if acl.deluser(name):
            n += 1
            acl.kill_clients_of(name, ctx)
    return n


@subcommand("ACL", "LIST", arity=2, flags=_ADMIN, since="6.0.0",
            summary="List the current ACL rules in ACL config file format",
            complexity="O(N). Where N is the number of configured users.")
def acl_list(ctx, _):
    acl = _acl(ctx)
    return [acl.describe(acl.users[n]).encode("utf-8", "surrogateescape")
            for n in sorted(acl.users, key=lambda n: n.encode("utf-8", "surrogateescape"))]


@subcommand("ACL", "USERS", arity=2, flags=_ADMIN, since="6.0.0",
            summary="List the username of all the configured ACL rules",
            complexity="O(N). Where N is the number of configured users.")
def acl_users(ctx, _):
    return sorted(n.encode("utf-8", "surrogateescape") for n in _acl(ctx).users)


@subcommand("ACL", "WHOAMI", arity=2, flags="noscript loading stale", since="6.0.0",
            summary="Return the name of the user associated to the current connection",
            complexity="O(1)")
def acl_whoami(ctx, _):
    return ctx.user.encode("utf-8", "surrogateescape")


@subcommand("ACL", "CAT", arity=-2, flags="noscript loading stale", since="6.0.0",
            summary="List the ACL categories or the commands inside a category",
            complexity="O(1) since the categories and commands are a fixed set.")
def acl_cat(ctx, _, *args):
    from ..acl import CATEGORIES, categories_of
    if len(args) > 1:
        raise ReplyError(errors.SUBCOMMAND_SYNTAX % ("CAT", "ACL"))
    if not args:
        return [c.encode() for c in CATEGORIES]
    cat = args[0].lower().decode("utf-8", "replace")
    if cat not in CATEGORIES:
        raise ReplyError(errors.ACL_UNKNOWN_CATEGORY % _name(args[0]))
    from .registry import MODULE
    return [name.encode() for name, cmd in _acl(ctx)._all_commands().items()
            if not cmd.flags & MODULE and cat in categories_of(cmd)]


@subcommand("ACL", "GENPASS", arity=-2, flags="noscript loading stale", since="6.0.0",
            summary="Generate a pseudorandom secure password to use for ACL users",
            complexity="O(1)")
def acl_genpass(ctx, _, *args):
    if len(args) > 1:
        raise ReplyError(errors.SUBCOMMAND_SYNTAX % ("GENPASS", "ACL"))
    bits = 256
    if args:
        bits = parse_int(args[0])
        if bits <= 0 or bits > 4096:
            raise ReplyError(errors.ACL_GENPASS_BITS)
    chars = (bits + 3) // 4
    return os.urandom((chars + 1) // 2).hex()[:chars].encode()


@subcommand("ACL", "DRYRUN", arity=-4, flags=_ADMIN, since="7.0.0",
            summary="Returns whether the user can execute the given command without "
                    "executing the command.", complexity="O(1).")
def acl_dryrun(ctx, _, username, *argv):
    acl = _acl(ctx)
    u = acl.users.get(_name(username))
    if u is None:
        raise ReplyError(errors.ACL_USER_NOT_FOUND % _name(username))
    table = ctx.engine.table
    cmd = table.get(argv[0]) or table.get(argv[0].lower())
    if cmd is not None and cmd.subcommands and len(argv) > 1:
        cmd = cmd.subcommands.get(argv[1].lower().decode("utf-8", "replace"))
    if cmd is None:
        raise ReplyError(errors.ACL_COMMAND_NOT_FOUND % _name(argv[0]))
    n = cmd.arity
    if (len(argv) != n) if n > 0 else (len(argv) < -n):
        raise ReplyError(errors.WRONG_ARITY % cmd.fullname)
    denied = None if u.unrestricted else acl.denial(u, cmd, list(argv))
    if denied is None:
        return OK
    reason, obj = denied
    if reason == "command":
        return ("This user has no permissions to run the '%s' command" % obj).encode()
    return ("This user has no permissions to access the '%s' %s" % (obj, reason)).encode(
        "utf-8", "surrogateescape")


@subcommand("ACL", "LOG", arity=-2, flags=_ADMIN, since="6.0.0",
            summary="List latest events denied because of ACLs in place",
            complexity="O(N) with N being the number of entries shown.")
def acl_log(ctx, _, *args):
    acl = _acl(ctx)
    if len(args) > 1:
        raise ReplyError(errors.SUBCOMMAND_SYNTAX % ("LOG", "ACL"))
    count = 10
    if args:
        if args[0].upper() == b"RESET":
            acl.log.clear()
            return OK
        count = parse_int(args[0])
        count = max(count, 0)
    now = time.time()
    out = []
    for e in acl.log[:count]:
        age = repr(int((now - e["created"]) * 1000) / 1000)     # Redis: ms / 1000.0
        if age.endswith(".0"):
            age = age[:-2]
        out.append({
            b"count": e["count"],
            b"reason": e["reason"].encode(),
            b"context": e["context"].encode(),
            b"object": e["object"].encode("utf-8", "surrogateescape"),
            b"username": e["username"].encode("utf-8", "surrogateescape"),
            b"age-seconds": Raw(b",%s\r\n" % age.encode()) if ctx.resp3 else age.encode(),
            b"client-info": e["client-info"].encode("utf-8", "surrogateescape"),
        })
    return out


@subcommand("ACL", "SAVE", arity=2, flags=_ADMIN, since="6.0.0",
            summary="Save the current ACL rules in the configured ACL file",
            complexity="O(N). Where N is the number of configured users.")
def acl_save(ctx, _):
    path = ctx.engine.config["aclfile"]
    if not path:
        raise ReplyError(errors.ACL_NO_FILE)
    try:
        _acl(ctx).save(path)
    except OSError:
        raise ReplyError("ERR There was an error trying to save the ACLs. Please check the "
                         "server logs for more information") from None
    return OK


@subcommand("ACL", "LOAD", arity=2, flags=_ADMIN, since="6.0.0",
            summary="Reload the ACLs from the configured ACL file",
            complexity="O(N). Where N is the number of configured users.")
def acl_load(ctx, _):
    path = ctx.engine.config["aclfile"]
    if not path:
        raise ReplyError(errors.ACL_NO_FILE)
    err = _acl(ctx).load(path)
    if err:
        raise ReplyError("ERR " + err)
    return OK


@subcommand("ACL", "HELP", arity=2, flags="loading stale", since="6.0.0",
            summary="Show helpful text about the different subcommands", complexity="O(1)")
def acl_help(ctx, _):
    return [Status(s.encode()) for s in (
        "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CAT [<category>]",
        "    List all commands that belong to <category>, or all command categories",
        "    when no category is specified.",
        "DELUSER <username> [<username> ...]",
        "    Delete a list of users.",
        "DRYRUN <username> <command> [<arg> ...]",
        "    Returns whether the user can execute the given command without executing the "
        "command.",
        "GETUSER <username>",
        "    Get the user's details.",
        "GENPASS [<bits>]",
        "    Generate a secure 256-bit user password. The optional `bits` argument can",
        "    be used to specify a different size.",
        "LIST",
        "    Show users details in config file format.",
        "LOAD",
        "    Reload users from the ACL file.",
        "LOG [<count> | RESET]",
        "    Show the ACL log entries.",
        "SAVE",
        "    Save the current config to the ACL file.",
        "SETUSER <username> <attribute> [<attribute> ...]",
        "    Create or modify a user with the specified attributes.",
        "USERS",
        "    List all the registered usernames.",
        "WHOAMI",
        "    Return the current connection username.",
        "HELP",
        "    Prints this help.")]


