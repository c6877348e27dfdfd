"""Hostile config files: never a traceback, always exit 0 or 2 with one clear line."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

KEYS = ["dealer_code", "locale", "user", "timezone", "[quiet_hours]", "not_before", "not_after", "breaks",
        "[plugins]", "enabled", "disabled", "[db]", "busy_timeout_seconds", "[privacy]", "unmasked_roles"]
VALUES = st.one_of(st.integers(), st.floats(allow_nan=False), st.booleans(), st.text(max_size=8),
                   st.lists(st.text(max_size=6), max_size=3), st.just("12:00-14:00"), st.just("25:99"))


def _toml_value(v):
    import json
    return json.dumps(v, ensure_ascii=False) if not isinstance(v, bool) else str(v).lower()


lines = st.one_of(
    st.tuples(st.sampled_from(KEYS), VALUES).map(
        lambda kv: kv[0] if kv[0].startswith("[") else f"{kv[0]} = {_toml_value(kv[1])}"),
    st.text(max_size=30),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(lines, max_size=8))
def test_any_config_file_gives_ok_or_one_clear_error(crm, content):
    crm.write_config("\n".join(content))
    result = crm("config", "show", expect=None)
    assert result.exit_code in (0, 2), result.stderr
    if result.exit_code == 2:
        lines_ = result.stderr.strip().splitlines()
        assert len(lines_) == 1 and lines_[0].startswith("crm: error:") and str(crm.config_path) in lines_[0]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=200))
def test_binary_garbage_config(crm, data):
    crm.config_path.write_bytes(data)
    result = crm("staff", "list", expect=None)
    assert result.exit_code in (0, 2)
    assert "Traceback" not in result.stderr
