"""Styled error pages: 404 from the page tree, and a 500 that needs neither the database nor settings."""

import pytest
from bs4 import BeautifulSoup
from django.template.loader import render_to_string

from discsite.models import HomePage


@pytest.mark.django_db
def test_server_error_page_is_styled(client, site_tree, monkeypatch):
    def broken_serve(self, request, *args, **kwargs):
        raise RuntimeError("something broke")

    monkeypatch.setattr(HomePage, "serve", broken_serve)
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 500
    soup = BeautifulSoup(response.content, "html.parser")
    assert len(soup.find_all("h1")) == 1
    assert soup.find("link", rel="stylesheet")
    assert "something broke" not in response.content.decode()


def test_server_error_template_renders_without_a_database():
    """No django_db mark: any query here would fail the test."""
    html = render_to_string("500.html")
    assert "<h1" in html


@pytest.mark.django_db
def test_not_found_page_is_styled(client, site_tree):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    soup = BeautifulSoup(response.content, "html.parser")
    assert len(soup.find_all("h1")) == 1
    assert soup.find("link", rel="stylesheet")
