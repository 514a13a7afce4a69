vcl 4.1;

# The Varnish in front of the site for `make cdn` (scripts/cdn_purge.py), and a starting point for a
# real one (docs/deploy.md, "CDN purging, tested against Varnish").
#
# - Anonymous GET and HEAD requests are cached for as long as the site's Cache-Control says
#   (s-maxage: 10 minutes when the site is configured to purge a CDN, else 1 minute); requests
#   with a cookie or an Authorization header (editors, the admin) and responses that set a
#   cookie or are private are passed through. That is Varnish's built-in VCL, which runs after
#   the subroutines below whenever they do not return.
# - PURGE drops every cached variant of the URL, for the Host the request names: what
#   wagtail.contrib.frontend_cache's HTTPBackend sends (FRONTEND_CACHE_PURGE_URL) when a page is
#   published or unpublished, for the page and the pages that list it. Only from the purgers below.
# - X-Cache says HIT or MISS (as does X-Varnish: two numbers on a hit, one on a miss).
#
# scripts/cdn_purge.py replaces the backend's port with that of the gunicorn it starts.

backend default {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 5s;
    .first_byte_timeout = 35s;
}

# Who may purge: the site's own machines. Behind a load balancer, name the app servers here.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(405, "Purging is not allowed from " + client.ip));
        }
        return (purge);
    }
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
