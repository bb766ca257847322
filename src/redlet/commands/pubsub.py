"""Pub/sub: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, the
shard forms (SSUBSCRIBE, SUNSUBSCRIBE, SPUBLISH) and PUBSUB introspection.

The subscription tables live in the engine (``channels``, ``patterns``,
``shard_channels``: name -> set of clients) and each client keeps its own
(``subscriptions``, ``psubscriptions``, ``ssubscriptions``); the engine
delivers messages (``Engine.publish``) and drops a closed client's
subscriptions.  A RESP2 client with a subscription may only run the
commands of ``core._SUBSCRIBED_ALLOWED``; a RESP3 client runs anything and
gets messages as ``>`` pushes.

Confirmations are one push per channel: ``[kind, channel, count]`` where the
count is the client's channel plus pattern subscriptions (shard channels
count apart, as in Redis 7.0).
"""
from .. import errors
from ..errors import ReplyError
from ..protocol import Push, Replies, Status
from ..util import glob_match
from .registry import command, container, subcommand


def _count(ctx):
    return len(ctx.subscriptions) + len(ctx.psubscriptions)


def _shard_count(ctx):
    return len(ctx.ssubscriptions)


def _subscribe(ctx, table, mine, kind, names, count):
    out = Replies()
    for name in names:
        if name not in mine:
            mine[name] = None
            table.setdefault(name, set()).add(ctx)
        out.append(Push([kind, name, count(ctx)]))
    return out


def _unsubscribe(ctx, table, mine, kind, names, count):
    engine = ctx.engine
    out = Replies()
    for name in names or list(mine):
        if name in mine:
            del mine[name]
            engine._unsubscribe(table, ctx, name)
        out.append(Push([kind, name, count(ctx)]))
    if not out:                       # subscribed to nothing: one reply, null channel
        out.append(Push([kind, None, count(ctx)]))
    return out


_SUB = {"flags": "pubsub noscript loading stale", "group": "pubsub"}


@command("SUBSCRIBE", arity=-2, summary="Listen for messages published to the given channels",
         since="2.0.0", complexity="O(N) where N is the number of channels to subscribe to.",
         **_SUB)
def subscribe(ctx, *channels):
    return _subscribe(ctx, ctx.engine.channels, ctx.subscriptions, b"subscribe", channels,
                      _count)


@command("UNSUBSCRIBE", arity=-1, summary="Stop listening for messages posted to the given "
                                          "channels",
         since="2.0.0", complexity="O(N) where N is the number of clients already subscribed "
                                   "to a channel.", **_SUB)
def unsubscribe(ctx, *channels):
    return _unsubscribe(ctx, ctx.engine.channels, ctx.subscriptions, b"unsubscribe",
                        channels, _count)


@command("PSUBSCRIBE", arity=-2, summary="Listen for messages published to channels matching the "
                                         "given patterns",
         since="2.0.0", complexity="O(N) where N is the number of patterns the client is already "
                                   "subscribed to.",
         **_SUB)
def psubscribe(ctx, *patterns):
    return _subscribe(ctx, ctx.engine.patterns, ctx.psubscriptions, b"psubscribe", patterns,
                      _count)


@command("PUNSUBSCRIBE", arity=-1, summary="Stop listening for messages posted to channels "
                                           "matching the given patterns",
         since="2.0.0", complexity="O(N+M) where N is the number of patterns the client is "
                                   "already subscribed and M is the number of total patterns "
                                   "subscribed in the system (by any client).",
         **_SUB)
def punsubscribe(ctx, *patterns):
    return _unsubscribe(ctx, ctx.engine.patterns, ctx.psubscriptions, b"punsubscribe",
                        patterns, _count)


@command("SSUBSCRIBE", arity=-2, keys=(1, -1, 1),
         summary="Listen for messages published to the given shard channels", since="7.0.0",
         complexity="O(N) where N is the number of shard channels to subscribe to.", **_SUB)
def ssubscribe(ctx, *channels):
    if ctx.in_exec:
        # EXEC denies blocking, and SSUBSCRIBE (unlike SUBSCRIBE) has no
        # exception for transactions in Redis 7.0
        raise ReplyError(errors.SSUBSCRIBE_DENY_BLOCKING)
    return _subscribe(ctx, ctx.engine.shard_channels, ctx.ssubscriptions, b"ssubscribe",
                      channels, _shard_count)


@command("SUNSUBSCRIBE", arity=-1, keys=(1, -1, 1),
         summary="Stop listening for messages posted to the given shard channels", since="7.0.0",
         complexity="O(N) where N is the number of clients already subscribed to a shard "
                    "channel.", **_SUB)
