"""Skills: the weekly digest. The skills only one member holds, and each learner paired
with a holder of the skill they want, spread fairly over the holders (``rules.pair``).

One job, ``skills.digest`` (ref: the community's id), due at the community's digest
moment (its ``digest`` setting, ``/setup digest=mon 09:00``; Monday 09:00 in its own
time unless set; ``digest=off`` stops it). /setup moves it (``move_digest``, a settings
hook), and /teach schedules it when none is
due; each run schedules the next week's, so one digest job at most is due per
community. Nothing is posted when there is nothing to say.
"""

from __future__ import annotations

from collections import defaultdict

from markupsafe import Markup
from sqlalchemy import exists, select

from handlers.core.context import JobContext, Work
from handlers.core.i18n import N_
from handlers.core.registry import Feature
from handlers.core.weekly import digest_moment, next_weekly
from handlers.skills.rules import pair
from handlers.skills.sessions import DIGEST_JOB
from models import Community, Job, JobState, Member, MemberSkill, Skill, Stance, User

feature = Feature("skills.digest")
feature.audit("skills.digest", N_("The weekly skills digest was posted"))


async def digest_text(work: Work, community: Community) -> str | None:
    """The digest in the community's language, or None when there is nothing to say."""
    rows = await work.session.execute(
        select(Skill, MemberSkill.stance, User)
        .join(MemberSkill, MemberSkill.skill_id == Skill.id)
        .join(User, User.id == MemberSkill.user_id)
        .join(
            Member,
            (Member.user_id == MemberSkill.user_id) & (Member.community_id == Skill.community_id),
        )
        .where(Skill.community_id == community.id, Member.left_at.is_(None))
        .order_by(Skill.key, MemberSkill.since, MemberSkill.id)
    )
    skills: dict[int, Skill] = {}
    users: dict[int, User] = {}
    holders: dict[int, list[int]] = defaultdict(list)
    wants: dict[int, list[int]] = defaultdict(list)
    for skill, stance, user in rows:
        skills[skill.id] = skill
        users[user.id] = user
        (holders if stance is Stance.HAS else wants)[skill.id].append(user.id)
    single = [skills[s] for s, held in holders.items() if len(held) == 1]
    pairs = pair(wants, holders)
    if not single and not pairs:
        return None
    t = work.community_translator(community)
    lines = [str(t("📚 <b>Skills this week</b>"))]
    if single:
        lines.append(str(t("Only one of us holds these; teaching them keeps them here:")))
        lines.extend(
            str(
                t(
                    "• {skill} — {holder}",
                    skill=skill.name,
                    holder=users[holders[skill.id][0]].display_name,
                )
            )
            for skill in single
        )
    if pairs:
        lines.append(str(t("Who could learn from whom:")))
        lines.extend(
            str(
                t(
                    "• {learner} can learn {skill} from {holder}",
                    learner=users[learner].display_name,
                    skill=skills[skill_id].name,
                    holder=users[holder].display_name,
                )
            )
            for skill_id, learner, holder in pairs
        )
        lines.append(str(t("A session is one command away: /teach SKILL | WHEN | CAPACITY")))
    return str(Markup("\n").join(Markup(line) for line in lines))


@feature.job(DIGEST_JOB)
async def post_digest(work: JobContext, community_id: int) -> None:
    """Post this week's digest (if there is something to say) and schedule next week's."""
    community = await work.session.get(Community, community_id)
    if community is None:
        return
    await work.cancel_jobs(DIGEST_JOB, community.id)
    moment = digest_moment((community.settings or {}).get("digest"))
    if moment is None:
        return
    work.schedule(DIGEST_JOB, community.id, next_weekly(moment, community.timezone, work.now))
    text = await digest_text(work, community)
    if text is not None:
        work.post(community.chat_id, text)
        work.audit(community, None, "skills.digest")


@feature.on_settings_change
async def move_digest(work: Work, community: Community) -> None:
    """After /setup: the one due digest job at the digest moment in the community's zone
    (none when off). A community with no skills and no digest due gets none: /teach and the
    registry schedule the first when there is something to digest."""
    due = exists().where(
        Job.kind == DIGEST_JOB, Job.ref_id == community.id, Job.state == JobState.DUE
    )
    skills = exists().where(Skill.community_id == community.id)
    if not await work.session.scalar(select(due | skills)):
        return
    await work.cancel_jobs(DIGEST_JOB, community.id)
    moment = digest_moment((community.settings or {}).get("digest"))
    if moment is not None:
        work.schedule(DIGEST_JOB, community.id, next_weekly(moment, community.timezone, work.now))
