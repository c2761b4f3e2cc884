"""Skills: the registry — /skill have|learn|drop|alias, /skills, /whoknows, and the group told
when a skill's only holder leaves.

Who may do what: every member on the roster may declare, drop and alias
skills and read the registry; each declares only their own skills. Every
change is written to the audit log. Names are matched by their key
(``rules.normalise``) or an alias; a name nobody declared gets the closest
ones suggested (``rules.close_matches``).

A member who leaves — /leave, or leaving the chat, however the community
feature hears it — reaches ``skill_holder_left`` through the core's roster
hook (``Feature.on_roster_change``), which runs after the member row has
changed: every skill they were the only holder of is announced to the group
with the people who wanted to learn it.
"""

from __future__ import annotations

from handlers.core.context import Context, UserError, Work, example, hint
from handlers.core.i18n import N_
from handlers.core.paging import Listed, listing
from handlers.core.registry import Feature
from handlers.skills import queries, rules
from handlers.skills.sessions import ensure_digest
from handlers.skills.views import (
    SkillsPage,
    hours_line,
    names,
    orphaned_text,
    skill_line,
    skill_names,
)
from models import Community, MemberSkill, Skill, SkillAlias, Stance, User

feature = Feature("skills.registry")
feature.audit("skill.have", N_("{actor} can teach {skills}"))
feature.audit("skill.learn", N_("{actor} wants to learn {skills}"))
feature.audit("skill.drop", N_("{actor} dropped the skill {skill}"))
feature.audit("skill.alias", N_("{actor} made {alias} another name for {skill}"))

VERBS = ("have", "learn", "drop", "alias")
HAVE_EXAMPLE = "/skill have Plumbing, Cooking"
LEARN_EXAMPLE = "/skill learn Bike repair"
DROP_EXAMPLE = "/skill drop Plumbing"
ALIAS_EXAMPLE = "/skill alias pipes = Plumbing"
WHOKNOWS_EXAMPLE = "/whoknows Plumbing"


# Reading names ---------------------------------------------------------------------------------


def _key(ctx: Context, name: str, sample: str) -> str:
    try:
        return rules.normalise(name)
    except rules.BadName as error:
        if error.reason is rules.NameProblem.EMPTY:
            problem = ctx.t("Name the skill.")
        else:
            problem = ctx.t(
                "A skill's name has at most {limit} characters.",
                limit=ctx.t.number(rules.NAME_LIMIT),
            )
        raise UserError(hint(ctx.t, problem, sample)) from None


async def _unknown(ctx: Context, name: str, key: str, sample: str) -> UserError:
    """The refusal for a name no skill has: the closest names as suggestions, if any."""
    suggestions = await _suggestions(ctx, key)
    if suggestions:
        problem = ctx.t(
            "Nobody has declared the skill “{name}”. Did you mean {names}?",
            name=name,
            names=skill_names(suggestions),
        )
    else:
        problem = ctx.t(
            "Nobody has declared the skill “{name}”. /skills lists the skills we have.",
            name=name,
        )
    return UserError(hint(ctx.t, problem, sample))


async def _suggestions(ctx: Context, key: str) -> list[Skill]:
    known = await queries.names_by_key(ctx.session, ctx.require_community())
    found: list[Skill] = []
    for match in rules.close_matches(key, known, limit=6):
        skill = known[match]
        if skill not in found:
            found.append(skill)
    return found[:3]


async def skill_for(ctx: Context, name: str, sample: str) -> Skill:
    """The community's skill ``name`` means (any case, spacing or width, or an alias).

    For other commands that name a skill (/teach): a ``UserError`` with a hint
    ending in ``sample`` when the name is empty or too long, or when no skill
    has it — then with the closest names suggested.
    """
    key = _key(ctx, name, sample)
    skill = await queries.skill_by_key(ctx.session, ctx.require_community(), key)
    if skill is None:
        raise await _unknown(ctx, rules.tidy(name), key, sample)
    return skill


def _names(ctx: Context, text: str, sample: str) -> list[tuple[str, str]]:
    pieces = rules.split_names(text)
    if not pieces:
        raise UserError(
            hint(ctx.t, ctx.t("Name the skill, or several separated by commas."), sample)
        )
    if len(pieces) > rules.NAMES_AT_ONCE:
        raise UserError(
            hint(
                ctx.t,
                ctx.t(
                    "At most {limit} skills at once, please.",
                    limit=ctx.t.number(rules.NAMES_AT_ONCE),
                ),
                sample,
            )
        )
    for piece in pieces:
        _key(ctx, piece, sample)
    return rules.unique_by_key(pieces)