def sunsubscribe(ctx, *channels):
    return _unsubscribe(ctx, ctx.engine.shard_channels, ctx.ssubscriptions, b"sunsubscribe",
                        channels, _shard_count)


@command("PUBLISH", arity=3, flags="pubsub loading stale fast may_replicate", group="pubsub",
         summary="Post a message to a channel", since="2.0.0",
         complexity="O(N+M) where N is the number of clients subscribed to the receiving "
                    "channel and M is the total number of subscribed patterns (by any client).")
def publish(ctx, channel, message):
    return ctx.engine.publish(channel, message)


@command("SPUBLISH", arity=3, flags="pubsub loading stale fast may_replicate", keys=(1, 1, 1),
         group="pubsub", summary="Post a message to a shard channel", since="7.0.0",
         complexity="O(N) where N is the number of clients subscribed to the receiving shard "
                    "channel.")
def spublish(ctx, channel, message):
    engine = ctx.engine
    subs = engine.shard_channels.get(channel)
    if not subs:
        return 0
    for c in subs:
        engine._push(c, Push([b"smessage", channel, message]))
    return len(subs)


# -- PUBSUB ---------------------------------------------------------------------------
container("PUBSUB", group="pubsub", summary="A container for Pub/Sub commands",
          since="2.8.0")

_PUBSUB = {"flags": "pubsub loading stale"}


def _matching(table, pattern):
    if pattern is None:
        return list(table)
    return [name for name in table if glob_match(pattern, name)]


@subcommand("PUBSUB", "CHANNELS", arity=-2, summary="List active channels",
            since="2.8.0", complexity="O(N) where N is the number of active channels, and "
                                      "assuming constant time pattern matching (relatively "
                                      "short channels and patterns)", **_PUBSUB)
def pubsub_channels(ctx, sub, *pattern):
    if len(pattern) > 1:
        raise ReplyError(errors.SUBCOMMAND_SYNTAX % (sub.decode("utf-8", "replace"),
                                                         "PUBSUB"))
    return _matching(ctx.engine.channels, pattern[0] if pattern else None)


@subcommand("PUBSUB", "NUMSUB", arity=-2,
            summary="Get the count of subscribers for channels", since="2.8.0",
            complexity="O(N) for the NUMSUB subcommand, where N is the number of requested "
                       "channels", **_PUBSUB)
def pubsub_numsub(ctx, _, *channels):
    table = ctx.engine.channels
    out = []
    for ch in channels:
        out += [ch, len(table.get(ch, ()))]
    return out


@subcommand("PUBSUB", "NUMPAT", arity=2,
            summary="Get the count of unique patterns pattern subscriptions", since="2.8.0",
            complexity="O(1)", **_PUBSUB)
def pubsub_numpat(ctx, _):
    return len(ctx.engine.patterns)


@subcommand("PUBSUB", "SHARDCHANNELS", arity=-2, summary="List active shard channels",
            since="7.0.0", complexity="O(N) where N is the number of active shard channels, "
                                      "and assuming constant time pattern matching "
                                      "(relatively short shard channels).", **_PUBSUB)
def pubsub_shardchannels(ctx, sub, *pattern):
    if len(pattern) > 1:
        raise ReplyError(errors.SUBCOMMAND_SYNTAX % (sub.decode("utf-8", "replace"),
                                                         "PUBSUB"))
    return _matching(ctx.engine.shard_channels, pattern[0] if pattern else None)


@subcommand("PUBSUB", "SHARDNUMSUB", arity=-2,
            summary="Get the count of subscribers for shard channels", since="7.0.0",
            complexity="O(N) for the SHARDNUMSUB subcommand, where N is the number of "
                       "requested shard channels", **_PUBSUB)
def pubsub_shardnumsub(ctx, _, *channels):
    table = ctx.engine.shard_channels
    out = []
    for ch in channels:
        out += [ch, len(table.get(ch, ()))]
    return out


@subcommand("PUBSUB", "HELP", arity=2, flags="loading stale",
            summary="Show helpful text about the different subcommands", since="6.2.0",
            complexity="O(1)")
def pubsub_help(ctx, _):
    return [Status(s.encode()) for s in (
        "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "SHARDCHANNELS [<pattern>]",
        ("    Return the currently active shard level channels matching a <pattern> "
         "(default: '*')."),
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Return the number of subscribers for the specified shard level channel(s)",
        "HELP",
        "    Prints this help.",
    )]
