"""the sandbox keeps its own database: drop its tables

The embedded sandbox is a separate Stripe with its own database (PORTAL_SANDBOX_DATABASE_URL,
else `sandbox.db` in the data directory), so its tables leave the portal's. A development
database loses its sandbox objects here: run `python -m portal_app.cli init --demo` again.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 21:28:19.917596
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_table("sandbox_fault")
    op.drop_table("sandbox_state")
    with op.batch_alter_table("sandbox_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sandbox_event_claim_token"))
        batch_op.drop_index(batch_op.f("ix_sandbox_event_id"))
        batch_op.drop_index(batch_op.f("ix_sandbox_event_status"))
        batch_op.drop_index(batch_op.f("ix_sandbox_event_type"))

    op.drop_table("sandbox_event")
    op.drop_table("sandbox_idempotency")
    with op.batch_alter_table("sandbox_object", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sandbox_object_active"))
        batch_op.drop_index(batch_op.f("ix_sandbox_object_customer"))
        batch_op.drop_index(batch_op.f("ix_sandbox_object_due_at"))
        batch_op.drop_index(batch_op.f("ix_sandbox_object_id"))
        batch_op.drop_index(batch_op.f("ix_sandbox_object_lookup"))
        batch_op.drop_index(batch_op.f("ix_sandbox_object_object"))
        batch_op.drop_index(batch_op.f("ix_sandbox_object_parent"))
        batch_op.drop_index(batch_op.f("ix_sandbox_object_status"))

    op.drop_table("sandbox_object")


def downgrade() -> None:
    op.create_table(
        "sandbox_event",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("type", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.Float(), nullable=False),
        sa.Column("claimed_until", sa.Float(), nullable=False),
        sa.Column("claim_token", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("request_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("idempotency_key", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.PrimaryKeyConstraint("seq"),
    )
    with op.batch_alter_table("sandbox_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sandbox_event_claim_token"), ["claim_token"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_sandbox_event_id"), ["id"], unique=True)
        batch_op.create_index(batch_op.f("ix_sandbox_event_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_sandbox_event_type"), ["type"], unique=False)

    op.create_table(
        "sandbox_fault",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mode", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("path_prefix", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("remaining", sa.Integer(), nullable=True),
        sa.Column("rate", sa.Float(), nullable=True),
        sa.Column("delay_ms", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "sandbox_idempotency",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("request_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "sandbox_object",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("object", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("customer", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("parent", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("lookup", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=True),
        sa.Column("due_at", sa.BigInteger(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("hidden", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    with op.batch_alter_table("sandbox_object", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sandbox_object_active"), ["active"], unique=False)
        batch_op.create_index(batch_op.f("ix_sandbox_object_customer"), ["customer"], unique=False)
        batch_op.create_index(batch_op.f("ix_sandbox_object_due_at"), ["due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_sandbox_object_id"), ["id"], unique=True)
        batch_op.create_index(batch_op.f("ix_sandbox_object_lookup"), ["lookup"], unique=False)
        batch_op.create_index(batch_op.f("ix_sandbox_object_object"), ["object"], unique=False)
        batch_op.create_index(batch_op.f("ix_sandbox_object_parent"), ["parent"], unique=False)
        batch_op.create_index(batch_op.f("ix_sandbox_object_status"), ["status"], unique=False)

    op.create_table(
        "sandbox_state",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
