"""Ways to make a TD3 update cheaper on a CPU, measured before building them.

Usage: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_update_variants.py``.

1. Packed sequences: a critic's Q network and the actor, forward and backward, on 16
   trajectories of random lengths (10-35 steps, one of 35) padded to 35 steps with a mask
   (what the update does) against the same trajectories packed
   (`torch.nn.utils.rnn.pack_padded_sequence`), the heads applied to the real steps only.
2. Adam's loop against ``foreach=True``, in the whole update.
3. Length groups: a holistic critic's LSTM (8 inputs, 220 units), forward and backward, on
   16 trajectories of random lengths (5-35 steps) padded to the longest, against the same
   trajectories sorted by length and split into 2, 3, 4 or 6 groups, each padded only to
   its own longest (median over 40 batches, the sides taking turns).
4. oneDNN's fused CPU LSTM (PyTorch's default) against PyTorch's native one, same LSTM, 35
   steps x 16 trajectories.

One thread, fresh agents, min over 30 (1, 4) or the mean of the 20 fastest of 50, the two
sides taking turns on the same batches (2).
"""

from __future__ import annotations

import copy
import time

import torch
from torch.nn.utils.rnn import pack_padded_sequence

import navdecode as nd
from navdecode.training.config import TrainConfig
from navdecode.training.replay import TrajectoryMemory
from navdecode.training.td3 import td3_update


def best(fn, n: int = 30) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * min(times)


def head(linears: list, h: torch.Tensor) -> torch.Tensor:
    for i, layer in enumerate(linears):
        h = layer(h)
        if i < len(linears) - 1:
            h = torch.relu(h)
    return h


def packing(arch: str) -> None:
    gen = torch.Generator().manual_seed(0)
    agent = nd.make_agent(arch, seed=0)
    lengths = torch.randint(10, 36, (16,), generator=gen)
    lengths[0] = 35
    x, a = torch.randn(35, 16, 6, generator=gen), torch.randn(35, 16, 2, generator=gen)
    mask = (torch.arange(35)[:, None] < lengths[None]).float()
    q = agent.critic.q1

    def critic_padded():
        ((q(x, a).squeeze(-1) * mask).sum() / mask.sum()).backward()

    def critic_packed():
        seq = torch.cat([x, a], -1) if q.action_in_rnn else x
        out, _ = q.rnn(pack_padded_sequence(seq, lengths, enforce_sorted=False))
        h = out.data
        if not q.action_in_rnn:
            h = torch.cat([h, pack_padded_sequence(a, lengths, enforce_sorted=False).data], -1)
        head(q.linears(), h).mean().backward()

    def actor_padded():
        z, _ = agent.actor.preactivation(x)
        (z.sum(-1) * mask).sum().backward()

    def actor_packed():
        out, _ = agent.actor.rnn(pack_padded_sequence(x, lengths, enforce_sorted=False))
        head(agent.actor.linears(), out.data).sum().backward()

    print(f"  {arch:<9} real steps {float(mask.mean()):.2f}: critic padded "
          f"{best(critic_padded):5.1f} ms, packed {best(critic_packed):5.1f} ms; actor padded "
          f"{best(actor_padded):5.1f} ms, packed {best(actor_packed):5.1f} ms")


def adam(arch: str) -> None:
    config = TrainConfig(arch=arch)
    gen = torch.Generator().manual_seed(0)
    memory = TrajectoryMemory(1000, 35)
    memory.add(torch.randn(500, 35, 6), torch.rand(500, 35, 2) * 2 - 1,
               torch.randn(500, 35), torch.randint(10, 36, (500,), generator=gen))
    sides = {}
    for foreach in (None, True):
        agent = nd.make_agent(arch, seed=0)
        sides[foreach] = (agent, copy.deepcopy(agent),
                          torch.optim.Adam(agent.actor.parameters(), lr=1e-4, foreach=foreach),
                          torch.optim.Adam(agent.critic.parameters(), lr=1e-4, foreach=foreach),
                          [])
    for i in range(50):  # the two sides take turns on the same batch
        batch = memory.sample(16, gen)
        for agent, target, opt_a, opt_c, times in sides.values():
            start = time.perf_counter()
            td3_update(agent, target, batch, opt_a, opt_c, config, 0.2, i % 2 == 0,
                       torch.Generator().manual_seed(i))
            times.append(time.perf_counter() - start)
    loop, foreach = (1e3 * sum(sorted(side[4])[:20]) / 20 for side in sides.values())
    print(f"  {arch:<9} update with Adam's loop {loop:5.1f} ms, foreach {foreach:5.1f} ms")


def length_groups() -> None:
    import statistics

    gen = torch.Generator().manual_seed(0)
    lstm = torch.nn.LSTM(8, 220)
    counts = (1, 2, 3, 4, 6)
    times: dict[int, list[float]] = {g: [] for g in counts}
    for _ in range(40):
        lengths = torch.randint(5, 36, (16,), generator=gen)
        x = torch.randn(int(lengths.max()), 16, 8, generator=gen)
        order = torch.argsort(lengths, descending=True)
        for groups in counts:
            start = time.perf_counter()
            total = 0.0
            for rows in order.chunk(groups):
                out, _ = lstm(x[: int(lengths[rows].max()), rows])
                total = total + out.sum()
            total.backward()
            times[groups].append(time.perf_counter() - start)
    print("  " + ", ".join(f"{g} group{'s' if g > 1 else ''} "
                           f"{1e3 * statistics.median(times[g]):4.1f} ms" for g in counts))


def onednn() -> None:
    lstm, x = torch.nn.LSTM(8, 220), torch.randn(35, 16, 8)

    def step():
        out, _ = lstm(x)
        out.sum().backward()

    sides = {}
    for enabled in (True, False):
        torch.backends.mkldnn.enabled = enabled
        sides[enabled] = best(step)
    torch.backends.mkldnn.enabled = True
    print(f"  oneDNN {sides[True]:4.1f} ms, native {sides[False]:4.1f} ms")


if __name__ == "__main__":
    torch.set_num_threads(1)
    print("packed sequences against padded, masked batches (forward + backward)")
    for arch in ("modular", "holistic"):
        packing(arch)
    print("Adam: loop against foreach")
    for arch in ("modular", "holistic"):
        adam(arch)
    print("holistic critic LSTM: one padded batch against length groups (forward + backward)")
    length_groups()
    print("holistic critic LSTM, forward + backward: oneDNN against native")
    onednn()
