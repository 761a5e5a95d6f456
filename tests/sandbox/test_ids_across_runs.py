"""Ids across simulator lifetimes: seeded simulators repeat (tests rely on it), long-lived ones
(the Django mount, the standalone server, the demo) must not reissue an earlier run's ids."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from django_amazonpay.sandbox import __main__ as standalone
from django_amazonpay.sandbox import urls
from django_amazonpay.sandbox.engine import EngineSettings
from django_amazonpay.sandbox.simulator import Simulator
from django_amazonpay.sandbox.store import Store
from django_amazonpay.testing import DEFAULT_CREDENTIALS

ORO_ID = re.compile(r"^S03-\d{7}-\d{7}$")
#: the first id of a simulator with the default seed 0 (region jp): what the tests see
SEED_0_FIRST_ID = "S03-2254257-9549656"


def _first_ids(sim: Simulator, n: int = 3) -> list[str]:
    return [sim.create_order_reference() for _ in range(n)]


@pytest.fixture
def fresh_default() -> Iterator[None]:
    """Each `default_simulator()` call after `restart()` is a new process's simulator."""
    saved = urls._default
    urls._default = None
    yield
    urls._default = saved


def _restart() -> Simulator:
    urls._default = None  # what a runserver reload does: a new process, nothing in memory
    return urls.default_simulator()


def test_seeded_simulators_stay_deterministic() -> None:
    first, second = Simulator(**DEFAULT_CREDENTIALS), Simulator(**DEFAULT_CREDENTIALS)
    ids = _first_ids(first)
    assert ids == _first_ids(second)
    assert ids[0] == SEED_0_FIRST_ID
    seven = EngineSettings(id_seed=7)
    assert _first_ids(Simulator(**DEFAULT_CREDENTIALS, engine_settings=seven)) == _first_ids(
        Simulator(**DEFAULT_CREDENTIALS, engine_settings=seven)
    )
    # reset brings a seeded simulator's sequence back
    first.reset()
    assert _first_ids(first) == ids


def test_fixture_simulator_keeps_the_seed(amazon_pay_simulator: Simulator) -> None:
    assert amazon_pay_simulator.engine.store.seed == 0
    assert amazon_pay_simulator.create_order_reference() == SEED_0_FIRST_ID


def test_two_default_simulators_do_not_share_ids(fresh_default: None) -> None:
    one = _restart()
    assert urls.default_simulator() is one  # one per process
    first_run = _first_ids(one, 5)
    two = _restart()
    assert two is not one
    second_run = _first_ids(two, 5)
    assert not set(first_run) & set(second_run)
    assert SEED_0_FIRST_ID not in first_run + second_run
    assert one.engine.store.seed != two.engine.store.seed
    for oro in first_run + second_run:
        assert ORO_ID.match(oro), oro


def test_default_simulator_reset_does_not_reissue_ids(fresh_default: None) -> None:
    sim = _restart()
    before = _first_ids(sim)
    sim.reset()  # POST /sandbox/reset: a new random seed, not the old sequence again
    assert not set(before) & set(_first_ids(sim))


def test_loaded_state_does_not_reissue_ids_made_after_the_save(tmp_path) -> None:
    path = tmp_path / "state.json"
    settings = EngineSettings(id_seed=None)
    sim = Simulator(**DEFAULT_CREDENTIALS, engine_settings=settings, state_file=path)
    saved = _first_ids(sim)
    sim.save()  # POST /sandbox/state/save
    after_save = _first_ids(sim)  # issued, then lost with the process (a reload, a kill)
    again = Simulator(**DEFAULT_CREDENTIALS, engine_settings=settings, state_file=path)
    assert again.get_object(saved[0])["id"] == saved[0]
    assert not set(_first_ids(again, 5)) & set(saved + after_save)


def test_seeded_state_replays_exactly(tmp_path) -> None:
    path = tmp_path / "state.json"
    seeded = EngineSettings(id_seed=0)
    sim = Simulator(**DEFAULT_CREDENTIALS, engine_settings=seeded, state_file=path)
    _first_ids(sim)
    sim.save()
    again = Simulator(**DEFAULT_CREDENTIALS, engine_settings=seeded, state_file=path)
    assert again.engine.store.seed == 0
    assert _first_ids(again) == _first_ids(sim)


def test_a_state_file_alone_means_random_ids(tmp_path) -> None:
    """A simulator that outlives its process needs no id_seed=None to be safe."""
    path = tmp_path / "state.json"
    first = Simulator(**DEFAULT_CREDENTIALS, state_file=path)
    second = Simulator(**DEFAULT_CREDENTIALS, state_file=tmp_path / "other.json")
    assert not set(_first_ids(first)) & set(_first_ids(second))


def test_child_ids_keep_their_format_with_a_random_seed() -> None:
    store = Store(None)
    assert 0 <= store.seed < 2**53 and store.seed != Store(None).seed
    oro = store.new_order_id("S", "03")
    assert ORO_ID.match(oro)
    assert re.fullmatch(r"\d{6}", store.new_digits(set()))


def test_store_skips_an_id_it_already_holds() -> None:
    store, replay = Store(3), Store(3)
    taken = replay.new_order_id("S", "03")
    store.orders[taken] = object()  # type: ignore[assignment]
    assert store.new_order_id("S", "03") != taken
    store, replay = Store(3), Store(3)
    digits = replay.new_digits(set())
    assert store.new_digits({digits}) != digits


class _FakeServer:
    started: list[Simulator] = []

    def __init__(self, sim: Simulator, host: str, port: int) -> None:
        self.sim, self.base_url = sim, f"http://{host}:{port}"
        self.httpd = self
        _FakeServer.started.append(sim)

    def serve_forever(self) -> None:
        raise KeyboardInterrupt

    def server_close(self) -> None:
        pass


@pytest.fixture
def fake_server(monkeypatch: pytest.MonkeyPatch) -> list[Simulator]:
    from django_amazonpay.sandbox import server

    monkeypatch.setattr(server, "SimulatorServer", _FakeServer)
    monkeypatch.setattr(standalone.signal, "signal", lambda *args: None)  # keep pytest's SIGTERM
    _FakeServer.started = []
    return _FakeServer.started


ARGS = ["--seller-id", "A1CLI", "--access-key", "AK", "--secret-key", "SK", "--port", "0"]


def test_standalone_starts_without_state_file_do_not_share_ids(fake_server) -> None:
    assert standalone.main(ARGS) == 0
    assert standalone.main(ARGS) == 0
    one, two = fake_server
    assert not set(_first_ids(one)) & set(_first_ids(two))


def test_standalone_seed_option_repeats_ids(fake_server) -> None:
    assert standalone.main([*ARGS, "--seed", "0"]) == 0
    assert standalone.main([*ARGS, "--seed", "0"]) == 0
    one, two = fake_server
    assert _first_ids(one) == _first_ids(two)
    assert "--seed" in standalone.build_parser().format_help()


def test_standalone_state_file_keeps_objects_and_never_repeats(fake_server, tmp_path) -> None:
    state = str(tmp_path / "sim.json")
    assert standalone.main([*ARGS, "--state-file", state]) == 0  # saved on shutdown
    first = fake_server[0]
    issued = _first_ids(first)
    first.save()
    lost = _first_ids(first)  # killed before the next save
    assert standalone.main([*ARGS, "--state-file", state]) == 0
    second = fake_server[1]
    assert second.get_object(issued[0])["id"] == issued[0]
    assert not set(issued + lost) & set(_first_ids(second, 5))
