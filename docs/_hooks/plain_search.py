"""MkDocs hook: the search index holds formulas as readable text, not TeX source.

Arithmatex leaves each formula's TeX between ``\\(...\\)`` or ``\\[...\\]`` in the page, and
the search plugin indexes the page's text, so search results would show ``\\lVert Y^\\top
X\\rVert_F``. After the build, every formula in ``search/search_index.json`` is rewritten
with the symbols it stands for (``‖Yᵀ X‖_F``); the pages themselves are unchanged.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

SYMBOLS = {
    "lVert": "‖", "rVert": "‖", "lvert": "|", "rvert": "|", "top": "ᵀ", "sum": "Σ",
    "prod": "Π", "Delta": "Δ", "delta": "δ", "theta": "θ", "sigma": "σ", "mu": "μ",
    "alpha": "α", "beta": "β", "gamma": "γ", "eta": "η", "zeta": "ζ", "kappa": "κ",
    "lambda": "λ", "pi": "π", "rho": "ρ", "tau": "τ", "omega": "ω", "epsilon": "ε",
    "cdot": "·", "times": "×", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠",
    "neq": "≠", "approx": "≈", "sim": "~", "infty": "∞", "pm": "±", "to": "→",
    "rightarrow": "→", "in": "∈", "sqrt": "√", "quad": " ", "qquad": " ", "lim": "lim",
    "left": "", "right": "", "displaystyle": "", "min": "min", "max": "max", "log": "log",
    "exp": "exp", "cos": "cos", "sin": "sin", "arccos": "arccos", "mathbb": "",
    "mathrm": "", "operatorname": "", "hat": "", "bar": "", "tilde": "",
}
MATH = re.compile(r"\\\((.*?)\\\)|\\\[(.*?)\\\]", re.DOTALL)


def plain(tex: str) -> str:
    """A formula's TeX as the text it reads as."""
    tex = re.sub(r"\\begin\{\w+\}|\\end\{\w+\}|&amp;|&", " ", tex)
    tex = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"(\1)/(\2)", tex)
    tex = re.sub(r"\\text\{([^{}]*)\}", r"\1", tex)
    tex = re.sub(r"\\\\|\\[,;:! ]", " ", tex)
    tex = re.sub(r"\\([A-Za-z]+)", lambda m: SYMBOLS.get(m.group(1), m.group(1)), tex)
    tex = tex.replace("{", "").replace("}", "").replace("^ᵀ", "ᵀ")
    return re.sub(r"\s+", " ", tex).strip()


def on_post_build(config: dict, **_: object) -> None:
    index = Path(config["site_dir"]) / "search" / "search_index.json"
    if not index.exists():
        return
    data = json.loads(index.read_text(encoding="utf-8"))
    for doc in data.get("docs", []):
        for key in ("text", "title"):
            if key in doc:
                doc[key] = MATH.sub(lambda m: plain(m.group(1) or m.group(2)), doc[key])
    index.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
