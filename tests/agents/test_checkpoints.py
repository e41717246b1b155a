import os
import pickle

import pytest
import torch

from navdecode import load_agent, make_agent, save_agent


def actions(agent, x):
    with torch.no_grad():
        return agent.actor(x)[0]


@pytest.mark.parametrize("arch", ["holistic", "modular", "Actor2Critic4"])
def test_round_trip_own_format(tmp_path, arch):
    agent = make_agent(arch, seed=1)
    path = save_agent(agent, tmp_path / "a.pt", metadata={"trial": 500})
    loaded = load_agent(path)
    assert loaded.arch == arch
    assert loaded.metadata == {"trial": 500}
    x = torch.randn(5, 4, 6)
    torch.testing.assert_close(actions(loaded, x), actions(agent, x), rtol=0, atol=0)
    for p, q in zip(agent.critic.parameters(), loaded.critic.parameters(), strict=False):
        assert torch.equal(p, q)


@pytest.mark.parametrize("arch", ["holistic", "modular"])
def test_published_format_loads_with_identical_actions(tmp_path, arch):
    agent = make_agent(arch, seed=2)
    path = tmp_path / "published.tar"
    # the published layout, written the way the paper's code writes it
    torch.save({"actor_dict": agent.actor.state_dict(),
                "critic_dict": agent.critic.state_dict()}, path)
    loaded = load_agent(path)  # architecture inferred from the weights
    assert loaded.arch == arch
    x = torch.randn(8, 3, 6)
    torch.testing.assert_close(actions(loaded, x), actions(agent, x), rtol=0, atol=0)
    save_agent(agent, tmp_path / "again.tar", format="published")
    assert set(torch.load(tmp_path / "again.tar", weights_only=True)) == {"actor_dict",
                                                                         "critic_dict"}


def test_published_actor_only(tmp_path):
    agent = make_agent("modular", seed=2)
    torch.save({"actor_dict": agent.actor.state_dict()}, tmp_path / "actor.tar")
    assert load_agent(tmp_path / "actor.tar").arch == "modular"


class Evil:
    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_malicious_pickle_is_refused_and_not_run(tmp_path):
    marker = tmp_path / "pwned"
    evil = Evil()
    evil.marker = marker
    path = tmp_path / "evil.pt"
    torch.save({"actor_dict": evil}, path)
    with pytest.raises(ValueError, match=r"evil\.pt.*not a valid checkpoint"):
        load_agent(path)
    assert not marker.exists()
    plain = tmp_path / "plain.pkl"
    plain.write_bytes(pickle.dumps(evil))
    with pytest.raises(ValueError, match=r"plain\.pkl.*not a valid checkpoint"):
        load_agent(plain)
    assert not marker.exists()


@pytest.mark.parametrize(
    ("make_file", "match"),
    [
        (lambda p, a: p.write_bytes(b""), "not a valid checkpoint"),
        (lambda p, a: (torch.save({"actor_dict": a.actor.state_dict()}, p),
                       p.write_bytes(p.read_bytes()[:500])), "not a valid checkpoint"),
        (lambda p, a: torch.save({"weights": a.actor.state_dict()}, p), "actor_dict"),
        (lambda p, a: torch.save([1, 2], p), "actor_dict"),
        (lambda p, a: torch.save({"actor_dict": {"rnn.weight_hh_l0": torch.zeros(4, 3)}}, p),
         "none of the paper's actors"),
    ],
    ids=["empty", "truncated", "wrong-keys", "not-a-dict", "unknown-shapes"],
)
def test_invalid_files_are_refused(tmp_path, make_file, match):
    path = tmp_path / "bad.pt"
    make_file(path, make_agent("modular", seed=0))
    with pytest.raises(ValueError, match=match) as info:
        load_agent(path)
    assert "bad.pt" in str(info.value)


def test_wrong_shapes_for_the_named_arch(tmp_path):
    path = save_agent(make_agent("modular", seed=0), tmp_path / "m.pt", format="published")
    with pytest.raises(ValueError, match=r"m\.pt.*does not fit architecture 'holistic'"):
        load_agent(path, arch="holistic")


def test_written_files_have_the_usual_permissions(tmp_path):
    path = save_agent(make_agent("modular", seed=0), tmp_path / "a.pt")
    assert path.stat().st_mode & 0o044  # readable by others (not mkstemp's 0600)


def test_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = save_agent(make_agent("modular", seed=0), tmp_path / "keep.pt")
    before = path.read_bytes()

    def broken(*args, **kwargs):
        msg = "disk full"
        raise OSError(msg)

    monkeypatch.setattr(torch, "save", broken)
    with pytest.raises(OSError, match="disk full"):
        save_agent(make_agent("modular", seed=1), path, overwrite=True)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["keep.pt"]


