"""The admin import's upload form: one or more files, checked for count and size before anything reads them.

Whether a file is a document the pipeline can import (its format, its encoding, its contents) is
the pipeline's to say, file by file, in the preview: this form refuses only what it must before
reading (no file, too many files), and leaves an empty or odd file to reach the pipeline and get
its own message, so that one bad file never stops the others.
"""

from django import forms

from .reading import FORMATS, MAX_BYTES

MAX_FILES = 20  # files in one upload
MAX_FILE_SIZE = MAX_BYTES  # the pipeline's limit; a larger file is refused here without being read
MAX_FILE_SIZE_MB = MAX_FILE_SIZE // 1024 // 1024
FORMATS_NOTE = (
    "Plain text (.txt) laid out like the source documents, Markdown (.md), a web page saved from a "
    "browser (.html) or a Word document (.docx)."
)


class MultipleFileInput(forms.ClearableFileInput):
    """`<input type="file" multiple>` (Django's documented way to upload several files in one field)."""

    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field whose cleaned value is the list of the files chosen, each checked as a file."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single_file_clean = super().clean
        if isinstance(data, list | tuple):
            if not data and self.required:  # no file chosen: the browser sends an empty list
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return [single_file_clean(item, initial) for item in data]
        return [single_file_clean(data, initial)]


class UploadForm(forms.Form):
    files = MultipleFileField(
        label="Files to import",
        # An empty file reaches the pipeline, which says why it cannot be imported, beside the others.
        allow_empty_file=True,
        help_text=(
            f"{FORMATS_NOTE} Up to {MAX_FILES} files at a time, each at most {MAX_FILE_SIZE_MB} MB. "
            "Nothing is saved yet: you see a preview first."
        ),
        error_messages={
            "required": "Choose at least one file to import.",
            "invalid": "That was not a file. Choose the files again.",
            "missing": "No file arrived. Choose the files again.",
        },
        # What the file picker offers at first; another file still reaches the pipeline, which says why not.
        widget=MultipleFileInput(attrs={"accept": ",".join(FORMATS)}),
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        if len(files) > MAX_FILES:
            raise forms.ValidationError(
                f"Choose at most {MAX_FILES} files at a time: you chose {len(files)}. Import the rest afterwards."
            )
        return files


def oversize_message(name, size):
    """Why a file larger than MAX_FILE_SIZE is refused, in the pipeline's words, as the preview shows it."""
    return (
        f"{name} is {size / 1024 / 1024:.1f} MB, over the limit of {MAX_FILE_SIZE_MB} MB for one file. "
        "It was not read."
    )
