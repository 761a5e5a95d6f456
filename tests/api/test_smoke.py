from tests.api.conftest import start_and_set, url


def test_happy(db, sim, client):
    data = start_and_set(client, sim)
    print(data)
    r = client.post(url(data["amazon_order_reference_id"], "confirm"), format="json")
    print(r.json())
    assert r.status_code == 200
