"""A corpus of hostile values for every public parameter, and hypothesis strategies built on it.

Each value is a `str` (sent percent-encoded as UTF-8; lone surrogates become the invalid byte
sequences a real client could send) or `bytes` (sent as those exact bytes, percent-encoded).
test_hostile_input.py sends them to the search, listings, feed, sitemap, API and page paths.
"""

from urllib.parse import quote

from hypothesis import strategies as st

LONG = [
    "a" * 256,
    "a" * 1001,
    "a" * 5000,
    "x" * 65_536,
    "disc " * 2000,
    "é" * 3000,
    "😀" * 2000,
    "%" * 1000,
    "-" * 3000,
    "'" * 1000,
    "\\" * 1000,
    "(" * 1000,
    "9" * 5000,  # more digits than Python's int() accepts (4300)
    "a/" * 500,
    "{{" * 500,
]

CONTROL = [chr(code) for code in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]] + [
    "a\x00b",
    "\x00" * 100,
    "disc\x00pain",
    "\x00' OR 1=1 --",
    "\r\nSet-Cookie: sessionid=x",
    "a\rb\nc",
    "\x1b[31mred",
    "\x08\x08\x08",
]

UNICODE = [
    "\u202edisc",  # right-to-left override
    "\u200b",  # zero-width space
    "\u200d",  # zero-width joiner
    "\ufeffdisc",  # byte-order mark
    "\u2028",  # line separator
    "\u2029",  # paragraph separator
    "\u0085",  # next line
    "\u00a0",  # no-break space
    "\u3000",  # ideographic space
    "\ud800",  # lone high surrogate (invalid UTF-8 when sent)
    "\udfff",  # lone low surrogate
    "a\ud83dz",  # half an emoji
    "\uffff",
    "\ufffd",
    "\U0010ffff",
    "e\u0301" * 200,  # combining accents
    "Z\u0351\u0352\u0353\u0354\u0355\u0356" * 50,  # "zalgo"
    "\uff44\uff49\uff53\uff43 \uff50\uff41\uff49\uff4e",  # full-width letters (NFKC folds them)
    "ﬁsh",  # ligature
    "\U0001d41d\U0001d422\U0001d42c\U0001d41c",  # mathematical bold
    "İıß",  # Turkish dotted/dotless i, sharp s
    "椎间盘突出",
    "الديسك",
    "디스크",
    "👨‍👩‍👧‍👦",
    "🩺💊🦴",
    "\u0000\u202e\u200b",
    "Ω" * 300,
    "Ⅻ",
    "١٢٣",  # Arabic-Indic digits
    "\uff11\uff12\uff13",  # full-width digits (int() accepts them)
    "²",  # a superscript: isdigit() is True, int() refuses it
    "½",
    "\U0001d7d7\U0001d7d7",  # mathematical digits
]

INVALID_BYTES = [
    b"\xff",
    b"\xfe\xff",
    b"\xc0\xaf",  # overlong "/"
    b"\xc0\x80",  # overlong NUL
    b"\xed\xa0\x80",  # encoded surrogate
    b"\xf8\x88\x80\x80\x80",
    b"\x80",
    b"disc\xffpain",
    b"\xe2\x82",  # truncated sequence
    b"%00",  # a literal percent sign, then 00
]

