"""The fast cassette reader gives exactly what yaml.safe_load gives."""

from __future__ import annotations

import datetime

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from twreplay.cassette import dump_cassette
from twreplay.yamlfast import safe_load

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(),
    st.binary(max_size=40),
    st.sampled_from(
        ["null", "yes", "off", "~", "0x1F", "1_000", "2024-01-01", "<<", "=", "-", ".5"]
    ),
)
trees = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=8), st.integers()), children, max_size=4),
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(trees)
def test_same_as_safe_load_for_any_tree(tree) -> None:
    for text in (
        yaml.safe_dump(tree, allow_unicode=True),
        yaml.safe_dump(tree, default_flow_style=True),
        dump_cassette([{"request": {"body": tree}}]),
    ):
        assert safe_load(text) == yaml.safe_load(text)


def test_constructs_it_leaves_to_the_full_loader() -> None:
    anchors = "a: &x [1, 2]\nb: *x\n"
    merge = "base: &b {k: 1}\nother:\n  <<: *b\n  j: 2\n"
    tagged = "d: !!set {a, b}\nt: 2024-01-01 10:00:00\n"
    for text in (anchors, merge, tagged):
        assert safe_load(text) == yaml.safe_load(text)
    assert safe_load("t: 2024-01-01\n") == {"t": datetime.date(2024, 1, 1)}


def test_errors_are_yaml_errors() -> None:
    import pytest

    with pytest.raises(yaml.YAMLError):
        safe_load("a: [1, 2\n")
    with pytest.raises(yaml.YAMLError):  # a complex key, as the full loader reports it
        safe_load("? [1, 2]\n: pair\n")
