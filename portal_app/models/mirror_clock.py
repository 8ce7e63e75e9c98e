"""Stripe test clocks, mirrored so the portal knows "now" for customers that live on one."""

from portal_app.models.mirror_columns import MirrorRow


class MirrorTestClock(MirrorRow, table=True):
    """A test clock (`test_helpers.test_clock`): its frozen time is its customers' now."""

    __tablename__ = "mirror_test_clock"

    frozen_time: int
    status: str = "ready"
