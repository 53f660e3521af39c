"""Errors raised while running a flow (load-time problems are pydantic ``ValidationError``s)."""

from __future__ import annotations


class DialogError(Exception):
    """Base of every run-time error of the dialog runtime."""


class MissingLeadFields(DialogError, KeyError):
    """The lead lacks fields the flow's prompts need; raised before the call says anything."""

    def __init__(self, flow: str, missing: tuple[str, ...]) -> None:
        self.flow = flow
        self.missing = missing
        super().__init__(
            f"flow {flow!r} needs lead field(s) {', '.join(missing)} which the lead does not have"
        )

    def __str__(self) -> str:  # KeyError would otherwise print the repr of the message
        return str(self.args[0])


class MissingTemplateField(DialogError, KeyError):
    """A prompt referenced a value that is neither in the lead nor captured yet."""

    def __init__(self, field: str, template: str) -> None:
        self.field = field
        self.template = template
        super().__init__(
            f"prompt {template!r} needs {{{field}}}, which is neither a lead field nor a captured slot"
        )

    def __str__(self) -> str:
        return str(self.args[0])
