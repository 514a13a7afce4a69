"""Seed files with every kind of defect: each is reported as `file:line: what is wrong`, and nothing is written.

test_seed.py covers wrong values (an unknown expert, a bad slug, a stray key ...); these are the
defects of the files themselves: empty files, missing bodies, keys written twice, wrong types in
lists, control characters, impossible dates, nesting, tabs; and the harmless differences an
editor's computer makes (a byte-order mark, CRLF or CR line endings), which are read as if absent.
"""

import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from discsite.seed_files import DEFAULT_SEED_DIR
from discsite.tests.test_seed import database_state, seed

pytestmark = pytest.mark.django_db

QUESTION = "questions/02-is-a-herniated-lumbar-disc-serious.md"
ARTICLE = "articles/03-herniated-discs-and-muscle-spasms.md"
TAGS = b"tags: [Causes and types, Surgery, Treatment]"


def replace(old, new):
    def change(content):
        assert old in content, old
        return content.replace(old, new, 1)

    return change


def front_matter_only(content):
    """The question's front matter under another slug and title, and no body at all."""
    closing = content.index(b"\n---\n", 4) + len(b"\n---\n")
    return content[:closing].replace(b"slug: is-a-", b"slug: also-is-a-").replace(b"title: Is", b"title: Also, is")


def deeply_nested(content):
    return content.replace(TAGS, TAGS + b"\nother_voices: " + b"[" * 3000 + b"]" * 3000, 1)


# (file, change to its bytes (or the bytes of a new file), text on the reported line, message)
DEFECTS = {
    "empty file": ("questions/99-empty.md", b"", None, "the file is empty"),
    "blank file": ("questions/99-blank.md", b"\n  \n\t\n", None, "the file is empty"),
    "front matter only": (
        "questions/99-no-body.md",
        front_matter_only((DEFAULT_SEED_DIR / QUESTION).read_bytes()),
        "\n",
        "the page has no body text",
    ),
    "front matter not closed": ("questions/99-open.md", b"---\ntitle: Open?\n", "---", "is not closed with"),
    "no front matter": ("questions/99-plain.md", b"Just a paragraph.\n", "Just a", "must start with '---'"),
    "front matter is a list": ("questions/99-list.md", b"---\n- a\n- b\n---\nBody.\n", "- a", "must be a mapping"),
    "key written twice": (
        QUESTION,
        replace(b"slug: is-a", b"title: Another title\nslug: is-a"),
        "title: Another",
        "the key 'title' is written twice (first on line 3)",
    ),
    "key written twice in experts.yaml": (
        "experts.yaml",
        replace(b"  honorific: Dr\n", b"  honorific: Dr\n  honorific: Prof\n"),
        "honorific: Prof",
        "the key 'honorific' is written twice",
    ),
    "key written twice in topics.yaml": (
        "topics.yaml",
        replace(b"- slug: surgery", b"- slug: surgery\n  slug: surgery-again"),
        "surgery-again",
        "the key 'slug' is written twice",
    ),
    "numbers in a list of names": (
        QUESTION,
        replace(TAGS, b"tags: [1, 2]"),
        "tags:",
        "'tags' must be a list of names",
    ),
    "a list in a list of names": (
        QUESTION,
        replace(TAGS, b"tags: [Surgery, [Treatment]]"),
        "tags:",
        "'tags' must be a list of names",
    ),
    "an empty item in a list": (QUESTION, replace(TAGS, b"tags: [Surgery, ~]"), "tags:", "'tags' must be a list"),
    "a name where a list belongs": (QUESTION, replace(TAGS, b"tags: Surgery"), "tags:", "'tags' must be a list"),
    "a mapping where a list belongs": (
        QUESTION,
        replace(TAGS, TAGS + b"\nother_voices: {na-hong-wei: 1}"),
        "other_voices",
        "'other_voices' must be a list of names",
    ),
    "a string in a list of references": (
        ARTICLE,
        replace(b"references:\n", b"references:\n  - Smith 2020, a good paper\n"),
        "Smith 2020",
        "a reference must be a mapping",
    ),
    "a number where text belongs": (
        QUESTION,
        replace(b"title: Is a herniated lumbar disc serious?", b"title: 42"),
        "title: 42",
        "'title' must be text",
    ),
    "a list where text belongs": (
        QUESTION,
        replace(b"title: Is a herniated lumbar disc serious?", b"title: [Is, it, serious]"),
        "title: [Is",
        "'title' must be text",
    ),
    "text where a year belongs": (
        ARTICLE,
        replace(
            b"  - journal: Interdisciplinary Neurosurgery", b"  - year: 20th century\n    journal: Interdisciplinary"
        ),
        "year: 20th",
        "'year' must be a whole number",
    ),
    "a date that does not exist": (
        QUESTION,
        replace(TAGS, b"published: 2025-02-30\n" + TAGS),
        "published:",
        "'2025-02-30' is not a real date (day is out of range for month)",
    ),
    "a month that does not exist": (
        QUESTION,
        replace(b"  file: 000", b"  updated: 2024-13-01\n  file: 000"),
        "updated:",
        "'2024-13-01' is not a real date",
    ),
    "a tab in the YAML indentation": (
        QUESTION,
        replace(b"source:\n  file:", b"source:\n\tfile:"),
        "\tfile:",
        "invalid YAML: found character '\\t' that cannot start any token",
    ),
    "a tab-indented line in the body": (
        QUESTION,
        lambda content: content + b"\n\n\tIndented with a tab.\n",
        "\tIndented",
        "a line indented by a tab or 4 spaces is a code block",
    ),
    "a NUL in the body": (
        QUESTION,
        lambda content: content + b"\n\nA NUL \x00 here.\n",
        "A NUL",
        "the control character '\\x00' is not allowed",
    ),
    "an escape character in the front matter": (
        QUESTION,
        replace(b"title: Is", b"title: \x1b[31mIs"),
        "title:",
        "the control character '\\x1b' is not allowed",
    ),
    # Reported at the start of the front matter: the parser gives up before it knows a line.
    "YAML nested thousands deep": (QUESTION, deeply_nested, "# Source 000", "invalid YAML: nested too deeply"),
    "a slug longer than a page's": (
        QUESTION,
        replace(b"slug: is-a-herniated-lumbar-disc-serious", b"slug: " + b"a" * 300),
        "slug: aaa",
        "'slug' is 300 characters long; the limit is 255",
    ),
    "a source link that runs script": (
        QUESTION,
        replace(b"  file: 000", b"  url: javascript:alert(document.cookie)\n  file: 000"),
        "url: javascript",
        "'url' must be a web address starting with https:// or http://",
    ),
    "a YAML tag that would run code": (
        QUESTION,
        replace(b"title: Is a herniated lumbar disc serious?", b"title: !!python/object/apply:os.system [id]"),
        "title: !!python",
        "invalid YAML: could not determine a constructor",
    ),
    "UTF-16": (QUESTION, lambda content: content.decode().encode("utf-16"), None, "not UTF-8 text"),
    "an empty experts.yaml": ("experts.yaml", b"", None, "experts.yaml must be a list of entries"),
    "a BOM and then a defect": (
        QUESTION,
        lambda content: b"\xef\xbb\xbf" + content.replace(b"expert: na-hong-wei", b"expert: nobody", 1),
        "expert: nobody",
        "expert 'nobody' is not in experts.yaml",
    ),
    "CRLF line endings and then a defect": (
        QUESTION,
        lambda content: content.replace(b"\n", b"\r\n").replace(b"expert: na-hong-wei", b"expert: nobody", 1),
        "expert: nobody",
        "expert 'nobody' is not in experts.yaml",
    ),
}


