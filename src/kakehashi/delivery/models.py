"""Teaching a cohort: who attended each session, the final assessment's results, and the
rule a program sets for completing it."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kakehashi.admissions.models import Enrollment, Status
from kakehashi.catalog.models import Program, Session

# The enrollments whose people take part in a cohort's sessions: they are marked, counted
# and judged; everyone else on the roster is not.
TAKING_PART = (Status.ENROLLED, Status.COMPLETED)

DEFAULT_MIN_ATTENDANCE_PERCENT = 80
DEFAULT_PASS_MARK = Decimal(60)
DEFAULT_MAX_SCORE = Decimal(100)
# Scores are stored with two decimal places, up to 99999.99.
SCORE_DIGITS = 7
SCORE_PLACES = 2


class Assessment(models.TextChoices):
    NONE = "none", _("No final assessment")
    SCORE = "score", _("A score with a pass mark")
    PASS_FAIL = "pass_fail", _("Pass or fail")


class CompletionRule(models.Model):
    """What a participant of a program must do to complete it: attend at least
    ``min_attendance_percent`` of their cohort's sessions (late counts as attended, excused
    does not) and, where the program has one, pass its final assessment.

    One per program; a program without a row follows the default rule (80 %, no
    assessment), which ``kakehashi.delivery.progress.effective_rule`` returns.
    """

    program = models.OneToOneField(
        Program,
        on_delete=models.PROTECT,
        related_name="completion_rule",
        verbose_name=_("program"),
    )
    min_attendance_percent = models.PositiveSmallIntegerField(
        _("minimum attendance (%)"),
        default=DEFAULT_MIN_ATTENDANCE_PERCENT,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    assessment = models.CharField(
        _("final assessment"), max_length=16, choices=Assessment.choices, default=Assessment.NONE
    )
    pass_mark = models.DecimalField(
        _("pass mark"),
        max_digits=SCORE_DIGITS,
        decimal_places=SCORE_PLACES,
        default=DEFAULT_PASS_MARK,
    )
    max_score = models.DecimalField(
        _("highest score"),
        max_digits=SCORE_DIGITS,
        decimal_places=SCORE_PLACES,
        default=DEFAULT_MAX_SCORE,
    )
    updated_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("completion rule")
        verbose_name_plural = _("completion rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_attendance_percent__lte=100),
                name="completion_rule_percent_at_most_100",
            ),
            models.CheckConstraint(
                condition=Q(pass_mark__gte=0) & Q(max_score__gt=0),
                name="completion_rule_scores_positive",
            ),
            models.CheckConstraint(
                condition=Q(pass_mark__lte=F("max_score")),
                name="completion_rule_pass_mark_within_max",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program}: {self.min_attendance_percent}%, {self.assessment}"

    @property
    def has_assessment(self) -> bool:
        return self.assessment != Assessment.NONE


class Mark(models.TextChoices):
    PRESENT = "present", _("Present")
    LATE = "late", _("Late")
    EXCUSED = "excused", _("Excused")
    ABSENT = "absent", _("Absent")


# Marks that count as having attended; an excused absence is shown, but not counted.
ATTENDED = (Mark.PRESENT, Mark.LATE)


class Source(models.TextChoices):
    STAFF = "staff", _("Marked by staff")
    CHECK_IN = "check_in", _("Checked in")


class Attendance(models.Model):
    """One participant's attendance at one session: at most one per (session, enrollment).

    Written by the instructor or a registrar (``source=staff``, ``recorded_by`` set) or by
    the participant checking in with the code the instructor shows (``source=check_in``,
    ``recorded_by`` empty). A participant's check-in never replaces a mark made by staff.
    """

    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="attendance", verbose_name=_("session")
    )
    enrollment = models.ForeignKey(
        Enrollment,
        on_delete=models.PROTECT,
        related_name="attendance",
        verbose_name=_("enrollment"),
    )
    status = models.CharField(_("attendance"), max_length=16, choices=Mark.choices)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["session", "enrollment"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "enrollment"], name="attendance_one_per_session"
            ),
        ]
        indexes = [models.Index(fields=["enrollment", "session"])]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.enrollment_id}: {self.status}"

    @property
    def attended(self) -> bool:
        return self.status in ATTENDED


class AssessmentResult(models.Model):
    """A participant's result in their program's final assessment: a ``score`` when the
    program's rule asks for one, or ``passed`` when it is pass or fail; never both."""

    enrollment = models.OneToOneField(
        Enrollment,
        on_delete=models.PROTECT,
        related_name="assessment_result",
        verbose_name=_("enrollment"),
    )
    score = models.DecimalField(
        _("score"),
        max_digits=SCORE_DIGITS,
        decimal_places=SCORE_PLACES,
        null=True,
        blank=True,
    )
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("assessment result")
        verbose_name_plural = _("assessment results")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(passed__isnull=True),
                name="assessment_result_score_or_passed",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0),
                name="assessment_result_score_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id}: {self.score if self.score is not None else self.passed}"
