"""The sponsored-content guardrail: promotion outside a sponsored section is flagged for editors.

Sponsored material is allowed only inside a "Sponsored" block, which readers
see labelled and whose links carry rel="sponsored". Anywhere else on the page,
a link to a commercial site or wording that sells a product is flagged: shown
to the editor on the page and listed in the "Sponsored content check" report.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from bs4 import BeautifulSoup
from django.utils.html import escape

from .blocks import reader_html

# Sites whose links are references, not promotion: public health bodies, journals and indexes.
NON_COMMERCIAL_DOMAINS = (
    ".gov",
    ".gov.uk",
    ".nhs.uk",
    ".edu",
    ".ac.uk",
    ".int",
    "nih.gov",
    "doi.org",
    "pubmed.ncbi.nlm.nih.gov",
    "ncbi.nlm.nih.gov",
    "medlineplus.gov",
    "who.int",
    "cochranelibrary.com",
    "nejm.org",
    "thelancet.com",
    "bmj.com",
    "jamanetwork.com",
    "sciencedirect.com",
    "springer.com",
    "wiley.com",
    "nature.com",
    "wikipedia.org",
)
# What promotion sounds like, and what to call it in the editor's note. Each pattern is tried on the
# text of the summary and of each body block outside sponsored sections; the vocabulary is tested
# both ways in articles/tests/test_checks.py (promotion caught, everyday clinical wording left alone,
# "call 999 now" and "your GP may order a scan" included).
_BUY = r"(?i:buy|purchase|order|shop)"
PRODUCTS = (
    r"braces?|belts?|pillows?|mattress(es)?|cushions?|chairs?|creams?|gels?|patch(es)?|sprays?|tablets|capsules"
    r"|supplements?|devices?|machines?|insoles|supports?|apps?|kits?|programmes?|programs?"
)
PROMOTION_PATTERNS = [
    (re.compile(r"[®™]"), "a trademark sign"),
    # Calls to buy: a buying verb with "now", "today" or "online" close by, or aimed at a product.
    (re.compile(rf"\b{_BUY}\b(?:\W+\w+){{0,4}}?\W+(?i:now|today|online|here)\b"), "a call to buy"),
    (re.compile(r"\b(buy|purchase)\s+(our|my|one|yours|it|them|this|these)\b", re.I), "a call to buy"),
    (re.compile(r"\b(add to (cart|basket)|in stock|while stocks last|available to buy)\b", re.I), "a call to buy"),
    # Prices and discounts.
    (re.compile(r"[£$€¥]\s?\d[\d,]*(\.\d\d)?|\b\d+(\.\d\d)?\s?(pounds|dollars|euros|GBP|USD|EUR)\b", re.I), "a price"),
    (
        re.compile(
            r"\b(half[- ]price|\d+\s?(%|percent) off|discount(s|ed)?|coupons?|vouchers?|promo(tion(al)?)? codes?"
            r"|use code|save (up to )?\d+|on sale|sale price|bargains?|cheapest|lowest prices?|money[- ]back)\b",
            re.I,
        ),
        "a discount",
    ),
    (
        re.compile(
            r"\b((special|limited[- ]time|exclusive|introductory) offers?|offer ends|for a limited time"
            r"|free (trial|shipping|delivery|gift|sample)s?)\b",
            re.I,
        ),
        "an offer",
    ),
    # Brand pushes: a reader told to get or try a named product ("Get the SpineEase brace": a
    # capitalised name before a kind of product, or a name with a capital inside it; "Try the
    # Cat-Cow stretch", "Try the McKenzie exercises" and "Ask for an NHS referral" are not), the
    # seller speaking of its own product, or a marketing claim.
    (
        re.compile(
            r"\b(?i:get|try|choose|switch to|ask for|discover)\s+(?i:the|our|your|a|an)\s+(?:new\s+)?"
            rf"(?:(?!Ma?c[A-Z])[A-Z][a-z]+[A-Z][A-Za-z]*|[A-Z][\w-]*[a-z]\s+(?i:{PRODUCTS}))\b"
        ),
        "a brand push",
    ),
    (
        re.compile(r"\b(our|my) (new |own )?(brand|products?|devices?|range|formula|braces?|supplements?)\b", re.I),
        "a brand push",
    ),
    (re.compile(r"\b(a|our) new (treatment|device|product)\b", re.I), "product launch wording"),
    (
        re.compile(
            r"\b(number one|best[- ]sell(ing|er)|award[- ]winning|market[- ]leading|miracle (cure|treatment)"
            r"|guaranteed (results|relief|cure))\b|(?<!\w)#1\b",
            re.I,
        ),
        "a marketing claim",
    ),
    (re.compile(r"\bfull (benefit|risk|prescribing)[/ -]*(risk )?information\b", re.I), "product safety boilerplate"),
    (re.compile(r"\b\d+ ?(%|percent) of [A-Z][A-Za-z]+ patients\b"), "a claim about a brand's patients"),
]


def _domain_is_non_commercial(url, site_hosts):
    host = (urlsplit(url).hostname or "").lower()
    if not host or host in site_hosts:
        return True
    # ".gov" matches any government host; "nih.gov" matches nih.gov and its subdomains.
    return any(
        host.endswith(domain if domain.startswith(".") else "." + domain) or host == domain
        for domain in NON_COMMERCIAL_DOMAINS
    )


PROMOTION = "reads like promotion"
OUTSIDE_SPONSORED = "is outside a sponsored section"


@dataclass(frozen=True)
class Finding:
    """One piece of wording or one link that reads like promotion, and where it is."""

    place: str  # "summary", or the id of the body block, so the editor's note can sit beside it
    where: str  # how an editor names the place: "the short answer", "block 3 (paragraph)"
    found: str  # what was found: "A call to buy (“Buy our device now”)"
    verdict: str  # PROMOTION or OUTSIDE_SPONSORED

    @property
    def note(self):
        """For beside the place: "A call to buy (“Buy our device now”) reads like promotion."."""
        return f"{self.found} {self.verdict}."

    @property
    def sentence(self):
        """For reports and lists: "A call to buy (“Buy our device now”) in block 3 (paragraph) reads like ..."."""
        return f"{self.found} in {self.where} {self.verdict}."


def html_findings(html, site_hosts=()):
    """What in one piece of HTML reads like promotion, as (what was found, verdict) pairs."""
    found = []
    soup = BeautifulSoup(html, "html.parser")
    for link in soup.find_all("a", href=True):
        if link["href"].startswith(("http://", "https://")) and not _domain_is_non_commercial(
            link["href"], site_hosts
        ):
            found.append((f"A link to {urlsplit(link['href']).hostname}", OUTSIDE_SPONSORED))
    text = soup.get_text(" ")
    for url in re.findall(r"\bhttps?://[^\s<>\"]+|\bwww\.[^\s<>\"]+", text):
        target = url if url.startswith("http") else "https://" + url
        if not _domain_is_non_commercial(target.rstrip(".,;)"), site_hosts):
            found.append((f"A web address ({url.rstrip('.,;)')})", OUTSIDE_SPONSORED))
    labels = set()
    for pattern, label in PROMOTION_PATTERNS:
        match = pattern.search(text)
        if match and label not in labels:  # one note for each kind of promotion in a place
            labels.add(label)
            found.append((f"{label[0].upper()}{label[1:]} (“{match.group(0)}”)", PROMOTION))
    return list(dict.fromkeys(found))


def located_findings(page, site_hosts=()):
    """Every finding on the page outside its sponsored sections, with the place it was found."""
    places = [("summary", page.summary_label, escape(page.summary or ""))]
    for index, block in enumerate(page.body or [], start=1):
        places.append((block.id, f"block {index} ({block.block.label.lower()})", reader_html(block)))
    return [
        Finding(place, where, found, verdict)
        for place, where, html in places
        for found, verdict in html_findings(html, site_hosts)
    ]


def promotion_findings(page, site_hosts=()):
    """What looks like promotion outside the page's sponsored sections, as readable sentences."""
    return list(dict.fromkeys(finding.sentence for finding in located_findings(page, site_hosts)))
