"""manage.py import_documents: one line per file, the others imported when one is refused."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Page

from articles.models import ArticlePage
from discsite.models import ImportedDocument
from discsite.tests.test_import_pipeline import article_document, database_state, documents  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("import_documents", *args, stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), str(error)
    return out.getvalue(), None


@pytest.fixture
def files(tmp_path, request):
    """A document the stand-in parser knows, one it refuses, and one that is not there."""
    register = request.getfixturevalue("documents")
    good = tmp_path / "leg-weakness.txt"
    good.write_bytes(register(b"a good document", article_document()))
    bad = tmp_path / "nonsense.txt"
    bad.write_bytes(b"not a document")
    return good, bad, tmp_path / "missing.txt"


def test_one_line_per_file_and_a_failing_exit_when_any_is_refused(site_tree, files, django_user_model):
    editor = django_user_model.objects.create_user("ed")
    good, bad, missing = files
    out, error = run(str(bad), str(good), str(missing), "--user", "ed")
    lines = out.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("nonsense.txt: refused:")
    assert lines[1] == "leg-weakness.txt: article, 1 draft page in Clinical review"
    assert lines[2].startswith("missing.txt: refused: it could not be read")
    assert error == "2 of 3 file(s) refused; the others were imported."
    page = ArticlePage.objects.get()
    assert not page.live
    assert page.current_workflow_state is not None
    assert page.latest_revision.user == editor
    assert ImportedDocument.objects.get().imported_by == editor

    out, error = run(str(good))
    assert error is None
    assert out.startswith("leg-weakness.txt: unchanged: already imported on ")


def test_a_dry_run_writes_nothing(site_tree, files):
    good, _bad, _missing = files
    before = database_state()
    out, error = run(str(good), "--dry-run")
    assert error is None
    assert out.strip() == (
        "leg-weakness.txt: article, would make 1 draft page for Clinical review [dry run: nothing written]"
    )
    assert database_state() == before
    assert not Page.objects.type(ArticlePage).exists()


def test_an_unknown_user_imports_nothing(site_tree, files):
    good, _bad, _missing = files
    _out, error = run(str(good), "--user", "nobody")
    assert error == "There is no user 'nobody'; nothing was imported."
    assert not ImportedDocument.objects.exists()
