"""
# Decoding error of position, 1x vs 2x

Position decoded from the LSTM units with trial-grouped 5-fold cross-validation, one dot
per seed, violins per architecture and gain.
"""

# %%
import pandas as pd

import navdecode as nd

targets = nd.fixed_targets(500)
rows = []
for arch, seed in zip(*nd.list_pretrained()[["arch", "seed"]].T.values, strict=True):
    agent = nd.load_pretrained(arch, int(seed))
    for gain in (1.0, 2.0):
        ds = nd.run_agent(agent, targets, gain=gain)
        rows.append({"arch": arch, "seed": int(seed), "gain": gain,
                     "decoding_error_cm": nd.decode(ds).mean_error})
nd.plot_decoding_error(pd.DataFrame(rows))
