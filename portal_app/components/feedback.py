"""Messages shown next to what caused them (an error, announced at once, or a confirmation),
and the quiet button that leaves a step without changing anything."""

from typing import Any

import reflex as rx


def error_text(message: Any, **props: Any) -> rx.Component:
    """An error for screen readers and eyes alike; nothing while the message is empty."""
    return rx.cond(message != "", rx.el.p(message, class_name="field-error", role="alert", **props))


def status_text(message: Any) -> rx.Component:
    """A confirmation after a change; nothing while the message is empty."""
    return rx.cond(message != "", rx.el.p(message, class_name="success", role="status"))


def back_button(label: Any, on_click: Any) -> rx.Component:
    """Leave a step (cancel, go back) without submitting the form it sits in."""
    return rx.el.button(label, type="button", on_click=on_click, class_name="button-secondary")
