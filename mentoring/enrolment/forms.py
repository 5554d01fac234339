from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from ..data import country_choices, country_codes, language_name
from ..forms import Checked, MultiCheckboxField, options, timezone_options
from ..gender import LABELS, Gender
from ..i18n import current_locale
from ..labels import MEETING_ROLES
from ..models import Enrolment, Programme, RegionPreference, Role
from ..models._types import utcnow
from ..services import outcomes
from ..services.enrolments import (
    TEXT_LIMITS,
    YEARS_MAX,
    Application,
    capacity_problem,
    field_problem,
    gender_problem,
    years_problem,
)

#: How many ranked topic choices a mentee gets.
MENTEE_TOPIC_CHOICES = 5


def _text(name: str) -> Checked:
    """The service's rule for one free-text answer (its limit also becomes the maxlength)."""
    return Checked(lambda value: field_problem(name, value), maxlength=TEXT_LIMITS[name])


class ApplicationForm(FlaskForm):
    """One form for mentors and mentees; fields that do not apply to the role are removed."""

    country = SelectField(_l("Country"), validators=[DataRequired()],
                          description=_l("The member state you represent."))
    region_id = SelectField(_l("Region"), coerce=int, default=0,
                            description=_l("We find your region from your country. Choose one "
                                           "only if your country is in none of the programme's "
                                           "regions: we ask you if so."))
    organisation = StringField(_l("Organisation or administration"),
                               validators=[_text("organisation")])
    languages = MultiCheckboxField(_l("Languages you can work in"),
                                   validators=[DataRequired(_l("Choose at least one language."))])
    expertise = MultiCheckboxField(_l("Your areas of expertise"))
    topic_1 = SelectField(_l("Most wanted topic"))
    topic_2 = SelectField(_l("Second topic"))
    topic_3 = SelectField(_l("Third topic"))
    topic_4 = SelectField(_l("Fourth topic"))
    topic_5 = SelectField(_l("Fifth topic"))
    years_experience = IntegerField(
        _l("Years of experience in the field"),
        validators=[InputRequired(_l("Give a number, 0 if you are new.")),
                    Checked(years_problem, min=0, max=YEARS_MAX)])
    itu_meetings = TextAreaField(_l("ITU meetings attended (optional)"),
                                 validators=[_text("itu_meetings")])
    itu_baseline = MultiCheckboxField(
        _l("Have you attended ITU meetings before? Which, in which role? (optional)"),
        description=_l("Tick each role you held at the meetings below; leave them all unticked "
                       "if you have not attended any. Coordinators see your answer, and the "
                       "programme counts these roles as held before it."))
    timezone = SelectField(_l("Time zone"), validators=[DataRequired()],
                           description=_l("Where you usually work, to find convenient hours."))
    goals = TextAreaField(_l("What do you hope to gain or give?"),
                          validators=[_text("goals")])
    capacity = IntegerField(_l("How many mentees can you take?"))
    listed = BooleanField(_l("List me so mentees can ask for me"), description=_l(
        "Accepted mentees of the programme then see your name, region, languages, expertise "
        "and the few words below, and may rank you among the mentors they would like."))
    bio = TextAreaField(_l("A few words about you for mentees (optional)"),
                        validators=[_text("bio")])
    region_preference = RadioField(
        _l("Mentor's region"),
        choices=options([(RegionPreference.NONE.value, _l("No preference")),
                 (RegionPreference.SAME.value, _l("From my region")),
                 (RegionPreference.OTHER.value, _l("From another region"))]),
        default=RegionPreference.NONE.value,
    )
    wants_woman_mentor = BooleanField(_l("I would like a woman mentor"))
    gender = RadioField(
        _l("Gender (optional)"), validators=[Optional()],
        choices=options([(answer.value, label) for answer, label in LABELS.items()]),
        description=_l("Seen only by coordinators; used for statistics on the programme's "
                       "balance and for mentees who ask for a woman mentor."))
    gender_self_described = StringField(
        _l("Your gender in your own words"), validators=[_text("gender_self_described")])
    consent = BooleanField(validators=[DataRequired(_l("You must agree to take part."))])
    submit = SubmitField(_l("Submit application"))

    def __init__(self, programme: Programme, role: Role, *args, enrolment: Enrolment | None = None,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.programme, self.role = programme, role
        locale = current_locale()
        self.country.choices = options([("", "—")] + country_choices(locale))
        placed = set().union(*(region.country_codes for region in programme.regions))
        unplaced = sorted(set(country_codes()) - placed)
        if unplaced:
            self.region_id.choices = options(
                [(0, "—")] + [(r.id, r.display_name) for r in programme.regions])
            # app.js shows the field only for these countries.
            self.region_id.render_kw = {"data-countries-without-region": " ".join(unplaced)}
        else:  # every country has its region: nothing to ask
            del self.region_id
        self.languages.choices = options(
            [(c, language_name(c, locale)) for c in programme.language_codes])
        topics = [(str(t.id), t.display_label) for t in programme.topics]
        self.expertise.choices = options(topics)
        for index in range(1, MENTEE_TOPIC_CHOICES + 1):
            getattr(self, f"topic_{index}").choices = options([("", "—")] + topics)
        self.timezone.choices = timezone_options()
        offered = outcomes.baseline_meetings(programme, utcnow().date())
        if offered:
            #: (meeting name, the values of its roles' boxes): the page groups them.
            self.itu_baseline_groups = [
                (meeting.name, [f"{meeting.id}:{kind.value}" for kind in MEETING_ROLES])
                for meeting in offered]
            self.itu_baseline.choices = options([
                (f"{meeting.id}:{kind.value}", label) for meeting in offered
                for kind, label in MEETING_ROLES.items()])
        else:
            del self.itu_baseline
        self.capacity.validators = [
            InputRequired(),
            Checked(lambda value: capacity_problem(programme, value), min=1,
                    max=programme.mentor_capacity_max),
        ]
        self.consent.label.text = _l(
            "I agree that the coordinators of %(programme)s use this information to select and "
            "match participants.", programme=programme.display_name)
        # Required by validators set here or by validate_*: marked like the others.
        self.capacity.flags.required = self.expertise.flags.required = True
        self.topic_1.flags.required = True
        if role == Role.MENTOR:
            for index in range(1, MENTEE_TOPIC_CHOICES + 1):
                delattr(self, f"topic_{index}")
            del self.region_preference
            del self.wants_woman_mentor
        else:
            del self.expertise
            del self.capacity
            del self.listed
            del self.bio
        if enrolment is not None and not self.is_submitted():
            self._load(enrolment)
        elif enrolment is None and not self.is_submitted() and role == Role.MENTOR:
            self.capacity.data = programme.mentor_capacity_default
        if enrolment is not None:
            del self.consent
            self.submit.label.text = _l("Save changes")

    def _load(self, enrolment: Enrolment) -> None:
        self.country.data = enrolment.country
        if "region_id" in self:
            self.region_id.data = enrolment.region_id or 0
        self.organisation.data = enrolment.organisation
        self.languages.data = enrolment.language_codes
        topic_ids = [str(link.topic_id) for link in enrolment.topics]
        if self.role == Role.MENTOR:
            self.expertise.data = topic_ids
            self.capacity.data = enrolment.capacity
            self.listed.data, self.bio.data = enrolment.listed, enrolment.bio
        else:
            for index, topic_id in enumerate(topic_ids[:MENTEE_TOPIC_CHOICES], start=1):
                getattr(self, f"topic_{index}").data = topic_id
            self.region_preference.data = enrolment.region_preference.value
            self.wants_woman_mentor.data = enrolment.wants_woman_mentor
        self.years_experience.data = enrolment.years_experience
        self.itu_meetings.data = enrolment.itu_meetings
        if "itu_baseline" in self:
            self.itu_baseline.data = [f"{meeting_id}:{role}" for meeting_id, role
                                      in outcomes.baseline_of(enrolment.programme,
                                                              enrolment.user)]
        self.timezone.data = enrolment.timezone
        self.goals.data = enrolment.goals
        self.gender.data = enrolment.gender.value if enrolment.gender else None
        self.gender_self_described.data = enrolment.gender_self_described

    def topic_ids(self) -> list[int]:
        if self.role == Role.MENTOR:
            return [int(value) for value in self.expertise.data or []]
        picked = [getattr(self, f"topic_{i}").data for i in range(1, MENTEE_TOPIC_CHOICES + 1)]
        return [int(value) for value in picked if value]

    def validate_expertise(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one area of expertise."))

    def validate_topic_1(self, field):
        picked = [v for v in (getattr(self, f"topic_{i}").data
                              for i in range(1, MENTEE_TOPIC_CHOICES + 1)) if v]
        if not picked:
            raise ValidationError(_l("Choose at least the topic you want most."))
        if len(set(picked)) != len(picked):
            raise ValidationError(_l("Each topic can be chosen only once."))

    def validate_gender_self_described(self, field):
        problem = gender_problem(self._gender(), field.data or "")
        if problem:
            raise ValidationError(problem)

    def _gender(self) -> Gender | None:
        return Gender(self.gender.data) if self.gender.data else None

    def validate_region_id(self, field):
        if self.country.data and self.programme.region_for_country(self.country.data) is None \
                and not field.data:
            raise ValidationError(_l("The programme does not place this country in a region: "
                                     "choose one."))

    def application(self) -> Application:
        region_id = (self.region_id.data or None) if "region_id" in self else None
        return Application(
            country=self.country.data,
            region_id=region_id,
            organisation=self.organisation.data or "",
            languages=list(self.languages.data or []),
            topic_ids=self.topic_ids(),
            years_experience=self.years_experience.data,
            itu_meetings=self.itu_meetings.data or "",
            timezone=self.timezone.data,
            goals=self.goals.data or "",
            capacity=self.capacity.data if self.role == Role.MENTOR else None,
            region_preference=RegionPreference(self.region_preference.data)
            if self.role == Role.MENTEE else RegionPreference.NONE,
            wants_woman_mentor=bool(self.role == Role.MENTEE and self.wants_woman_mentor.data),
            gender=self._gender(),
            gender_self_described=self.gender_self_described.data or "",
            listed=bool(self.role == Role.MENTOR and self.listed.data),
            bio=(self.bio.data or "") if self.role == Role.MENTOR else "",
            itu_baseline=self.itu_baseline_picks(),
        )

    def itu_baseline_picks(self) -> list[tuple[int, str]] | None:
        """The ticked (meeting id, role) pairs; None when the form does not ask."""
        if "itu_baseline" not in self:
            return None
        picks = [value.split(":", 1) for value in self.itu_baseline.data or []]
        return [(int(meeting_id), role) for meeting_id, role in picks]


class ListingForm(FlaskForm):
    """A mentor's listing for mentees, also once her application is decided."""

    listed = ApplicationForm.listed
    bio = ApplicationForm.bio
    submit = SubmitField(_l("Save"))


class WishesForm(FlaskForm):
    """The mentee's wishes in her order: a rank per mentor (read from the request's lists,
    ``mentor`` and ``rank``, one pair per chosen mentor), or a mentor to add."""

    submit = SubmitField(_l("Save the order"))
