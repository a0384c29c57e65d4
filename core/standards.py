"""The six standards and their rule IDs, as the product's navigation and standards library show them.

The full catalogue text lives in docs/standards.md; here each standard names its sections in the
product and whether they are built yet, so the navigation never shows a fake page.
"""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Rule:
    id: str
    title: str


@dataclass(frozen=True)
class Section:
    """A built section of a standard in the navigation: its page, and the roles it is shown to (all if empty)."""

    label: str
    url_name: str
    query: str = ""
    roles: tuple[str, ...] = ()  # role codes (org.choices.Role), given as text: core imports no app
    args: tuple = ()  # the page's URL arguments (a standard's learning page: its slug)

    @property
    def href(self) -> str:
        return reverse(self.url_name, args=self.args) + self.query


MANAGERS = ("group_admin", "store_manager")
SUPERVISORS = (*MANAGERS, "supervisor")


@dataclass(frozen=True)
class Standard:
    number: int
    slug: str
    title: str
    icon: str
    rules: list[Rule] = field(default_factory=list)
    built: list[Section] = field(default_factory=list)  # built sections, in the navigation's order
    planned: list[str] = field(default_factory=list)  # sections not built yet, said plainly

    def sections_for(self, role: str | None) -> list[Section]:
        """The built sections shown to a role: a section named for some roles only is hidden from the others."""
        return [section for section in self.built if not section.roles or role in section.roles]


STANDARDS = [
    Standard(
        1,
        "conduct",
        _("Conduct and discipline"),
        "person-check",
        rules=[
            Rule("S1.1", _("Appearance and manner: neat clothes, a sincere smile")),
            Rule("S1.2", _("Friendly and patient with every question")),
            Rule("S1.3", _("Courteous speech and manners; emotions under control")),
            Rule("S1.4", _("Responsibility: keep promises; words match deeds")),
            Rule("S1.5", _("Loyalty: sincere with leaders and colleagues, teamwork")),
            Rule("S1.6", _("Dedication: diligent, keeps learning")),
            Rule("S1.D1a", _("No late arrival, early leave or unattended post")),
            Rule("S1.D1b", _("No long personal phone calls")),
            Rule("S1.D1c", _("No loud noise, horseplay or snacks")),
            Rule("S1.D2", _("Today's work finished today")),
            Rule("S1.D3", _("Nothing unrelated to work on the desk")),
            Rule("S1.D4", _("No non-work matters during work time")),
        ],
        built=[
            Section(_("My promises"), "promises:my_day"),
            Section(_("Discipline records"), "conduct:record_list"),
            Section(_("Drafts to confirm"), "conduct:draft_list", roles=SUPERVISORS),
            Section(_("Attendance"), "conduct:attendance_list"),
            Section(_("Roster"), "org:roster"),
            Section(_("Desk checks"), "checks:round_list", "?purpose=desk"),
            Section(_("People's figures"), "insights:people"),
        ],
        planned=[_("Six-quality reviews")],
    ),
    Standard(
        2,
        "telephone",
        _("Telephone"),
        "telephone",
        rules=[
            Rule("S2.1", _("Answer before the fourth ring")),
            Rule("S2.2", _("Greet and name the company, department and oneself")),
            Rule("S2.3", _("Caller asks for an absent colleague: take a message for a call back")),
            Rule("S2.4", _("Complaint by phone: listen, apologise, record, report, ask for a number")),
            Rule("S2.5", _("Transfer with the standard phrase")),
            Rule("S2.6", _("Upset caller: calm first, collect the facts, report, reply on time")),
            Rule("S2.7", _("Warm tone, clear words, a smile in the voice")),
            Rule("S2.8", _("Confirm who is on the line")),
            Rule("S2.9", _("Cannot hear clearly: say so and ask to repeat")),
            Rule("S2.10", _("Call cut off: call back and explain")),
            Rule("S2.11", _("Hang up only after the caller")),
        ],
        built=[
            Section(_("Call console"), "phone:console"),
            Section(_("Messages"), "phone:message_list"),
            Section(_("Calls"), "phone:call_list"),
            Section(_("Complaints"), "complaints:complaint_list"),
            Section(_("Verification inbox"), "complaints:verification_inbox"),
            Section(_("Call scripts"), "phone:script_list"),
            Section(_("Phone-system call records"), "phone:cdr_import_start", roles=MANAGERS),
            Section(_("Telephone figures"), "insights:telephone"),
        ],
    ),
    Standard(
        3,
        "guiding",
        _("Greeting and guiding"),
        "signpost-split",
        rules=[
            Rule("S3.1", _("Walk beside the customer on their left, never in front")),
            Rule("S3.2", _("On stairs and at turns: the customer inside, gesture and warn")),
        ],
        planned=[_("Etiquette audits")],
    ),
    Standard(
        4,
        "lounge",
        _("Customer lounge"),
        "cup-hot",
        rules=[
            Rule("S4.1", _("Stand up and greet every customer entering the lounge")),
            Rule("S4.2", _("Offer a drink and refill in time")),
            Rule("S4.3", _("Introduce the services to new customers")),
            Rule("S4.4", _("See customers off")),
            Rule("S4.5", _("Help customers who look around")),
            Rule("S4.6", _("Sofa smooth and clean")),
            Rule("S4.7", _("Tea table clear; no more than two butts in the ashtray")),
            Rule("S4.8", _("TV, audio and water dispenser clean; remote at hand")),
            Rule("S4.9", _("Newspaper and magazine rack tidy")),
            Rule("S4.10", _("Display racks dust-free")),
            Rule("S4.11", _("All facilities working; faults reported to maintenance at once")),
        ],
        built=[
            Section(_("Lounge board"), "lounge:board"),
            Section(_("Lounge requests"), "lounge:request_list"),
            Section(_("Lounge visits"), "lounge:visit_list"),
            Section(_("Hygiene rounds"), "checks:round_list", "?purpose=lounge_hygiene"),
            Section(_("Corrective actions"), "checks:action_list"),
            Section(_("Facility faults"), "lounge:fault_list"),
            Section(_("Lounge figures"), "insights:lounge"),
        ],
    ),
    Standard(
        5,
        "events",
        _("Events"),
        "calendar-event",
        rules=[
            Rule("S5.1", _("Every event has its six roles filled")),
            Rule("S5.2", _("Invite customers, record answers, remind, register")),
        ],
        planned=[_("Events and invitations")],
    ),
    Standard(
        6,
        "appearance",
        _("Appearance"),
        "person-badge",
        rules=[
            Rule("S6.1", _("Uniform clean and pressed; dark leather shoes")),
            Rule("S6.2", _("Hair neat, no extravagant styles")),
            Rule("S6.3", _("Clean hands, short nails, light polish")),
            Rule("S6.4", _("Name badge worn on duty")),
        ],
        built=[
            Section(_("Morning grooming checks"), "checks:round_list", "?purpose=grooming"),
            Section(_("Grooming corrections"), "checks:action_list"),
            Section(_("People's figures"), "insights:people"),
        ],
    ),
]


def standard_by_slug(slug: str) -> Standard | None:
    return next((s for s in STANDARDS if s.slug == slug), None)
