"""
# Fixed points of the belief module

With its input held, the modular agent's LSTM updates its state ``s = [h, c]`` as
``s' = F(s, x)``; `fixed_points` finds the states where ``F(s) = s`` (and slow points,
where it barely moves), starting from states the agent visited, and classifies each by
the eigenvalues of the Jacobian there: stable when all lie inside the unit circle. Two
inputs are held here: nothing (no motion, the target gone), and the target shown 200 cm
straight ahead with no motion.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

import navdecode as nd

agent = nd.load_pretrained("modular", 0)
ds = nd.run_agent(agent, nd.fixed_targets(50))
valid = ds.valid.values
states = np.concatenate([ds.hidden.values[valid], ds.cell.values[valid]], axis=1)
held = np.array([[0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 200 / 400]])  # model units: 400 cm
points = nd.fixed_points(agent.actor.rnn, held, states[::60], n_iter=1000)
print(points[["input_index", "speed", "fixed", "stable", "n_unstable",
              "max_abs_eigenvalue"]].to_dataframe().round(6))
fig, axes = plt.subplots(1, 2, figsize=(10, 4.5), layout="constrained")
for k, (ax, name) in enumerate(zip(axes, ["no input", "target ahead"], strict=True)):
    nd.plot_fixed_points(points.isel(point=points.input_index.values == k), states, ax=ax)
    ax.set_title(f"modular seed 0, {name}")

# %%
# Each point's speed ``||F(s) - s||^2 / 2`` says how fixed it is (Newton's method polishes
# each minimum); the numbers beside the crosses count the directions in which a point
# repels. **Further:** the method and its tests (a linear RNN's closed form, a saddle
# between two attractors): `navdecode.analysis.dynamics`. API: `nd.fixed_points`,
# `nd.plot_fixed_points`.
