"""Skills: what the registry's messages say and the buttons they carry."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from handlers.core.buttons import ListPage
from handlers.core.i18n import Translator
from handlers.skills.rules import Risk, risk
from models import Skill, User


@dataclass(frozen=True)
class SkillsPage(ListPage):
    KIND = "skills.page"


def names(t: Translator, users: Sequence[User]) -> Markup:
    """People's names, each escaped, joined with commas ("nobody yet" for none)."""
    if not users:
        return t("nobody yet")
    return Markup(", ").join(Markup("{name}").format(name=u.display_name) for u in users)


def skill_names(skills: Sequence[Skill]) -> Markup:
    """Skills' names in bold, each escaped, joined with commas."""
    return Markup(", ").join(Markup("<b>{name}</b>").format(name=s.name) for s in skills)


def skill_line(t: Translator, skill: Skill, holders: int, learners: int) -> str:
    """One skill in /skills: who can teach and learn it, and what is at risk."""
    counts = Markup("{holders}, {learners}").format(
        holders=t.ngettext("{n} can teach", "{n} can teach", holders),
        learners=t.ngettext("{n} wants to learn", "{n} want to learn", learners),
    )
    flag = {
        Risk.NONE: Markup(""),
        Risk.SINGLE_HOLDER: Markup(" ") + t("⚠️ only one holder"),
        Risk.UNHELD: Markup(" ")
        + t.ngettext(
            "❗ nobody holds it; wanted by {n}", "❗ nobody holds it; wanted by {n}", learners
        ),
    }[risk(holders, learners)]
    return str(t("• <b>{name}</b> — {counts}{flag}", name=skill.name, counts=counts, flag=flag))


def hours_line(t: Translator, hours: Sequence[tuple[User, float]]) -> str:
    """The hours each member has taught, in one entry at the end of /skills."""
    parts = Markup(", ").join(
        t("{name} {hours} h", name=user.display_name, hours=t.number(round(h, 1)))
        for user, h in hours
    )
    return str(t("<b>Hours taught:</b> {people}", people=parts))


def orphaned_text(
    t: Translator,
    leaver: str,
    skills: Sequence[Skill],
    learners: dict[int, list[User]],
    *,
    dropped: bool = False,
) -> str:
    """What the group is told when the only holder of some skills leaves (or drops one)."""
    if dropped:
        headline = t.ngettext(
            "⚠️ {name} dropped it, and now nobody here can teach this skill:",
            "⚠️ {name} dropped them, and now nobody here can teach these skills:",
            len(skills),
            name=leaver,
        )
    else:
        headline = t.ngettext(
            "⚠️ {name} has left, and now nobody here can teach this skill:",
            "⚠️ {name} has left, and now nobody here can teach these skills:",
            len(skills),
            name=leaver,
        )
    lines = [str(headline)]
    for skill in skills:
        wanted = learners.get(skill.id, [])
        if wanted:
            lines.append(
                str(
                    t(
                        "• <b>{skill}</b> — wanted by {people}",
                        skill=skill.name,
                        people=names(t, wanted),
                    )
                )
            )
        else:
            lines.append(
                str(t("• <b>{skill}</b> — nobody has asked to learn it", skill=skill.name))
            )
    lines.append(
        str(
            t.ngettext(
                "Can you teach it? <code>/skill have {skill}</code>",
                "Can you teach one of them? <code>/skill have {skill}</code>",
                len(skills),
                skill=skills[0].name,
            )
        )
    )
    return "\n".join(lines)
