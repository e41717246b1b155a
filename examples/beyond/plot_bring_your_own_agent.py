"""
# Bring your own recurrent agent

Any module called as `action, state = actor(x, state)` (x of shape (1, B, 6), state None
at trial start) can be recorded and decoded. Here: a GRU with a linear read-out, random
weights, recorded at 1x gain and decoded like navdecode's own agents.
"""

# %%
import torch
from torch import nn

import navdecode as nd


class GRUActor(nn.Module):
    def __init__(self, hidden: int = 64) -> None:
        super().__init__()
        self.rnn = nn.GRU(6, hidden)
        self.out = nn.Linear(hidden, 2)

    def forward(self, x, state=None):
        h, state = self.rnn(x, state)
        return torch.tanh(self.out(h)), state


torch.manual_seed(0)
ds = nd.run_agent(GRUActor(), nd.fixed_targets(300), gain=1.0)
result = nd.decode(ds)
print(ds.sizes, ds.attrs["arch"])
print(f"decoding error {result.mean_error:.1f} cm, R2 {result.r2.round(2).to_dict()}")
nd.plot_decoding_over_time(result.error_by_step())
