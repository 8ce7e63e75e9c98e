"""Messages shown next to what caused them (an error, announced at once, or a confirmation),
and a step's buttons: the one that goes ahead and the quiet one that leaves."""

from typing import Any

import reflex as rx


def error_text(message: Any, **props: Any) -> rx.Component:
    """An error for screen readers and eyes alike; nothing while the message is empty."""
    return rx.cond(message != "", rx.el.p(message, class_name="field-error", role="alert", **props))


def status_text(message: Any) -> rx.Component:
    """A confirmation after a change; nothing while the message is empty."""
    return rx.cond(message != "", rx.el.p(message, class_name="success", role="status"))


def step_buttons(
    label: Any,
    *,
    test_id: str,
    back: tuple[Any, Any],
    on_click: Any = None,
    busy: Any = False,
    danger: bool = False,
) -> rx.Component:
    """A step's confirm button (submitting its form unless `on_click` is given), disabled
    while `busy`, beside `back` = (label, handler), which leaves without submitting."""
    action = {"type": "submit"} if on_click is None else {"type": "button", "on_click": on_click}
    return rx.el.div(
        rx.el.button(
            label,
            disabled=busy,
            class_name="button button-danger" if danger else "button",
            data_testid=test_id,
            **action,
        ),
        rx.el.button(back[0], type="button", on_click=back[1], class_name="button-secondary"),
        class_name="row-gap",
    )
