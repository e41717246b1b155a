"""The bundled agents: their data files sit in this folder beside the code that reads them.

Module: `bundle` (`list_pretrained`, `load_pretrained`, `export_pretrained`, the bundle's
file names).
"""