SQL = [
    "'",
    "''",
    '"',
    "`",
    ";",
    "--",
    "/*",
    "*/",
    "\\",
    "\\'",
    "' OR '1'='1",
    "' OR 1=1 --",
    '" OR ""="',
    "1; DROP TABLE wagtailcore_page; --",
    "1' UNION SELECT NULL, NULL, NULL --",
    "%' AND 1=0 UNION ALL SELECT username, password FROM auth_user --",
    "'; SELECT pg_sleep(5); --",
    "1 AND SLEEP(5)",
    "'; WAITFOR DELAY '0:0:5' --",
    "$$; DROP TABLE x; $$",
    "E'\\x00'",
    "%",
    "_",
    "%%",
    "[a-z]",
    "^",
    "|",
    "&",
    "!",
    "NEAR(disc pain)",
    "disc AND",
    "OR",
    "NOT",
    "AND OR NOT",
    "*",
    "disc*",
    '"unclosed',
    '"',
    'disc" OR "x',
    "title:disc",
    "{title}: disc",
    "a:b:c",
    "^disc",
    "-disc",
    "+disc",
    "(",
    ")",
    "((((",
    "))))",
    "disc & pain | !sciatica",
    "disc <-> pain",
    "disc:*",
    "!!",
    "&&&",
    "||",
    "a''b",
    "' || (SELECT version()) || '",
    "1::int",
    "0x41",
    "char(65)",
    "id; --",
]

TEMPLATE = [
    "{{ 7*7 }}",
    "{{7*7}}",
    "{% debug %}",
    "{% load static %}",
    "{{ settings.SECRET_KEY }}",
    "{{ request }}",
    "{% include '/etc/passwd' %}",
    "{{ ''.__class__.__mro__ }}",
    "{% csrf_token %}",
    "${7*7}",
    "#{7*7}",
    "<%= 7*7 %>",
    "{{",
    "}}",
    "{%",
    "%}",
    "{#",
    "%s%s%s%s%s",
    "%n",
    "%(secret)s",
    "{0}",
    "{}",
    "{0.__class__}",
]

MARKUP = [
    "<script>alert(1)</script>",
    '"><svg onload=alert(1)>',
    "'><img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "</title><script>alert(1)</script>",
    "</script><script>alert(1)</script>",
    "<!--",
    "]]>",
    "<![CDATA[x]]>",
    "&lt;",
    "&#x3C;script&#x3E;",
    "%3Cscript%3E",
    "<?xml version='1.0'?>",
    '<!DOCTYPE x [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
]

PATHS = [
    "../../etc/passwd",
    "..",
    ".",
    "/",
    "//",
    "/etc/passwd",
    "C:\\Windows\\win.ini",
    "....//....//",
    "%2e%2e%2f",
    "..%c0%af",
    "~",
    "?",
    "#",
    "&",
    "=",
    "a=b&c=d",
]

NUMBERS = [
    "0",
    "-0",
    "-1",
    "1",
    "2",
    "+1",
    " 1 ",
    "\t1",
    "001",
    "1.0",
    "1.5",
    "-1.5",
    "1e10",
    "1e308",
    "1e309",
    "-1e309",
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "inf",
    "2147483647",
    "2147483648",
    "-2147483649",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "18446744073709551616",
    "9" * 20,
    "9" * 400,
    "-" + "9" * 400,
    "0x10",
    "0o7",
    "0b1",
    "1,000",
    "1_000",
    "1 000",
    "-",
    "+",
    ".",
    "e",
    "last",
    "first",
]

LITERALS = [
    "",
    " ",
    "   ",
    "\t",
    "\n",
    "None",
    "null",
    "undefined",
    "true",
    "false",
    "[]",
    "{}",
    "[1, 2]",
    '{"a": 1}',
    "[object Object]",
    "a" * 50,
]

# Values that mean something to one parameter, in the wrong hands.
API_SPECIFIC = [
    "wagtailcore.Page",
    "articles.QuestionPage",
    "articles.ArticlePage",
    "articles.NoSuchPage",
    "auth.User",
    "wagtailcore.PageViewRestriction",
    "articles.",
    ".QuestionPage",
    "a.b.c",
    "articles.QuestionPage,articles.ArticlePage",
    "*",
    "-*",
    "**",
    "_",
    "-title",
    "title,title",
    "title,-title",
    "author(name)",
    "author(*)",
    "author(-id)",
    "body(x)",
    "tags(name)",
    "owner",
    "owner(password)",
    "password",
    "user",
    "user(password)",
    "live",
    "-id",
    "random",
    "random,id",
    "id,-id",
    "first_published_at",
    "path",
    "content_type",
    "owner__password",
    "title__icontains",
    "pk",
    "answer",
    "article",
    "expert",
    "topic",
    "Answer",
    "answer,article",
]

