"""The inline SVG charts: percentage axes 0–100%, whole-number axes for counts, legends only
for the series present, no chart without data."""

import re

from crm.reports import present, svg


def ticks(markup):
    return re.findall(r'text-anchor="end" font-size="11">([^<]*)</text>', markup)


def test_percent_axis_is_0_to_100():
    assert ticks(svg.bar(["a", "b"], {"x": [100.0, 50.0]}, unit="%"))[0] == "100%"
    assert ticks(svg.bar(["a"], {"x": [12.5]}, unit="%"))[0] == "100%"


def test_counts_have_whole_ticks():
    assert ticks(svg.bar(["a", "b"], {"n": [1, 0]})) == ["4", "3", "2", "1", "0"]


def test_legend_only_for_several_series():
    one = svg.bar(["a"], {"本期": [3]})
    assert "本期</text>" not in one
    two = svg.bar(["a"], {"本期": [3], "上期": [1]})
    assert "本期</text>" in two and "上期</text>" in two


def test_no_chart_without_data_and_series_without_values_dropped():
    section = {"key": "s", "title": "t", "rows": [{"k": "a", "n": 0, "m": None}], "columns": ["k", "n", "m"],
               "chart": {"type": "bar", "x": "k", "y": ["n", "m"]}}
    assert present._section(section, present.Vocab("zh_CN"), {})["chart"] is None
    section["rows"].append({"k": "b", "n": 2, "m": None})
    chart = present._section(section, present.Vocab("zh_CN"), {})["chart"]
    assert list(chart["series"]) == ["n"] and svg.draw(chart)