# Module names and shapes of the paper's classes (ryzhang1/Inductive_bias, model/Actor*.py
# and model/Critic*.py), written out here independently of navdecode's own naming: obs 2,
# action 2, target 2; Actor1 / Critic1 use 220 LSTM units, the others 128; MLPs of 300.
def lstm(prefix, inputs, hidden, layers=1):
    out = {}
    for k in range(layers):
        width = inputs if k == 0 else hidden
        out |= {f"{prefix}.weight_ih_l{k}": (4 * hidden, width),
                f"{prefix}.weight_hh_l{k}": (4 * hidden, hidden),
                f"{prefix}.bias_ih_l{k}": (4 * hidden,), f"{prefix}.bias_hh_l{k}": (4 * hidden,)}
    return out


def linear(name, inputs, outputs):
    return {f"{name}.weight": (outputs, inputs), f"{name}.bias": (outputs,)}


PAPER_ACTORS = {
    "Actor1": {**lstm("rnn", 6, 220), **linear("l1", 220, 2)},
    "Actor2": {**lstm("rnn", 6, 128, 2), **linear("l1", 128, 2)},
    "Actor3": {**lstm("rnn", 6, 128), **linear("l1", 128, 300), **linear("l2", 300, 300),
               **linear("l3", 300, 2)},
}
PAPER_CRITICS = {
    "Critic1": {**lstm("rnn1", 8, 220), **linear("l1", 220, 1), **lstm("rnn2", 8, 220),
                **linear("l2", 220, 1)},
    "Critic2": {**lstm("rnn1", 8, 128, 2), **linear("l1", 128, 1), **lstm("rnn2", 8, 128, 2),
                **linear("l2", 128, 1)},
    "Critic3": {**lstm("rnn1", 8, 128), **linear("l1", 128, 300), **linear("l2", 300, 300),
                **linear("l3", 300, 1), **lstm("rnn2", 8, 128), **linear("l4", 128, 300),
                **linear("l5", 300, 300), **linear("l6", 300, 1)},
    "Critic4": {**lstm("rnn1", 6, 128), **lstm("rnn2", 130, 128), **linear("l1", 128, 1),
                **lstm("rnn3", 6, 128), **lstm("rnn4", 130, 128), **linear("l2", 128, 1)},
    "Critic5": {**lstm("rnn1", 6, 128), **linear("l1", 130, 300), **linear("l2", 300, 300),
                **linear("l3", 300, 1), **lstm("rnn2", 6, 128), **linear("l4", 130, 300),
                **linear("l5", 300, 300), **linear("l6", 300, 1)},
}
PAIRS = [(a, c) for a in PAPER_ACTORS for c in PAPER_CRITICS]


@pytest.mark.parametrize(("actor", "critic"), PAIRS, ids=[a + c for a, c in PAIRS])
def test_published_format_round_trip_with_the_papers_module_names(actor, critic, tmp_path):
    from navdecode.agents.checkpoints import _arch_name

    arch = _arch_name(actor, critic)
    agent = make_agent(arch, seed=3)
    path = save_agent(agent, tmp_path / "paper.tar", format="published")
    raw = torch.load(path, weights_only=True)
    for part, spec in (("actor_dict", PAPER_ACTORS[actor]), ("critic_dict", PAPER_CRITICS[critic])):
        assert {k: tuple(v.shape) for k, v in raw[part].items()} == spec
    # a state dict laid out as the paper's classes write it loads, critic included
    paper = {"actor_dict": {k: torch.randn(s) for k, s in PAPER_ACTORS[actor].items()},
             "critic_dict": {k: torch.randn(s) for k, s in PAPER_CRITICS[critic].items()}}
    torch.save(paper, tmp_path / "from_paper.tar")
    loaded = load_agent(tmp_path / "from_paper.tar")  # actor and critic inferred
    assert loaded.arch == arch
    again = save_agent(loaded, tmp_path / "back.tar", format="published")
    back = torch.load(again, weights_only=True)
    for part in ("actor_dict", "critic_dict"):
        for key, value in paper[part].items():
            torch.testing.assert_close(back[part][key], value)


def test_an_existing_checkpoint_is_replaced_only_when_asked(tmp_path):
    path = save_agent(make_agent("modular", seed=0), tmp_path / "a.pt")
    before = path.read_bytes()
    with pytest.raises(ValueError, match="overwrite=True"):
        save_agent(make_agent("modular", seed=1), path)
    assert path.read_bytes() == before
    save_agent(make_agent("modular", seed=1), path, overwrite=True)
    assert path.read_bytes() != before


@pytest.mark.parametrize("name", ["agent.nc", "agent.zarr", "agent.json"])
def test_a_checkpoint_is_not_written_under_another_formats_name(tmp_path, name):
    from navdecode import make_agent, save_agent

    with pytest.raises(ValueError, match="torch checkpoint"):
        save_agent(make_agent("modular", seed=0), tmp_path / name)
    assert not (tmp_path / name).exists()
