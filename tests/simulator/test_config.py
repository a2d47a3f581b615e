"""The simulator's config: contract keys, documented defaults, and clear refusals of bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.cli import main
from simulator.config import SimConfig, config_table_markdown, load_config
from simulator.errors import InvalidConfigError

CONFIGS = Path(__file__).resolve().parents[2] / "simulator" / "configs"
CONTRACT_KEYS = ("seed", "n_shops", "n_claims", "days", "new_shop_share", "capacity_scale", "policies")


@pytest.mark.parametrize("name", ["default", "tight", "slack", "month"])
def test_every_committed_config_loads_and_states_every_contract_key(name):
    path = CONFIGS / f"{name}.toml"
    text = path.read_text()
    assert all(f"\n{key} = " in "\n" + text for key in CONTRACT_KEYS)
    config = load_config(path)
    assert {"nearest", "round_robin", "rating_priority", "hub"} <= set(config.policies)
    assert config.all_policies[-1] == "oracle"


def test_tight_and_slack_scale_capacity_down_and_up_and_month_is_the_insurers_volume():
    assert (
        load_config(CONFIGS / "tight.toml").capacity_scale
        < 1.0
        < load_config(CONFIGS / "slack.toml").capacity_scale
    )
    month = load_config(CONFIGS / "month.toml")
    assert (month.n_claims, month.n_shops, month.days) == (800_000, 110_000, 30)


def test_every_key_has_a_default_and_a_documented_meaning():
    table = config_table_markdown()
    assert "`customers.patience`" in table and "`shops.background_load`" in table
    assert all(row.count("|") == 4 and not row.endswith("|  |") for row in table.splitlines())


def test_overrides_reach_nested_tables():
    config = load_config(
        None, {"n_claims": 123, "shops.background_load": 0.3, "claims.damage_mix": {"glass": 0.5}}
    )
    assert config.n_claims == 123 and config.shops.background_load == 0.3
    assert config.claims.damage_mix["glass"] == 0.5 and config.claims.damage_mix["collision"] == 0.42


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"bogus": 1}, "Unknown config key 'bogus' in the top level"),
        ({"shops.bogus": 1}, "Unknown config key 'shops.bogus' in table [shops]"),
        (
            {"claims.damage_mix": {"sunroof": 0.1}},
            "Config key 'claims.damage_mix' has unknown entry 'sunroof'",
        ),
        ({"n_claims": "many"}, "Config key 'n_claims' must be a whole number, got 'many'."),
        ({"n_claims": 2.5}, "Config key 'n_claims' must be a whole number"),
        ({"capacity_scale": 0.0}, "Config key 'capacity_scale' must be between 0.05 and 20.0, got 0.0."),
        ({"new_shop_share": 1.5}, "Config key 'new_shop_share' must be between 0.0 and 1.0"),
        ({"policies": ["nearest", "magic"]}, "Config key 'policies' must list policies among"),
        ({"policies": "nearest"}, "Config key 'policies' must be a list of strings"),
        ({"hub_batch": "yes"}, "Config key 'hub_batch' must be true or false"),
        ({"claims.hourly_profile": [1.0, 2.0]}, "Config key 'claims.hourly_profile' must list 24 numbers"),
        ({"shops": 3}, "Config key 'shops' must be a table [shops]"),
        ({"start_date": "yesterday"}, "start_date must be a date like 2026-11-01"),
        ({"customers.states_priority_p": 0.9, "customers.misstates_priority_p": 0.2}, "must not exceed 1"),
    ],
)
def test_a_bad_key_or_value_is_refused_with_a_sentence_naming_it(overrides, message):
    with pytest.raises(InvalidConfigError) as error:
        load_config(None, overrides)
    assert message in str(error.value)
    assert str(error.value).endswith(".")


def test_a_file_that_is_not_toml_is_refused_with_its_name(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("seed = = 3\n")
    with pytest.raises(InvalidConfigError, match=r"Config file .*bad.toml is not valid TOML"):
        load_config(bad)
    with pytest.raises(InvalidConfigError, match="Cannot read config file"):
        load_config(tmp_path / "missing.toml")


def test_the_command_line_turns_a_bad_config_into_one_line_and_exit_code_2(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("n_shops = 100\nwarp_speed = 9\n")
    assert main(["--config", str(bad), "--out", str(tmp_path / "out"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("simulate: error: Unknown config key 'warp_speed'") and err.count("\n") == 1


def test_defaults_build_a_valid_config():
    assert isinstance(SimConfig(), SimConfig)
