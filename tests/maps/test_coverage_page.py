"""The coverage page shows the same numbers as the API, on the hand-counted scene of test_coverage."""

import re

from tests.maps.test_coverage import scene, stranger_council  # noqa: F401 (fixtures)

QUERY = "month_from=2024-05&month_to=2024-06"


def cell_numbers(page: str, row_attribute: str) -> dict[str, tuple[str, ...]]:
    rows = re.findall(rf'<tr {row_attribute}="([^"]+)">(.*?)</tr>', page, re.S)
    return {key: tuple(re.findall(r'class="num">([^<]*)<', body)) for key, body in rows}


def test_page_and_api_agree_on_the_hand_counted_scene(client, scene, cctv_manager):  # noqa: F811
    client.force_login(cctv_manager)
    page = client.get(f"/coverage/?{QUERY}").content.decode()
    api = client.get(f"/api/maps/coverage?{QUERY}").json()
    assert 'data-figure="share">71.4%<' in page and api["share_pct"] == 71.4  # 5 of 7, by hand
    shown = cell_numbers(page, "data-category")
    for row in api["by_category"]:
        assert shown[row["category"]][:2] == (str(row["incidents"]), str(row["covered"]))
    cameras_api = {row["asset_ref"]: row for row in client.get(f"/api/maps/coverage/cameras?{QUERY}").json()}
    for asset_ref, numbers in cell_numbers(page, "data-camera").items():
        assert numbers == (str(cameras_api[asset_ref]["incidents_in_view"]),
                           str(cameras_api[asset_ref]["incidents_only_in_this_view"]))


def test_a_bad_period_is_refused_on_the_page(client, scene, cctv_manager):  # noqa: F811
    client.force_login(cctv_manager)
    response = client.get("/coverage/?month_from=2024-06&month_to=2024-05")
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()
