# Varnish in front of `qapress serve`: pages cached by their cache tags and purged exactly by them.
#
# qapress sends every page's tags in Surrogate-Key; they become the object's xkey (vmod xkey, Debian's
# varnish-modules package), and the purge worker (QAPRESS_PURGE_VARNISH_URLS) sends
# `PURGE /` with `xkey-purge: a6646098 n7 ...` when a change touches them. Edit the backend (and the
# purgers ACL) for your deployment; run it with `varnishd -f /path/to/qapress.vcl -a :80`.
vcl 4.1;

import xkey;

backend qapress {
    .host = "127.0.0.1";
    .port = "8000";
}

# Who may purge: the hosts running qapress's purge worker.
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
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # The API, the newsroom and the operations endpoints are never shared between clients.
    if (req.url ~ "^/(v1|v1alpha1|newsroom)(/|\?|$)" || req.url ~ "^/(healthz|readyz|metrics)") {
        return (pass);
    }
    # Pages are the same for every reader.
    unset req.http.Cookie;
    unset req.http.Authorization;
    return (hash);
}

sub vcl_backend_response {
    if (beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
        # A change purges the page at once, so Varnish may keep it longer than browsers do (qapress's own
        # page cache keeps a page an hour too: the link form's token stays valid that long).
        if (beresp.status == 200 || beresp.status == 301 || beresp.status == 404 || beresp.status == 410) {
            set beresp.ttl = 1h;
        }
    }
    # stale-if-error: keep an expired page a day, and while qapress fails, keep serving it.
    set beresp.keep = 24h;
    if (beresp.status >= 500 && bereq.is_bgfetch) {
        return (abandon);
    }
}

sub vcl_deliver {
    unset resp.http.xkey;
}
