# Varnish in front of `qapress serve`: pages and anonymous GraphQL GET answers cached by their cache tags,
# purged exactly by them, and served stale while qapress is down.
#
# qapress sends every cacheable answer's tags in Surrogate-Key; they become the object's xkey (vmod xkey,
# Debian's varnish-modules package) and its x-qapress-tags header (for bans). The purge worker
# (QAPRESS_PURGE_VARNISH_URLS) sends either `PURGE /` with `xkey-purge: a6646098 n7 ...`
# (QAPRESS_PURGE_VARNISH_METHOD=xkey, the default) or `BAN /` with `x-ban-tags: a6646098 n7 ...` (ban).
# A proxy without the xkey vmod runs qapress-ban.vcl beside this file instead: the same caching, BAN only.
# Edit the backend (and the purgers ACL) for your deployment; run it with
# `varnishd -f /path/to/qapress.vcl -a :80`.
vcl 4.1;

import std;
import xkey;

backend qapress {
    .host = "127.0.0.1";
    .port = "8000";
    # Whether qapress answers: while it does not, a cached answer is served stale for as long as its
    # stale-if-error allows (vcl_recv below); while it does, for stale-while-revalidate only. Three of the
    # last five probes must pass: a busy moment's slow answer does not take the backend out.
    .probe = {
        .url = "/healthz";
        .interval = 2s;
        .timeout = 2s;
        .window = 5;
        .threshold = 3;
        .initial = 3;
    }
}

# Who may purge and ban: the hosts running qapress's purge worker.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "Send the tags to purge in xkey-purge"));
        }
        set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.n-gone + " objects"));
    }
    if (req.method == "BAN") {
        call qapress_ban;
    }
    # stale-while-revalidate while qapress answers; the object's whole grace (its stale-if-error) when not.
    if (std.healthy(req.backend_hint)) {
        set req.grace = 30s;
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # GraphQL by GET is shared between anonymous clients only: anyone who shows who they are (the admin
    # secret, a role, a token, a session cookie) is answered by qapress alone. POST is never cached.
    if (req.url ~ "^/v1/graphql(\?|$)") {
        if (req.http.Authorization || req.http.Cookie || req.http.X-Hasura-Admin-Secret
                || req.http.X-Hasura-Role) {
            return (pass);
        }
        return (hash);
    }
    # The rest of the API, the newsroom and the operations endpoints are never shared between clients.
    if (req.url ~ "^/(v1|v1alpha1|newsroom)(/|\?|$)" || req.url ~ "^/(healthz|readyz|metrics)") {
        return (pass);
    }
    # Pages are the same for every reader.
    unset req.http.Cookie;
    unset req.http.Authorization;
    return (hash);
}

# BAN / with `x-ban-tags: tag tag ...`: every object carrying one of the tags as a whole word goes. The ban
# reads obj.* only, so the ban lurker evicts in the background too.
sub qapress_ban {
    if (client.ip !~ purgers) {
        return (synth(403, "Forbidden"));
    }
    # Cache tags are letters, digits and '_' (site/cache_tags.py): anything else is no tag, and would be
    # read as a regular expression.
    if (req.http.x-ban-tags !~ "^ *[a-z0-9_]+( +[a-z0-9_]+)* *$") {
        return (synth(400, "Send the tags to ban in x-ban-tags, separated by spaces"));
    }
    set req.http.x-ban-tags = regsuball(regsuball(req.http.x-ban-tags, "^ +| +$", ""), " +", "|");
    # No space in the expression's argument (a ban splits its expression at spaces): \s, not " ".
    if (std.ban("obj.http.x-qapress-tags ~ (^|\s)(" + req.http.x-ban-tags + ")(\s|$)")) {
        return (synth(200, "Banned"));
    }
    return (synth(400, std.ban_error()));
}

sub vcl_backend_response {
    if (beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
        set beresp.http.x-qapress-tags = beresp.http.Surrogate-Key;
        # A change purges the answer at once, so Varnish may keep it longer than browsers do (qapress's own
        # page cache keeps a page an hour too: the link form's token stays valid that long).
        if (beresp.status == 200 || beresp.status == 301 || beresp.status == 404 || beresp.status == 410) {
            set beresp.ttl = 1h;
        }
    }
    call qapress_stale;
}

# How long an expired answer may still be served: its stale-if-error (qapress sends it on pages), as
# grace; vcl_recv cuts that to stale-while-revalidate while the backend is healthy.
sub qapress_stale {
    if (beresp.http.Cache-Control ~ "stale-if-error=[0-9]+") {
        set beresp.grace = std.duration(
            regsub(beresp.http.Cache-Control, "^.*stale-if-error=([0-9]+).*$", "\1s"), 0s);
    }
    # Kept past its grace for a conditional fetch (If-None-Match / If-Modified-Since).
    set beresp.keep = 24h;
    # A failed background fetch keeps the stale object instead of replacing it with the error.
    if (beresp.status >= 500 && bereq.is_bgfetch) {
        return (abandon);
    }
}

# qapress is down and nothing is cached to stand in: a plain page saying so, not Varnish's own (for
# GraphQL, an answer in Hasura's error shape).
sub vcl_backend_error {
    set beresp.http.Cache-Control = "no-store";
    set beresp.http.Retry-After = "30";
    if (bereq.url ~ "^/v1(alpha1)?/graphql") {
        set beresp.http.Content-Type = "application/json; charset=utf-8";
        set beresp.body = """{"errors":[{"message":"the service is unavailable: try again in a minute","extensions":{"path":"$","code":"unexpected"}}]}""";
        return (deliver);
    }
    set beresp.http.Content-Type = "text/html; charset=utf-8";
    set beresp.body = {"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Service unavailable</title></head>
<body><h1>Service unavailable</h1><p>This page cannot be shown right now. Please try again in a minute.</p></body>
</html>
"};
    return (deliver);
}

sub vcl_deliver {
    unset resp.http.xkey;
    unset resp.http.x-qapress-tags;
}
