def test_login_and_pages(login_as, make):
    c = login_as("admin")
    for url in ["/dashboard", "/bodies/", "/organisations/", "/accounts/users", "/audit/", "/bodies/governance", "/accounts/profile"]:
        r = c.get(url)
        assert r.status_code == 200, (url, r.get_data(as_text=True)[:2000])