# /skill ----------------------------------------------------------------------------------------


@feature.command(
    "skill",
    N_(
        "your skills: /skill have SKILL, SKILL; /skill learn SKILL; /skill drop SKILL; "
        "/skill alias ALIAS = SKILL"
    ),
)
async def skill_command(ctx: Context) -> None:
    ctx.require_member()
    verb, _, rest = ctx.args.partition(" ")
    verb = verb.lower()
    if verb not in VERBS:
        raise UserError(hint(ctx.t, ctx.t("Start with have, learn, drop or alias."), HAVE_EXAMPLE))
    rest = rest.strip()
    if verb == "have":
        await _declare(ctx, rest, Stance.HAS)
    elif verb == "learn":
        await _declare(ctx, rest, Stance.WANTS)
    elif verb == "drop":
        await _drop(ctx, rest)
    else:
        await _alias(ctx, rest)


async def _declare(ctx: Context, text: str, stance: Stance) -> None:
    community = ctx.require_community()
    sample = HAVE_EXAMPLE if stance is Stance.HAS else LEARN_EXAMPLE
    added: list[Skill] = []
    already: list[Skill] = []
    held: list[Skill] = []
    seen: set[int] = set()
    for name, key in _names(ctx, text, sample):
        skill = await queries.skill_by_key(ctx.session, community, key)
        if skill is None:
            skill = await queries.add_skill(ctx.session, community, name, key, ctx.now)
        if skill.id in seen:  # "pipes, plumbing": two names of one skill
            continue
        seen.add(skill.id)
        if await queries.stance_of(ctx.session, skill, ctx.user.id, stance) is not None:
            already.append(skill)
            continue
        if stance is Stance.WANTS and (
            await queries.stance_of(ctx.session, skill, ctx.user.id, Stance.HAS) is not None
        ):
            held.append(skill)
            continue
        if stance is Stance.HAS:
            wanted = await queries.stance_of(ctx.session, skill, ctx.user.id, Stance.WANTS)
            if wanted is not None:
                await ctx.session.delete(wanted)
        ctx.session.add(
            MemberSkill(skill_id=skill.id, user_id=ctx.user.id, stance=stance, since=ctx.now)
        )
        added.append(skill)
    if added:
        await ensure_digest(ctx, community)  # the first skill gives the digest something to say
    lines = []
    if added:
        listed = skill_names(added)
        if stance is Stance.HAS:
            ctx.log(
                "skill.have", actor=ctx.user.display_name, skills=", ".join(s.name for s in added)
            )
            lines.append(
                ctx.t("🧰 {name} can teach {skills}.", name=ctx.user.display_name, skills=listed)
            )
        else:
            ctx.log(
                "skill.learn", actor=ctx.user.display_name, skills=", ".join(s.name for s in added)
            )
            lines.append(
                ctx.t(
                    "📚 {name} wants to learn {skills}.", name=ctx.user.display_name, skills=listed
                )
            )
    if already:
        lines.append(ctx.t("You had already said so for {skills}.", skills=skill_names(already)))
    if held:
        lines.append(
            ctx.t(
                "You can already teach {skills}, so you are not down to learn it.",
                skills=skill_names(held),
            )
        )
    ctx.reply("\n".join(str(line) for line in lines))


async def _drop(ctx: Context, text: str) -> None:
    community = ctx.require_community()
    skill = await skill_for(ctx, text, DROP_EXAMPLE)
    mine = [
        row
        for stance in Stance
        if (row := await queries.stance_of(ctx.session, skill, ctx.user.id, stance)) is not None
    ]
    if not mine:
        raise UserError(
            hint(
                ctx.t,
                ctx.t("You have not declared {skill}.", skill=skill_names([skill])),
                HAVE_EXAMPLE,
            )
        )
    held = any(row.stance is Stance.HAS for row in mine)
    for row in mine:
        await ctx.session.delete(row)
    await ctx.session.flush()
    ctx.log("skill.drop", actor=ctx.user.display_name, skill=skill.name)
    ctx.reply(
        ctx.t("{name} dropped {skill}.", name=ctx.user.display_name, skill=skill_names([skill]))
    )
    if held:
        await _announce_orphans(ctx, community, ctx.user, [skill], dropped=True)


