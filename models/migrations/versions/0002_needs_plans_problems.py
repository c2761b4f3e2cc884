"""needs, plans and problems

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 21:51:31.167486
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base


revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "needs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "voting", "adopted", name="needstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("poll_id", sa.Integer(), nullable=True),
        sa.Column("adopted_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_needs_author_id_users")),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_needs_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_needs")),
        sa.UniqueConstraint("community_id", "number", name=op.f("uq_needs_community_id")),
    )
    op.create_table(
        "problems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("reporter_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "fixed", name="problemstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("fixed_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("fixed_by_id", sa.BigInteger(), nullable=True),
        sa.Column("fix_note", sa.String(length=500), nullable=True),
        sa.Column("reopened_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_problems_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["fixed_by_id"], ["users.id"], name=op.f("fk_problems_fixed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["users.id"], name=op.f("fk_problems_reporter_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problems")),
        sa.UniqueConstraint("community_id", "number", name=op.f("uq_problems_community_id")),
    )
    op.create_table(
        "need_supports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("need_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["need_id"],
            ["needs.id"],
            name=op.f("fk_need_supports_need_id_needs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_need_supports_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_need_supports")),
        sa.UniqueConstraint("need_id", "user_id", name=op.f("uq_need_supports_need_id")),
    )
    op.create_table(
        "plan_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("need_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "planned", "in_progress", "done", name="planstatus", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("taker_id", sa.BigInteger(), nullable=True),
        sa.Column("taken_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("done_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_plan_items_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["need_id"], ["needs.id"], name=op.f("fk_plan_items_need_id_needs")
        ),
        sa.ForeignKeyConstraint(
            ["taker_id"], ["users.id"], name=op.f("fk_plan_items_taker_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_items")),
        sa.UniqueConstraint("community_id", "number", name=op.f("uq_plan_items_community_id")),
        sa.UniqueConstraint("need_id", name=op.f("uq_plan_items_need_id")),
    )
    op.create_table(
        "plan_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_item_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=False),
        sa.Column("at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("progress", "done", name="notekind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_plan_notes_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["plan_item_id"],
            ["plan_items.id"],
            name=op.f("fk_plan_notes_plan_item_id_plan_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_notes")),
    )
    with op.batch_alter_table("plan_notes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_plan_notes_plan_item_id"), ["plan_item_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("plan_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_notes_plan_item_id"))

    op.drop_table("plan_notes")
    op.drop_table("plan_items")
    op.drop_table("need_supports")
    op.drop_table("problems")
    op.drop_table("needs")