def copy_seed(tmp_path):
    seed_dir = tmp_path / "seed"
    shutil.copytree(DEFAULT_SEED_DIR, seed_dir)
    return seed_dir


def break_copy(tmp_path, relative, change):
    seed_dir = copy_seed(tmp_path)
    path = seed_dir / relative
    path.write_bytes(change(path.read_bytes()) if callable(change) else change)
    return seed_dir


def expected_line(seed_dir, relative, needle):
    """The line the problem is on: the first line (after the front matter, for "\\n") containing `needle`."""
    if needle is None:
        return 1
    lines = (seed_dir / relative).read_text(encoding="utf-8-sig").split("\n")
    if needle == "\n":  # the line after the closing '---'
        return [number for number, line in enumerate(lines, start=1) if line.strip() == "---"][1] + 1
    return next(number for number, line in enumerate(lines, start=1) if needle in line)


def check_errors(seed_dir):
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("seed", "--check", "--seed-dir", str(seed_dir), stdout=StringIO(), stderr=err)
    return err.getvalue().splitlines()


@pytest.mark.parametrize("defect", DEFECTS)
def test_a_defective_file_is_reported_with_file_and_line_and_nothing_is_written(tmp_path, defect):
    relative, change, needle, message = DEFECTS[defect]
    seed_dir = break_copy(tmp_path, relative, change)
    before = database_state()
    with pytest.raises(CommandError, match="nothing was written"):
        seed("--seed-dir", str(seed_dir))
    assert database_state() == before
    line = expected_line(seed_dir, relative, needle)
    errors = check_errors(seed_dir)
    assert any(entry.startswith(f"{seed_dir / relative}:{line}: ") and message in entry for entry in errors), (
        f"expected {relative}:{line}: {message}\ngot:\n" + "\n".join(errors)
    )
    assert not any("Traceback" in entry for entry in errors)


def test_a_directory_named_like_a_page_is_reported(tmp_path):
    seed_dir = copy_seed(tmp_path)
    (seed_dir / "questions" / "99-folder.md").mkdir()
    assert any(
        entry.startswith(f"{seed_dir}/questions/99-folder.md:1: cannot be read") for entry in check_errors(seed_dir)
    )


def test_a_missing_file_is_reported(tmp_path):
    seed_dir = copy_seed(tmp_path)
    (seed_dir / "topics.yaml").unlink()
    assert any(entry.startswith(f"{seed_dir}/topics.yaml:1: cannot be read") for entry in check_errors(seed_dir))


def test_a_seeded_site_is_left_exactly_as_it_was_by_any_defective_set(tmp_path):
    seed()
    before = database_state()
    for number, defect in enumerate(["key written twice", "a date that does not exist", "a NUL in the body"]):
        relative, change, _, _ = DEFECTS[defect]
        seed_dir = break_copy(tmp_path / str(number), relative, change)
        with pytest.raises(CommandError, match="nothing was written"):
            seed("--seed-dir", str(seed_dir))
        assert database_state() == before, defect


# ---------------------------------------------------------------- what an editor's computer adds, read as if absent


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda content: b"\xef\xbb\xbf" + content, id="byte-order mark"),
        pytest.param(lambda content: content.replace(b"\n", b"\r\n"), id="CRLF"),
        pytest.param(lambda content: content.replace(b"\n", b"\r"), id="CR"),
    ],
)
def test_byte_order_marks_and_windows_or_old_mac_line_endings_are_read_as_plain_text(tmp_path, change):
    seed_dir = copy_seed(tmp_path)
    for path in [*seed_dir.glob("*.yaml"), *seed_dir.glob("*/*.md")]:
        path.write_bytes(change(path.read_bytes()))
    seed("--seed-dir", str(seed_dir))
    out, _ = seed()  # the repository's own files: the same content, so nothing changes
    assert "Seeded: 30 unchanged." in out
