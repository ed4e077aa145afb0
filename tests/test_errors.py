"""Error pages: friendly, with the right status, and never a stack trace."""


def test_unexpected_error_shows_friendly_500_without_traceback(login_as, monkeypatch):
    from coordination.bodies import queries

    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    c = login_as("member")
    monkeypatch.setattr(queries, "body_tree", broken)
    response = c.get("/bodies/")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in html
    assert "Traceback" not in html and "secret internal detail" not in html


def test_unknown_page_is_a_friendly_404(login_as):
    response = login_as("member").get("/no/such/page")
    assert response.status_code == 404 and "Page not found" in response.get_data(as_text=True)


def test_wrong_method_is_405(login_as):
    assert login_as("admin").get("/organisations/1/delete").status_code == 405
