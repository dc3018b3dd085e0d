"""The widgets' SVG charts: valid SVG that scales to its card, labels escaped, None values as
gaps, and no division by zero on flat, empty, negative, single or year-long data."""

import xml.etree.ElementTree as ET

import pytest

from apps.dashboard.charts import CHAR, WIDTH, chart_svg, nice_range
from cxsuite.lib.analytics import Chart, Series

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox", "").startswith(f"0 0 {WIDTH} ")
    assert root.get("width") is None and root.get("height") is None  # scales to the card
    assert root.get("role") == "img" and root.get("aria-label")
    return root


def _chart(kind, values, categories=None, label="Events"):
    categories = categories or [f"d{i}" for i in range(len(values))]
    return Chart(kind=kind, categories=categories, series=[Series(label=label, values=values)])


@pytest.mark.parametrize("kind", ["line", "bar", "grid"])
@pytest.mark.parametrize(
    "values",
    [
        [1, 2, 3],
        [0, 0, 0],
        [5, 5, 5],
        [-3, 2, -1],
        [None, None, None],
        [4],
        [float("nan"), 2, float("inf")],
        list(range(365)),
    ],
    ids=["rising", "zeros", "flat", "negative", "all-none", "one-point", "nan", "year"],
)
def test_every_kind_draws_valid_svg_for_awkward_values(kind, values):
    svg = str(chart_svg(_chart(kind, values), "Activity · 30 days"))
    root = _parse(svg)
    assert "nan" not in svg.lower() and "inf" not in svg.lower() and "None" not in svg
    assert root.find(f"{SVG}title").text == "Activity · 30 days"


@pytest.mark.parametrize("kind", ["line", "bar", "grid"])
def test_labels_and_categories_are_escaped(kind):
    evil = '<script>alert("x")</script>&'
    svg = str(chart_svg(_chart(kind, [1, 2], [evil, "b"], label=evil), evil))
    root = _parse(svg)
    assert "<script" not in svg
    assert root.get("aria-label") == evil


def test_a_none_value_breaks_the_line_into_two_pieces():
    svg = str(chart_svg(_chart("line", [1, 2, None, 3, 4]), "x"))
    path = _parse(svg).find(f"{SVG}path").get("d")
    assert path.count("M") == 2 and path.count("L") == 2


def test_a_lone_point_between_gaps_is_drawn_as_a_dot():
    root = _parse(str(chart_svg(_chart("line", [None, 7, None]), "x")))
    assert len(root.findall(f"{SVG}circle")) == 1


def test_a_bar_chart_draws_one_column_per_value_and_none_draws_nothing():
    root = _parse(str(chart_svg(_chart("bar", [3, None, 0, -2]), "x")))
    assert len(root.findall(f"{SVG}rect")) == 3


def test_a_grid_draws_a_cell_per_value_and_leaves_none_empty():
    chart = Chart(
        kind="grid",
        categories=["Mon", "Tue", "Wed"],
        series=[Series(label="9:00", values=[1, None, 3]), Series(label="10:00", values=[0, 2, 2])],
    )
    root = _parse(str(chart_svg(chart, "No-shows by weekday and hour")))
    assert len(root.findall(f"{SVG}rect")) == 5


def test_a_grid_s_column_labels_never_run_into_each_other_and_its_row_labels_fit():
    hours = [f"{h}:00 {'AM' if h < 12 else 'PM'}" for h in (8, 9, 10, 11, 12, 1, 2, 3, 4, 5, 6)]
    chart = Chart(
        kind="grid",
        categories=hours,
        series=[Series(label=day, values=[1] * len(hours)) for day in ("Monday", "Wednesday")],
    )
    root = _parse(str(chart_svg(chart, "No-shows by weekday and hour")))
    texts = root.findall(f"{SVG}text")
    columns = [t for t in texts if t.get("text-anchor") == "middle"]
    rows = [t for t in texts if t.get("text-anchor") == "end"]
    xs = [float(t.get("x")) for t in columns]
    widest = max(len(t.text) for t in columns) * CHAR
    assert len(columns) < len(hours)  # one in every few
    assert all(b - a >= widest for a, b in zip(xs, xs[1:], strict=False))
    assert [t.text for t in rows] == ["Monday", "Wednesday"]  # whole, not cut
    first_cell = min(float(r.get("x")) for r in root.findall(f"{SVG}rect"))
    assert first_cell >= len("Wednesday") * CHAR  # the row labels have their room


def test_no_categories_or_series_draws_nothing():
    assert chart_svg(Chart(kind="line", categories=[], series=[]), "x") == ""


def test_a_year_of_days_writes_only_a_few_category_labels():
    root = _parse(str(chart_svg(_chart("line", list(range(365))), "x")))
    ticks = [t.text for t in root.iter(f"{SVG}text") if t.text and t.text.startswith("d")]
    assert 2 <= len(ticks) <= 7


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [(0, 0, (0, 1, 0.25)), (0, 95, (0, 100, 25)), (-3, 2, (-4, 2, 2)), (5, 5, (0, 6, 2))],
)
def test_the_axis_starts_at_zero_and_ends_on_a_round_step(low, high, expected):
    assert nice_range(low, high) == pytest.approx(expected)
