"""Importing source documents into draft pages that enter clinical review (issue 13).

reading (bytes of one file -> lines of text) -> parsing (lines -> the pages it holds, by the rules
in rules.py) -> pipeline (pages -> drafts in the Clinical review workflow), used by the admin's
"Import documents" screen (views) and by `manage.py import_documents`.
"""
