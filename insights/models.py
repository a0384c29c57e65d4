"""The daily rollups behind the figures: counts per store, day, department and person, rebuilt from the records.

Nobody types these numbers: ``insights.rollups`` computes them from the same records and conditions as the
figures (``insights.figures``), the worker keeps them current, ``manage.py rollups_rebuild`` rebuilds them,
and a day that was never rolled up, today, or a day whose records changed since is read from the records.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

SLOTS = 8  # the most counts a family of records keeps per row (see insights.rollups.base.Family)


class DailyFigure(models.Model):
    """One store's day of one kind of record for a department, person and kind: its counts and a sum.

    Which count is in which column is the family's (``insights.rollups.base.Family.measures``, in order):
    one wide row per group rather than a row per count keeps a group × year read to a few hundred
    thousand rows.
    """

    store = models.ForeignKey("org.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    family = models.CharField(_("kind of record"), max_length=40)
    kind = models.CharField(_("kind"), max_length=40, blank=True)
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    person = models.ForeignKey(
        "org.User", verbose_name=_("person"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    n1 = models.IntegerField(_("count 1"), default=0)
    n2 = models.IntegerField(_("count 2"), default=0)
    n3 = models.IntegerField(_("count 3"), default=0)
    n4 = models.IntegerField(_("count 4"), default=0)
    n5 = models.IntegerField(_("count 5"), default=0)
    n6 = models.IntegerField(_("count 6"), default=0)
    n7 = models.IntegerField(_("count 7"), default=0)
    n8 = models.IntegerField(_("count 8"), default=0)
    total = models.FloatField(_("sum"), null=True, blank=True)

    class Meta:
        verbose_name = _("daily figure")
        verbose_name_plural = _("daily figures")
        indexes = [models.Index(fields=["store", "day", "family"], name="dailyfigure_store_day_family")]

    def __str__(self):
        return f"{self.store_id} {self.day} {self.family} {self.kind} {self.department_id} {self.person_id}"


class RollupState(models.Model):
    """The days of a store whose figures of one module are rolled up: first_day to last_day (empty when last < first)."""

    store = models.ForeignKey("org.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="+")
    module = models.CharField(_("module"), max_length=20)
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    version = models.CharField(_("version"), max_length=32, blank=True)  # a new random token at every write

    class Meta:
        verbose_name = _("rollup state")
        verbose_name_plural = _("rollup states")
        constraints = [models.UniqueConstraint(fields=["store", "module"], name="uniq_rollupstate_store_module")]

    def __str__(self):
        return f"{self.store_id} {self.module}: {self.first_day}–{self.last_day}"


class DirtyDay(models.Model):
    """A mark: a store's day whose records changed, read from the records until the worker has rolled it up again.

    Written by database triggers on the records' tables (``insights.rollups.triggers``), so that bulk writes,
    imports and updates of any kind mark the day too. Marks are only ever inserted (one per writing statement
    and day, never updated): a writer never waits for another writer or for the worker, and a mark committed
    while the worker works on its day is not among the ones it deletes, so the day is redone at the next run.
    """

    # No constraint in the database: a trigger may mark a day while its store is being deleted (a test's
    # flush, a store removed with its records); a mark of a store that is gone only costs a read.
    store = models.ForeignKey(
        "org.Store", verbose_name=_("store"), on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    day = models.DateField(_("day"))

    class Meta:
        verbose_name = _("changed day")
        verbose_name_plural = _("changed days")
        indexes = [models.Index(fields=["store", "day"], name="dirtyday_store_day")]

    def __str__(self):
        return f"{self.store_id} {self.day}"
