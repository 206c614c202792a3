from tests.factories import PASSWORD, make_user


def test_login_through_the_real_form(client, app):
    make_user("Person@Example.org", name="Pat Example")
    page = client.get("/login")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    token = html.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/login",
        data={"csrf_token": token, "email": "PERSON@example.org", "password": PASSWORD},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Welcome, Pat Example" in response.get_data(as_text=True)
