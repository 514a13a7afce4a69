"""The site's own account (discsite.core.system), who the seed's publications and the reviews the system
starts are by: nobody can sign in as it, and nobody can make a person's account under its name in the admin."""

import pytest
from django.contrib.auth import get_user_model

from discsite.core.system import SYSTEM_USERNAME, system_user

pytestmark = pytest.mark.django_db


def test_it_is_made_once_inactive_and_without_a_usable_password():
    first = system_user()
    assert system_user() == first
    assert get_user_model().objects.filter(username=SYSTEM_USERNAME).count() == 1
    assert not first.is_active
    assert not first.has_usable_password()
    assert not first.is_staff
    assert not first.is_superuser
    assert first.get_full_name() == "System"


@pytest.mark.parametrize("password", ["", "!", "changeme"])
def test_nobody_signs_in_as_it(client, password):
    system_user()
    response = client.post("/admin/login/", {"username": SYSTEM_USERNAME, "password": password, "next": "/admin/"})
    assert response.status_code == 200, "the form again, not a redirect into the admin"
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_an_administrator_cannot_make_an_account_under_its_name(admin_client):
    users = get_user_model().objects.count()
    response = admin_client.post(
        "/admin/users/new/",
        {
            "username": SYSTEM_USERNAME,
            "email": "someone@example.com",
            "first_name": "System",
            "last_name": "",
            "password1": "a-long-enough-passphrase-1",
            "password2": "a-long-enough-passphrase-1",
            "is_active": "on",
        },
    )
    assert response.status_code == 200, "the form again, with its error"
    assert get_user_model().objects.count() == users
    assert response.context["form"].errors.get("username"), response.context["form"].errors
