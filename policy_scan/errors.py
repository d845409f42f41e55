"""Expected failures, each rendered as one line: ``FILE: problem``.

The CLI turns these into exit code 2 without a traceback; anything else is a bug.
"""


class PolicyScanError(Exception):
    """Base class: an expected failure about one named input."""

    def __init__(self, path: str, problem: str, line: int | None = None):
        from .fsio import printable

        self.path = printable(path)  # a file name that is not UTF-8 is shown with \xNN escapes
        self.problem = " ".join(str(problem).split())  # always one line, whatever a library said
        self.line = line
        super().__init__(str(self))

    def __reduce__(self):
        # Keep path, problem and line when the error crosses a process boundary.
        return (self.__class__, (self.path, self.problem, self.line))

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.problem}"


class InputError(PolicyScanError):
    """A document that cannot be read: missing, not a PDF, corrupt, encrypted."""


class RuleError(PolicyScanError):
    """A rule or taxonomy file that is malformed."""


class ModelError(PolicyScanError):
    """A classifier model file that cannot be loaded."""


class CorpusError(PolicyScanError):
    """A labelled passage file that is malformed."""