async def _alias(ctx: Context, text: str) -> None:
    community = ctx.require_community()
    alias_name, equals, target_name = text.partition("=")
    if not equals or not alias_name.strip() or not target_name.strip():
        raise UserError(
            hint(
                ctx.t,
                ctx.t("Write the new name, then =, then the skill it stands for."),
                ALIAS_EXAMPLE,
            )
        )
    alias_key = _key(ctx, alias_name, ALIAS_EXAMPLE)
    target_key = _key(ctx, target_name, ALIAS_EXAMPLE)
    skill = await queries.skill_by_key(ctx.session, community, target_key)
    if skill is None:
        raise await _unknown(ctx, rules.tidy(target_name), target_key, ALIAS_EXAMPLE)
    alias = rules.tidy(alias_name)
    if await queries.skill_by_key(ctx.session, community, alias_key) is not None:
        existing = await queries.alias_by_key(ctx.session, community, alias_key)
        if existing is not None and existing.skill_id == skill.id:
            ctx.reply(
                ctx.t("{alias} already means {skill}.", alias=alias, skill=skill_names([skill]))
            )
            return
        if existing is not None:
            other = await ctx.session.get(Skill, existing.skill_id)
            assert other is not None
            problem = ctx.t(
                "{alias} already means {other}.", alias=alias, other=skill_names([other])
            )
        else:
            problem = ctx.t(
                "{alias} is already the name of a skill; an alias cannot hide it.", alias=alias
            )
        raise UserError(hint(ctx.t, problem, ALIAS_EXAMPLE))
    ctx.session.add(
        SkillAlias(
            community_id=community.id,
            key=alias_key,
            skill_id=skill.id,
            created_by=ctx.user.id,
            created_at=ctx.now,
        )
    )
    ctx.log("skill.alias", actor=ctx.user.display_name, alias=alias, skill=skill.name)
    ctx.reply(
        ctx.t(
            "From now on <b>{alias}</b> means {skill}.",
            alias=alias,
            skill=skill_names([skill]),
        )
    )


# Reading the registry --------------------------------------------------------------------------


@listing(
    feature,
    "skills",
    N_("the skills we can teach and want to learn; single holders are flagged"),
    page=SkillsPage,
)
async def list_skills(ctx: Context, page: int) -> Listed:
    community = ctx.require_community()
    lines = [
        skill_line(ctx.t, skill, holders, learners)
        for skill, holders, learners in await queries.counted(ctx.session, community)
    ]
    hours = await queries.hours_taught(ctx.session, community)
    if hours and lines:
        lines.append(hours_line(ctx.t, hours))
    return Listed(
        str(ctx.t("<b>Skills</b> — who can teach, who wants to learn:")),
        lines,
        hint(ctx.t, ctx.t("Nobody has declared a skill yet."), HAVE_EXAMPLE),
    )


@feature.command(
    "whoknows", N_("who can teach a skill, and who wants to learn it: /whoknows SKILL")
)
async def whoknows(ctx: Context) -> None:
    community = ctx.require_community()
    skill = await skill_for(ctx, ctx.args, WHOKNOWS_EXAMPLE)
    holders = (await queries.people(ctx.session, community, [skill], Stance.HAS))[skill.id]
    learners = (await queries.people(ctx.session, community, [skill], Stance.WANTS))[skill.id]
    lines = [
        ctx.t("<b>{skill}</b>", skill=skill.name),
        ctx.t("Can teach: {people}", people=names(ctx.t, holders)),
        ctx.t("Wants to learn: {people}", people=names(ctx.t, learners)),
    ]
    if not holders:
        lines.append(
            ctx.t(
                "Can you teach it? <code>{command}</code>",
                command=example("/skill have", skill.name),
            )
        )
    ctx.reply("\n".join(str(line) for line in lines))


# The only holder leaves ------------------------------------------------------------------------


@feature.on_roster_change
async def skill_holder_left(work: Work, community: Community, user_id: int, joined: bool) -> None:
    """Someone left: tell the group which skills nobody on the roster can teach now."""
    if joined:
        return
    held = await queries.held_by(work.session, community, user_id)
    if not held:
        return
    user = await work.session.get(User, user_id)
    assert user is not None
    await _announce_orphans(work, community, user, held)


async def _announce_orphans(
    work: Work, community: Community, leaver: User, skills: list[Skill], *, dropped: bool = False
) -> None:
    """Post to the group each of ``skills`` that has no holder on the roster now, with who wanted
    to learn it (through the outbox: it follows the reply announcing the change)."""
    holders = await queries.people(work.session, community, skills, Stance.HAS)
    lost = [
        skill
        for skill in skills
        if skill.id
        in rules.orphaned(
            [s.id for s in skills], {sid: len(users) for sid, users in holders.items()}
        )
    ]
    if not lost:
        return
    learners = await queries.people(work.session, community, lost, Stance.WANTS)
    t = work.community_translator(community)
    work.post(
        community.chat_id, orphaned_text(t, leaver.display_name, lost, learners, dropped=dropped)
    )
