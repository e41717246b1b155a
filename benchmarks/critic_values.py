"""The critics trained with the hybrids: value estimates, TD errors and decodable units.

Usage: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/critic_values.py [--trials 1000]``.

The agents whose critic was kept: every hybrid's final agent
(``benchmarks/results/to-bundle/<arch>-seed<k>-final-agent.pt``, actor and critic at the
run's last saved trial: Actor1Critic5 seeds 0-7, a modular critic; Actor3Critic1 seeds
0-3 so far, a holistic one). Each runs `fixed_targets` at 1x and 2x (noise seed = its
seed); per session `critic_summary(critic_values(...))` (the paper's validation columns:
``value_est``, ``TD_error``, ``TD_error_abs``, discount 0.97), and the position decoding
error (grouped CV) from the critic's LSTM units (`critic_recording`) beside the actor's.
Prints per-architecture means and the two critics compared per seed (`compare`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
import torch

import navdecode as nd
from navdecode.analysis.critic import critic_recording, critic_summary, critic_values

FOLDER = Path(__file__).parent / "results" / "to-bundle"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=1000)
    args = parser.parse_args()
    torch.set_num_threads(1)
    targets = nd.fixed_targets(args.trials)
    rows = []
    for path in sorted(FOLDER.glob("*-final-agent.pt")):
        arch, seed = path.name.split("-seed")[0], int(path.name.split("-seed")[1].split("-")[0])
        agent = nd.load_agent(path)
        for gain in (1.0, 2.0):
            ds = nd.run_agent(agent, targets, gain=gain, seed=seed)
            rows.append({"arch": arch, "seed": seed, "gain": gain,
                         **critic_summary(critic_values(agent, ds)).to_dict(),
                         "critic_decoding_cm": nd.decode(critic_recording(agent, ds),
                                                         refit=False).mean_error,
                         "actor_decoding_cm": nd.decode(ds, refit=False).mean_error,
                         "reward_fraction": float(ds["rewarded"].mean())})
    table = pd.DataFrame(rows)
    metrics = ["value_est", "TD_error", "TD_error_abs", "critic_decoding_cm",
               "actor_decoding_cm", "reward_fraction"]
    with pd.option_context("display.width", 160, "display.max_columns", 20,
                           "display.precision", 3):
        print(f"{args.trials} trials per session; seeds: "
              f"{table.groupby('arch')['seed'].nunique().to_dict()}")
        print(table.groupby(["gain", "arch"])[metrics].mean())
        for gain, part in table.groupby("gain"):
            result = nd.compare(part, metrics)
            print(f"gain {gain:g}x")
            print(result[["metric", "group_a", "group_b", "mean_a", "mean_b",
                          "permutation_p", "p_holm"]].to_string(index=False))


if __name__ == "__main__":
    main()
