"""Small helpers shared by the tests that drive Reflex states directly."""

from typing import Any

from reflex.state import BaseState


def substate(root: BaseState, cls: type[BaseState]) -> Any:
    """The instance of state `cls` in the tree under `root` (Reflex keys substates by their
    path below the root state)."""
    return root.get_substate(cls.get_full_name().split(".")[1:])
