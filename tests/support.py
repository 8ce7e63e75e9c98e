"""Small helpers shared by the tests that drive Reflex states directly."""

import dataclasses
from typing import Any

from reflex.istate.data import RouterData
from reflex.state import BaseState, State


def substate(root: BaseState, cls: type[BaseState]) -> Any:
    """The instance of state `cls` in the tree under `root` (Reflex keys substates by their
    path below the root state)."""
    return root.get_substate(cls.get_full_name().split(".")[1:])


def tab(path: str) -> State:
    """A fresh browser tab's root state, opened at `path` (handlers read the token in it)."""
    root = State(_reflex_internal_init=True)  # type: ignore[call-arg]
    router = RouterData.from_router_data({"pathname": path, "asPath": path})
    object.__setattr__(root, "router", dataclasses.replace(root.router, url=router.url))
    return root
