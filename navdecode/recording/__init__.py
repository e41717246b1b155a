"""The recording, the contract every analysis reads, and everything that produces one.

Modules: `schema` (the declared dims, variables, units and analyses; building, checking and
stacking recordings), `identity` (which network made a recording and which trials it
holds), `store` (netCDF / zarr, atomic), `export` (NWB files and pynapple objects on one
timeline), `adapters` (policies and
environments the recorder accepts), `recorder` (`record`: any policy in any gymnasium
task), `rollout` (`run_agent`, `fixed_targets`: a navdecode agent on the firefly task) and
`tutorial_loop` (the tutorial's per-trial loop, kept as a reference).
"""
