"""The record of one import of phone-system call records (CDR): counts, bad lines, progress."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CdrImport(models.Model):
    """One import of a phone system's call-record file: what was read, written, skipped and refused."""

    class State(models.TextChoices):
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Format(models.TextChoices):
        UNKNOWN = "", _("Not known yet")
        ASTERISK = "asterisk", _("Asterisk Master.csv")
        FREEPBX = "freepbx", _("FreePBX or Issabel export")
        JSON = "json", _("JSON records")

    store = models.ForeignKey("org.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    file_path = models.CharField(
        _("stored file"), max_length=255, blank=True, help_text=_("Under the media folder, while steps remain.")
    )
    format = models.CharField(_("format"), max_length=10, choices=Format.choices, blank=True)
    encoding = models.CharField(_("encoding"), max_length=10, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.RUNNING)
    lines_total = models.PositiveIntegerField(_("lines in the file"), default=0)
    rows_read = models.PositiveIntegerField(_("lines read"), default=0)
    records_done = models.PositiveIntegerField(_("calls processed"), default=0)
    # Where the next step of the upload page goes on: the byte after the last line read (rows_read
    # is that line's number) and, in resume_state, the calls still open and the encoding found.
    bytes_read = models.PositiveBigIntegerField(_("bytes read"), default=0)
    resume_state = models.JSONField(_("state for the next step"), default=dict, blank=True)
    calls_created = models.PositiveIntegerField(_("calls added"), default=0)
    calls_existing = models.PositiveIntegerField(_("calls already present"), default=0)
    promises_made = models.PositiveIntegerField(_("call-back promises made"), default=0)
    bad_rows = models.PositiveIntegerField(_("bad lines"), default=0)
    errors = models.JSONField(_("bad lines (the first 1,000)"), default=list, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    message = models.CharField(_("message"), max_length=300, blank=True)
    # Written with each batch or step: a running import not heard of for IMPORT_STALE_SECONDS has
    # stopped (page closed, command or server killed).
    heartbeat_at = models.DateTimeField(_("last step at"), null=True, blank=True)

    class Meta:
        verbose_name = _("call-record import")
        verbose_name_plural = _("call-record imports")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.filename or str(self.pk)

    @property
    def is_running(self) -> bool:
        return self.state == self.State.RUNNING

    @property
    def stalled(self) -> bool:
        """Running, but no batch or step for IMPORT_STALE_SECONDS: whatever ran it is gone."""
        if not self.is_running:
            return False
        last = self.heartbeat_at or self.started_at or self.created_at
        return timezone.now() - last > timedelta(seconds=settings.IMPORT_STALE_SECONDS)

    @property
    def resumable(self) -> bool:
        """An upload page's import goes on from its stored file; one read at once (command, API) cannot."""
        return bool(self.file_path)

    @property
    def percent(self) -> int:
        if not self.lines_total:
            return 0 if self.is_running else 100
        return min(100, self.rows_read * 100 // self.lines_total)
