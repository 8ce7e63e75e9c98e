"""Small helpers shared by the tests that drive Reflex states directly."""

import dataclasses
from typing import Any

from reflex.istate.data import RouterData
from reflex.state import BaseState, State


def substate(root: BaseState, cls: type[BaseState]) -> Any:
    """The instance of state `cls` in the tree under `root` (Reflex keys substates by their
    path below the root state)."""
    return root.get_substate(cls.get_full_name().split(".")[1:])


def tab_at(path: str) -> State:
    """A fresh tab's root state whose page is `path` (what `self.router.url` reads)."""
    root = State(_reflex_internal_init=True)  # type: ignore[call-arg]
    router = RouterData.from_router_data({"pathname": path, "asPath": path})
    object.__setattr__(root, "router", dataclasses.replace(root.router, url=router.url))
    return root
