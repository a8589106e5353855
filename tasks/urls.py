"""URL identity: normalisation, tracking-parameter and AMP removal, link resolution, same-site checks."""

from __future__ import annotations

import logging
import re
import string
from collections.abc import Sequence
from typing import NamedTuple
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

import idna
from courlan import extract_domain

logger = logging.getLogger(__name__)

# Query parameters that only say how a reader arrived (campaigns, click ids, referrers), never
# which document: removing them lets one article reached through several links be one URL.
# Keys are compared lower-cased; every key starting with a TRACKING_PREFIXES entry goes too.
TRACKING_PREFIXES = ("utm_",)
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "ysclid",
        "twclid", "ttclid", "li_fat_id", "igshid", "igsh", "mc_cid", "mc_eid", "_ga", "_gl",
        "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_conv", "vero_id",
        "at_medium", "at_campaign", "at_custom1", "at_custom2", "at_custom3", "at_custom4",
        "xtor", "ncid", "ocid", "cmpid", "cmp", "ref", "ref_src", "ref_url", "fb_action_ids",
        "fb_action_types", "fb_ref", "fb_source", "wt.mc_id", "s_cid", "sr_share",
    }
)  # fmt: skip
HTTP_SCHEMES = frozenset({"http", "https"})
DEFAULT_PORTS = {"http": 80, "https": 443}
# What WHATWG URL parsing ignores: tabs and newlines anywhere, C0 controls and spaces at the ends.
IGNORED_IN_URL = re.compile(r"[\t\n\r]")
EDGE_JUNK = "".join(map(chr, range(0x21)))
PERCENT_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
# RFC 3986 sub-delims plus ":@/?" stay as written; "%" is kept so existing escapes survive quote().
SAFE_CHARS = "!$&'()*+,;=:@/?%"
ASCII_HOST = re.compile(r"^[a-z0-9._-]+$|^[0-9a-f:.]+$")
AMP_HOST_LABEL = "amp."
AMP_QUERY_KEY = "amp"
AMP_PATH_SEGMENT = "amp"
AMP_FILE_SUFFIX = re.compile(r"\.amp(?=\.html?$)|\.amp$")


class _Parts(NamedTuple):
    """A parsed http(s) URL, already normalised part by part."""

    scheme: str
    userinfo: str
    host: str
    port: int | None
    path: str
    query: tuple[str, ...]  # "key=value" pairs, sorted


def normalize_url(url: str, extra_tracking_params: Sequence[str] = ()) -> str | None:
    """The one spelling of an http(s) URL used for identity and deduplication.

    Lower-cases scheme and host, IDNA-encodes the host (punycode), drops default ports, the
    fragment, tracking parameters (TRACKING_PARAMS, utm_*, extra_tracking_params) and AMP
    markers (see strip_amp), sorts the query pairs and drops an empty query, resolves "." and
    ".." path segments and normalises percent-escapes (upper-case hex, unreserved characters
    decoded, spaces and non-ASCII encoded as UTF-8). The path is otherwise kept as written,
    trailing slash included ("/a/" and "/a" stay different); an empty path becomes "/".

    Args:
        url: an absolute URL.
        extra_tracking_params: more query keys to drop (case-insensitive), e.g. from settings.

    Returns:
        The normalised URL, or None when it is not http(s), has no host or cannot be parsed.

    """
    parts = _parse(url)
    if parts is None:
        return None
    dropped = {key.lower() for key in extra_tracking_params}
    query = tuple(pair for pair in parts.query if not _is_tracking(_query_key(pair), dropped))
    return _unparse(_drop_amp(parts._replace(query=query)))


def strip_amp(url: str) -> str:
    """The canonical form of an AMP URL: normalised, with the AMP markers removed.

    Handles an "amp" path segment (/2024/story/amp/ -> /2024/story/, /amp/story -> /story),
    ?amp / ?amp=1, the amp. subdomain (amp.example.com -> www.example.com, as AMP subdomains
    mirror the www site) and .amp.html / .amp file suffixes. Tracking parameters are kept.

    Returns:
        The URL without AMP markers; the input unchanged when it is not an http(s) URL.

    """
    parts = _parse(url)
    return url if parts is None else _unparse(_drop_amp(parts))


def resolve_link(
    link: str | None, base_url: str, extra_tracking_params: Sequence[str] = ()
) -> tuple[str | None, str | None]:
    """Resolve a link found in a document against the document's URL, then normalise it.

    Args:
        link: the link as written (relative or absolute, surrounding white space allowed).
        base_url: the URL of the document it was found in.
        extra_tracking_params: passed to normalize_url.

    Returns:
        (normalised URL, None) on success, else (None, problem) with problem "missing_link",
        "refused_scheme:<scheme>" (javascript:, data:, file:, mailto: ... anything but http(s))
        or "bad_url" (no scheme after resolution, no host, unparsable).

    """
    cleaned = IGNORED_IN_URL.sub("", link or "").strip(EDGE_JUNK)
    if not cleaned:
        return None, "missing_link"
    try:
        absolute = urljoin(base_url, cleaned)
        scheme = urlsplit(absolute).scheme.lower()
    except ValueError:  # e.g. a broken IPv6 literal
        return None, "bad_url"
    if not scheme:
        return None, "bad_url"
    if scheme not in HTTP_SCHEMES:
        return None, f"refused_scheme:{scheme}"
    url = normalize_url(absolute, extra_tracking_params)
    return (url, None) if url else (None, "bad_url")


