"""policy-scan: does a national plan mainstream migration and displacement?

    import policy_scan
    result = policy_scan.scan("plan.pdf")            # a ScanResult: findings, assessment, warnings
    policy_scan.classify(["Remittances pay school fees."])   # what `policy-scan classify` says

Everything is imported on first use, so `import policy_scan` (and `policy-scan --help`)
stays cheap: no spaCy, NumPy or PDF engine until a scan needs them.
"""

from __future__ import annotations

import importlib
import sys
import types

__version__ = "0.1.0"

# Public name -> the module that defines it (imported when the name is first used).
_LAZY = {
    "scan": ".api",
    "classify": ".api",
    "scan_options": ".api",
    "ScanOptions": ".scan",
    "ScanProgress": ".scan",
    "ScanResult": ".scan",
    "SentenceVerdict": ".detection.judge",
    "PolicyScanError": ".errors",
}
# `scan` is also the name of a submodule (policy_scan/scan.py), and was `classify` before the
# classifier moved to policy_scan/detection/classifier.py.
# Importing a submodule sets it as an attribute of its package; these names stay the API
# functions (the modules are still imported by their full names: `from policy_scan.scan import …`).
_API_FUNCTIONS = frozenset({"scan", "classify"})

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


class _Package(types.ModuleType):
    def __setattr__(self, name: str, value) -> None:
        if name in _API_FUNCTIONS and isinstance(value, types.ModuleType):
            return  # a submodule being imported: the package attribute stays the function
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
