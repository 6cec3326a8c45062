"""The report designer's chart layout forms: a pivot's rows and columns with subtotals and totals, a dual-axis
chart's axes and drawings — posted as one operation each and drawn by the live preview."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.web.reports.test_report_designer import EN, op
from tests.web.reports.test_report_designer_values import URL
from tests.web.test_web import sign_in


def test_the_pivot_layout_form_places_dimensions_and_turns_totals_off(web: TestClient) -> None:
    csrf = sign_in(web, "alice")
    headers = {**EN, "X-CSRF-Token": csrf, "HX-Request": "true"}
    page = web.get(URL, headers=EN).text
    assert "Pivot layout" in page and 'name="place_stage" value="columns" checked' in page
    answer = web.post(f"{URL}/settings", headers=headers, data={
        "what": "pivot", "place_month": "columns", "place_stage": "rows", "subtotals": "1"})
    assert answer.status_code == 200 and 'name="place_month" value="columns" checked' in answer.text
    assert "rd-cannot" not in answer.text and ">Total<" not in answer.text.split('rd-preview-table')[0].split("rd-preview")[-1]
    bad = web.post(f"{URL}/settings", headers=headers, data={"what": "pivot", "place_month": "rows", "place_stage": "rows"})
    assert bad.status_code == 422 and "at least one row and one column" in bad.text
    # the switches form keeps the layout
    kept = web.post(f"{URL}/settings", headers=headers, data={"what": "chart", "bool_options": "show_values", "opt_show_values": "1"})
    assert kept.status_code == 200 and 'name="place_month" value="columns" checked' in kept.text


def test_the_axes_form_puts_measures_on_each_side(web: TestClient) -> None:
    csrf = sign_in(web, "alice")
    headers = {**EN, "X-CSRF-Token": csrf, "HX-Request": "true"}
    op(web, csrf, f"{URL}/ops", {"op": "report_remove_dimension", "index": 1})
    answer = op(web, csrf, f"{URL}/ops", {"op": "report_set_chart", "type": "dual_axis", "options": {}})
    assert "Axes" in answer.text and "Left axis" in answer.text
    answer = web.post(f"{URL}/settings", headers=headers, data={
        "what": "axes", "side_deals": "none", "side_amount": "left", "side_won": "right", "side_lost": "none",
        "side_win_rate": "right", "drawing_amount": "bar", "drawing_won": "line", "drawing_win_rate": "area"})
    assert answer.status_code == 200 and "rd-cannot" not in answer.text
    assert '<option value="area" selected>Area</option>' in answer.text
    assert "areaStyle" in answer.text  # the preview draws win rate as an area
    bad = web.post(f"{URL}/settings", headers=headers, data={"what": "axes", "side_amount": "left", "side_won": "left"})
    assert bad.status_code == 422 and "each axis" in bad.text