def is_same_site(a: str, b: str) -> bool:
    """True when both URLs belong to the same registered domain (public-suffix aware).

    www.example.co.uk, amp.example.co.uk and example.co.uk are one site; user.github.io and
    other.github.io are not. Hosts without a registered domain (IP addresses, localhost)
    must be equal apart from a leading "www." or "amp.". Non-http(s) URLs are never same-site.
    """
    parts_a, parts_b = _parse(a), _parse(b)
    if parts_a is None or parts_b is None:
        return False
    return _site(parts_a.host) == _site(parts_b.host)


def site_domain(url: str | None) -> str | None:
    """The registered domain of an http(s) URL (example.co.uk for www.example.co.uk), else None."""
    parts = _parse(url) if url else None
    return _registered_domain(parts.host) if parts is not None else None


def choose_canonical(
    final_url: str, declared: str | None, extra_tracking_params: Sequence[str] = ()
) -> str:
    """The URL an article is known by: its declared canonical when trustworthy, else where we landed.

    The declared URL (<link rel=canonical>, og:url; may be relative) wins when it is http(s) and
    on the same site as final_url. It is ignored when it points at the site's home page while
    final_url does not: CMS templates that declare the home page as every page's canonical
    would otherwise merge all articles into one.

    Returns:
        The normalised chosen URL; final_url unchanged when it cannot be normalised.

    """
    final = normalize_url(final_url, extra_tracking_params) or final_url
    resolved, _problem = resolve_link(declared, final_url, extra_tracking_params)
    if resolved is None or not is_same_site(resolved, final):
        return final
    if urlsplit(resolved).path == "/" and urlsplit(final).path != "/":
        return final
    return resolved


def _parse(url: str) -> _Parts | None:
    """Split and normalise an http(s) URL; None when it is anything else or broken."""
    cleaned = IGNORED_IN_URL.sub("", url).strip(EDGE_JUNK)
    try:
        split = urlsplit(cleaned)
        port = split.port
    except ValueError:  # bad IPv6 literal or port
        return None
    scheme = split.scheme.lower()
    host = _normalize_host(split.hostname or "")
    if scheme not in HTTP_SCHEMES or host is None:
        return None
    userinfo = split.netloc.rpartition("@")[0]
    path = _remove_dot_segments(_normalize_escapes(split.path)) or "/"
    query = tuple(sorted(_normalize_escapes(pair) for pair in split.query.split("&") if pair))
    return _Parts(
        scheme, userinfo, host, None if port == DEFAULT_PORTS[scheme] else port, path, query
    )


def _unparse(parts: _Parts) -> str:
    host = f"[{parts.host}]" if ":" in parts.host else parts.host
    netloc = (f"{parts.userinfo}@" if parts.userinfo else "") + host
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "&".join(parts.query), ""))


def _normalize_host(host: str) -> str | None:
    """Lower-case ASCII (punycode) host without a trailing dot; None when not a valid host."""
    host = host.rstrip(".")
    if not host:
        return None
    if not host.isascii():
        try:
            host = idna.encode(host, uts46=True).decode("ascii")
        except idna.IDNAError:
            return None
    host = host.lower()
    return host if ASCII_HOST.match(host) else None


def _normalize_escapes(component: str) -> str:
    """One spelling per character: %7e -> ~, %2f -> %2F, " " -> %20, "é" -> %C3%A9, "%" -> %25."""
    component = PERCENT_ESCAPE.sub(_normalize_escape, LONE_PERCENT.sub("%25", component))
    return quote(component, safe=SAFE_CHARS)


def _normalize_escape(match: re.Match[str]) -> str:
    char = chr(int(match.group(1), 16))
    return char if char in UNRESERVED else f"%{match.group(1).upper()}"


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4 for absolute paths: /a/./b/../c -> /a/c."""
    if "/." not in path:
        return path
    output: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if len(output) > 1:
                output.pop()
        elif segment != ".":
            output.append(segment)
    trailing = "/" if path.endswith(("/.", "/..")) else ""
    return "/".join(output) + trailing


def _query_key(pair: str) -> str:
    return unquote(pair.partition("=")[0]).lower()


def _is_tracking(key: str, extra: set[str]) -> bool:
    return key in TRACKING_PARAMS or key in extra or key.startswith(TRACKING_PREFIXES)


def _drop_amp(parts: _Parts) -> _Parts:
    """Remove the AMP markers described in strip_amp."""
    host = parts.host
    if host.startswith(AMP_HOST_LABEL):
        registered = _registered_domain(host)
        if registered and host != registered:  # amp.dev itself is a site, not a marker
            host = host[len(AMP_HOST_LABEL) :]
            host = f"www.{host}" if host == registered else host
    segments = [s for s in parts.path.split("/") if s != AMP_PATH_SEGMENT]
    segments[-1] = AMP_FILE_SUFFIX.sub("", segments[-1])
    query = tuple(pair for pair in parts.query if _query_key(pair) != AMP_QUERY_KEY)
    return parts._replace(host=host, path="/".join(segments) or "/", query=query)


def _registered_domain(host: str) -> str | None:
    """example.co.uk for www.example.co.uk (public suffix list via courlan/tld); None for IPs."""
    if ":" in host:
        return None
    return extract_domain(f"http://{host}/")


def _site(host: str) -> str:
    return _registered_domain(host) or host.removeprefix("www.").removeprefix(AMP_HOST_LABEL)
