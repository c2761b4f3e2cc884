"""jobs.state loses 'running': nothing ever set it; a job is due, done or failed

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The column is a plain VARCHAR (no native enum, no CHECK), so only data can hold
    # the old value; a row left 'running' would fail to load, so it becomes due again.
    jobs = sa.table("jobs", sa.column("state", sa.String(16)))
    op.execute(jobs.update().where(jobs.c.state == "running").values(state="due"))


def downgrade() -> None:
    """Nothing to undo: 'due' was always a valid state."""
