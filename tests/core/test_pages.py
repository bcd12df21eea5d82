import re

import pytest

EXTERNAL = re.compile(rb"""(src|href)=["']?(https?:)?//""")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/api/v1/docs", "/admin/login/"])
def test_pages_load_every_asset_from_kakehashi_itself(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert EXTERNAL.findall(response.content) == []


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "lang"), [("en", "en"), ("ru", "ru"), ("ja", "ja")])
def test_the_front_page_speaks_the_browsers_language(client, language, lang):
    response = client.get("/", headers={"Accept-Language": language})
    assert f'<html lang="{lang}">' in response.content.decode()
