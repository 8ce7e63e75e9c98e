"""The layout decorator: registers a route and wraps its content in the portal shell."""

from collections.abc import Callable
from typing import Any

import reflex as rx

from portal_app.components.shell import shell
from portal_app.state.brand import BrandState
from portal_app.state.i18n import I18nState

ContentFn = Callable[[], rx.Component]


def portal_page(route: str, title: rx.Var, on_load: Any = None) -> Callable[[ContentFn], ContentFn]:
    """Register `route` as a customer-facing page in the branded shell; `title` is a `t()`
    text, so the browser tab's title follows the language too."""

    def decorator(content: ContentFn) -> ContentFn:
        # The browser's language first; pages that know the customer refine it.
        loads = [BrandState.load_brand, I18nState.detect]
        if on_load is not None:
            loads.extend(on_load if isinstance(on_load, list) else [on_load])

        def page() -> rx.Component:
            return shell(content())

        page.__name__ = content.__name__
        rx.page(route=route, title=title, on_load=loads)(page)
        return content

    return decorator