CORPUS = [
    *LONG,
    *CONTROL,
    *UNICODE,
    *INVALID_BYTES,
    *SQL,
    *TEMPLATE,
    *MARKUP,
    *PATHS,
    *NUMBERS,
    *LITERALS,
    *API_SPECIFIC,
]
assert len(CORPUS) >= 200, len(CORPUS)

# Every kind of value in the corpus, a few of each: for parameters that share their code with one
# swept with the whole corpus (HOSTILE_FULL=1 sweeps the whole corpus everywhere).
ESSENTIAL = [
    *LONG[:4],
    "9" * 5000,
    "\x00",
    "a\x00b",
    "\x01",
    "\x1b[31mred",
    "\x7f",
    "\x85",
    "\r\nSet-Cookie: sessionid=x",
    *UNICODE[:12],
    "١٢٣",
    "\uff11\uff12\uff13",
    "²",
    *INVALID_BYTES,
    *SQL[:14],
    "NEAR(disc pain)",
    "disc*",
    '"unclosed',
    "title:disc",
    *TEMPLATE[:5],
    *MARKUP[:4],
    *PATHS[:5],
    *NUMBERS,
    *LITERALS[:8],
    *API_SPECIFIC[:6],
]


def encode(value):
    """One value percent-encoded for a URL: its UTF-8 bytes (or its own bytes), surrogates passed through."""
    raw = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
    return quote(raw, safe="")


def query_string(params):
    """[(name, value), ...] as a query string, every value encoded by `encode`."""
    return "&".join(f"{quote(name, safe='[]')}={encode(value)}" for name, value in params)


# ---------------------------------------------------------------- hypothesis strategies

# Text of every kind hypothesis can think of, NUL and surrogates included.
any_text = st.text(st.characters(codec=None), max_size=300)
numbers_as_text = st.integers(min_value=-(2**70), max_value=2**70).map(str) | st.floats(allow_nan=True).map(str)


# By index, so that hypothesis never writes out the whole corpus when it describes the strategy.
def corpus_value(index):
    return CORPUS[index]


corpus = st.integers(0, len(CORPUS) - 1).map(corpus_value)
# One hostile value: from the corpus, made up, or the two run together.
hostile_value = st.one_of(
    corpus,
    any_text,
    numbers_as_text,
    st.tuples(corpus, any_text).map(lambda pair: _join(*pair)),
)
# A parameter sent once, several times (an array where a scalar is expected), or as name[] / name[0].
ARRAY_SHAPES = ("repeat", "brackets", "indexed")


def _join(first, second):
    if isinstance(first, bytes):
        return first + second.encode("utf-8", "surrogatepass")
    return first + second


@st.composite
def parameter(draw, name, values=hostile_value):
    """[(name, value), ...] for one parameter: a scalar most of the time, sometimes an array."""
    if draw(st.integers(0, 3)):
        return [(name, draw(values))]
    items = draw(st.lists(values, min_size=0, max_size=4))
    shape = draw(st.sampled_from(ARRAY_SHAPES))
    if shape == "repeat":
        return [(name, item) for item in items]
    if shape == "brackets":
        return [(f"{name}[]", item) for item in items]
    return [(f"{name}[{index}]", item) for index, item in enumerate(items)]


@st.composite
def parameters(draw, names, values=hostile_value):
    """Some of `names`, each with a hostile value or array, in any order."""
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=len(names), unique=True))
    params = [pair for name in chosen for pair in draw(parameter(name, values))]
    return draw(st.permutations(params)) if params else params


path_segment = st.one_of(corpus, any_text.filter(bool))
