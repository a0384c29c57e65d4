from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DisciplineKind(models.TextChoices):
    """What a discipline record is about; each kind names the rule it breaks (DISCIPLINE_RULES)."""

    LATE = "late", _("Late arrival")
    EARLY_LEAVE = "early_leave", _("Early leave")
    MISSING_PUNCH = "missing_punch", _("Missing clock-in or clock-out")
    POST_UNATTENDED = "post_unattended", _("Post left unattended")
    PERSONAL_CALL = "personal_call", _("Long personal phone call or chatting on the phone")
    NOISE = "noise", _("Loud noise, horseplay or snacks")
    DESK = "desk", _("Things unrelated to work on the desk")
    NON_WORK = "non_work", _("Non-work matters during work time")
    OTHER = "other", pgettext_lazy("discipline kind", "Other")


# The rule of the standards each kind of record breaks (S1.D1a–c, S1.D3, S1.D4).
DISCIPLINE_RULES = {
    DisciplineKind.LATE: "S1.D1a",
    DisciplineKind.EARLY_LEAVE: "S1.D1a",
    DisciplineKind.MISSING_PUNCH: "S1.D1a",
    DisciplineKind.POST_UNATTENDED: "S1.D1a",
    DisciplineKind.PERSONAL_CALL: "S1.D1b",
    DisciplineKind.NOISE: "S1.D1c",
    DisciplineKind.DESK: "S1.D3",
    DisciplineKind.NON_WORK: "S1.D4",
    DisciplineKind.OTHER: "S1.D4",
}


class DisciplineState(models.TextChoices):
    """A record's life: a draft from attendance waits for the supervisor; a recorded one waits for the person,
    who acknowledges or contests it; the store manager upholds or withdraws a contested one. Nothing is deleted:
    a dismissed draft and a withdrawn record stay visible as such."""

    DRAFT = "draft", pgettext_lazy("discipline state", "Draft, to be confirmed")
    RECORDED = "recorded", pgettext_lazy("discipline state", "Recorded")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("discipline state", "Acknowledged")
    CONTESTED = "contested", pgettext_lazy("discipline state", "Contested")
    UPHELD = "upheld", pgettext_lazy("discipline state", "Upheld")
    WITHDRAWN = "withdrawn", pgettext_lazy("discipline state", "Withdrawn")
    DISMISSED = "dismissed", pgettext_lazy("discipline state", "Dismissed draft")


# The states in which a record counts against the person (figures, thresholds).
DISCIPLINE_COUNTED = (
    DisciplineState.RECORDED,
    DisciplineState.ACKNOWLEDGED,
    DisciplineState.CONTESTED,
    DisciplineState.UPHELD,
)


class DisciplineSource(models.TextChoices):
    MANUAL = "manual", _("Recorded by a supervisor or manager")
    SPOT_CHECK = "spot_check", _("Spot check during work")
    ATTENDANCE = "attendance", _("Computed from attendance")


class AttendanceSource(models.TextChoices):
    DINGTALK = "dingtalk", _("DingTalk (钉钉) attendance export")
    WECOM = "wecom", _("WeCom (企业微信) attendance export")
    OTHER = "other", pgettext_lazy("attendance source", "Other spreadsheet")


class BatchState(models.TextChoices):
    CHECKED = "checked", pgettext_lazy("attendance batch", "Checked, not yet imported")
    IMPORTED = "imported", pgettext_lazy("attendance batch", "Imported")
    FAILED = "failed", pgettext_lazy("attendance batch", "Refused")
