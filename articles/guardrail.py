"""The sponsored-content guardrail: promotion outside a sponsored section is flagged for editors.

Sponsored material is allowed only inside a "Sponsored" block, which readers
see labelled and whose links carry rel="sponsored". Anywhere else on the page,
a link to a commercial site or wording that sells a product is flagged: shown
to the editor on the page and listed in the "Sponsored content check" report.
"""

import re
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

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
PROMOTION_PATTERNS = [
    (re.compile(r"[®™]"), "a trademark sign"),
    (re.compile(r"\b(buy|order|shop) (now|today|online)\b", re.I), "a call to buy"),
    (re.compile(r"\b(discount|coupon|promo(tion)? code|special offer|free trial)\b", re.I), "an offer"),
    (re.compile(r"\bfull (benefit|risk|prescribing)[/ -]*(risk )?information\b", re.I), "product safety boilerplate"),
    (re.compile(r"\b(a|our) new (treatment|device|product)\b", re.I), "product launch wording"),
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


def _html_of(block):
    value = block.value
    if block.block_type == "paragraph":
        return value.source
    if block.block_type == "callout":
        return value["text"].source
    if block.block_type == "list":
        return "".join(item.source for item in value["items"])
    if block.block_type == "quote":
        return value["quote"]
    if block.block_type == "heading":
        return value["text"]
    return ""


def promotion_findings(page, site_hosts=()):
    """What looks like promotion outside the page's sponsored sections, as readable sentences."""
    findings = []
    texts = [("the short answer" if hasattr(page, "audio_duration") else "the introduction", page.summary or "")]
    for index, block in enumerate(page.body or [], start=1):
        if block.block_type == "sponsored":
            continue
        texts.append((f"block {index} ({block.block_type.replace('_', ' ')})", _html_of(block)))
    for where, html in texts:
        soup = BeautifulSoup(html, "html.parser")
        for link in soup.find_all("a", href=True):
            if link["href"].startswith(("http://", "https://")) and not _domain_is_non_commercial(
                link["href"], site_hosts
            ):
                findings.append(
                    f"A link to {urlsplit(link['href']).hostname} in {where} is outside a sponsored section."
                )
        text = soup.get_text(" ")
        for url in re.findall(r"\bhttps?://[^\s<>\"]+|\bwww\.[^\s<>\"]+", text):
            target = url if url.startswith("http") else "https://" + url
            if not _domain_is_non_commercial(target.rstrip(".,;)"), site_hosts):
                findings.append(f"A web address ({url.rstrip('.,;)')}) in {where} is outside a sponsored section.")
        for pattern, label in PROMOTION_PATTERNS:
            match = pattern.search(text)
            if match:
                findings.append(f"{label.capitalize()} (“{match.group(0)}”) in {where} reads like promotion.")
    return sorted(set(findings), key=findings.index)
