"""What the community's messages say and the buttons they carry."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from handlers.core.buttons import ButtonData, ListPage
from handlers.core.i18n import LANGUAGE_NAMES, N_, Translator
from models import Community, MemberKind

KIND_NAMES = {MemberKind.RESIDENT: N_("resident"), MemberKind.WORKER: N_("worker")}


@dataclass(frozen=True)
class ChooseLanguage(ButtonData):
    """One of /start's language buttons; ``code`` as in /language (``zh-hans``)."""

    KIND = "lang"
    code: str


class MembersPage(ListPage):
    KIND = "mem.pg"


class LogPage(ListPage):
    KIND = "log.pg"


class HelpPage(ListPage):
    KIND = "help.pg"


def settings_line(t: Translator, community: Community) -> Markup:
    quorum = (community.settings or {}).get("quorum")
    quiet = (community.settings or {}).get("quiet") or "22:00-08:00"
    line = t(
        "Time zone: {timezone}. Language: {language}. Quorum: {quorum}.",
        timezone=community.timezone,
        language=LANGUAGE_NAMES[community.language],
        quorum=t.percent(quorum) if quorum else t("none"),
    )
    hours = (
        t("Quiet hours for private reminders: none.")
        if quiet == "off"
        else t("Quiet hours for private reminders: {hours}.", hours=quiet.replace("-", "–"))
    )
    return Markup("{line} {hours}").format(line=line, hours=hours)
