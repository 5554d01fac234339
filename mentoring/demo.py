"""Demo data: NOW4WRC23 and Women in Cyber with about 120 participants in all six regions."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from .extensions import db
from .models import (
    Activity,
    ActivityKind,
    Audience,
    Enrolment,
    EnrolmentStatus,
    Gender,
    ItuMeeting,
    MeetingRole,
    MeetingRoleKind,
    ProgrammeStatus,
    RegionPreference,
    Registration,
    RegistrationStatus,
    Role,
    User,
)
from .models._types import utcnow
from .services import activities as activity_service
from .services import programmes, wishes
from .services.enrolments import Application, apply
from .services.scope import Scope

#: Every demo account signs in with this password (printed by ``flask seed-demo``).
DEMO_PASSWORD = "demo-mentoring-2026"  # noqa: S105 - published demo credential
DOMAIN = "demo.example"

WRC_TOPICS = [
    "IMT and mobile broadband", "Fixed-satellite service", "Mobile-satellite service",
    "Broadcasting-satellite service", "Satellite regulatory procedures", "Maritime and GMDSS",
    "Aeronautical services", "Earth exploration and space research", "Radio astronomy",
    "Broadcasting", "Amateur services", "Spectrum management and monitoring",
    "Radio Regulations", "Negotiation", "Drafting contributions", "Chairing meetings",
    "Public speaking", "National preparation and coordination",
]
CYBER_TOPICS = [
    "Incident response", "Threat intelligence", "Digital forensics", "Malware analysis",
    "Network security", "Cloud security", "Cryptography", "Security policy and governance",
    "Risk management", "CSIRT management", "Awareness and training", "Career development",
    "Leadership",
]

# Per region: countries, time zones, languages besides English, and names in use there.
REGIONS = {
    "APT": (["IN", "CN", "JP", "ID", "AU", "PH", "TH", "PK"],
            ["Asia/Kolkata", "Asia/Shanghai", "Asia/Tokyo", "Asia/Jakarta", "Australia/Sydney",
             "Asia/Manila", "Asia/Bangkok", "Asia/Karachi"], ["zh", "fr"],
            ["Priya Raman", "李娜 (Li Na)", "Aiko Tanaka", "Siti Rahma", "Grace Chen",
             "Maria Santos", "Nattaya Srisuk", "Ayesha Khan", "Wei Zhang", "Ravi Kumar"]),
    "ASMG": (["EG", "SA", "AE", "MA", "TN", "JO", "OM", "LB"],
             ["Africa/Cairo", "Asia/Riyadh", "Asia/Dubai", "Africa/Casablanca", "Africa/Tunis",
              "Asia/Amman", "Asia/Muscat", "Asia/Beirut"], ["ar", "fr"],
             ["فاطمة الزهراء (Fatima Alzahraa)", "Nour El-Sayed", "Mariam Al-Harthy",
              "Salma Bennani", "Leila Trabelsi", "Rania Haddad", "Huda Al-Mansoori",
              "Ahmed Saleh", "Yasmin Farouk", "Omar Khalil"]),
    "ATU": (["KE", "NG", "SN", "ZA", "GH", "RW", "CM", "CI"],
            ["Africa/Nairobi", "Africa/Lagos", "Africa/Dakar", "Africa/Johannesburg",
             "Africa/Accra", "Africa/Kigali", "Africa/Douala", "Africa/Abidjan"], ["fr", "ar"],
            ["Wanjiru Kamau", "Ngozi Okafor", "Aminata Diallo", "Thandiwe Nkosi", "Akosua Mensah",
             "Aline Uwase", "Brigitte Mbarga", "Awa Traoré", "Kwame Boateng", "Fatou Sow"]),
    "CEPT": (["FR", "DE", "GB", "ES", "IT", "SE", "PL", "TR"],
             ["Europe/Paris", "Europe/Berlin", "Europe/London", "Europe/Madrid", "Europe/Rome",
              "Europe/Stockholm", "Europe/Warsaw", "Europe/Istanbul"], ["fr", "es", "ru"],
             ["Claire Dubois", "Anna Schmidt", "Sarah Jones", "Lucía García", "Giulia Rossi",
              "Ingrid Larsson", "Katarzyna Nowak", "Elif Yılmaz", "Jean Martin", "Hans Weber"]),
    "CITEL": (["BR", "MX", "CA", "US", "AR", "CO", "CL", "JM"],
              ["America/Sao_Paulo", "America/Mexico_City", "America/Toronto", "America/New_York",
               "America/Argentina/Buenos_Aires", "America/Bogota", "America/Santiago",
               "America/Jamaica"], ["es", "fr"],
              ["Ana Souza", "María Hernández", "Emily Tremblay", "Jennifer Brooks",
               "Valentina López", "Camila Rodríguez", "Francisca Muñoz", "Shanice Campbell",
               "Carlos Pérez", "Robert Miller"]),
    "RCC": (["RU", "KZ", "UZ", "AM", "AZ", "BY", "KG", "TJ"],
            ["Europe/Moscow", "Asia/Almaty", "Asia/Tashkent", "Asia/Yerevan", "Asia/Baku",
             "Europe/Minsk", "Asia/Bishkek", "Asia/Dushanbe"], ["ru"],
            ["Елена Смирнова (Elena Smirnova)", "Aigerim Nurlanovna", "Dilnoza Karimova",
             "Anahit Petrosyan", "Leyla Aliyeva", "Olga Ivanova", "Aizada Bekova",
             "Nigora Rahimova", "Sergei Volkov", "Timur Akhmetov"]),
}
GOALS_MENTEE = [
    "Prepare my first WRC as a delegate and speak confidently in working groups.",
    "Learn how contributions are drafted and negotiated between regional groups.",
    "Understand satellite filing procedures and build a network across regions.",
    "Grow into a chairing role in my national preparatory process.",
]
GOALS_MENTOR = [
    "Share what I learned over several conferences and help new delegates find their voice.",
    "Help the next generation of women delegates take chair and vice-chair roles.",
    "Pass on practical negotiation experience from regional preparatory meetings.",
]


_HASH: dict[str, str] = {}


def _user(name: str, email: str, *, admin: bool = False) -> User:
    user = User(name=name, email=email, is_admin=admin, email_verified_at=utcnow())
    # One hash for all demo accounts: hashing is slow by design.
    if not _HASH:
        user.set_password(DEMO_PASSWORD)
        _HASH["demo"] = user.password_hash
    user.password_hash = _HASH["demo"]
    db.session.add(user)
    return user


def _participants(programme, rng: random.Random, mentors: int, mentees: int, prefix: str,
                  skew_women: float) -> list:
    """Create ``mentors`` + ``mentees`` applications spread over the six regions."""
    codes = list(REGIONS)
    topics = programme.topics
    enrolments = []
    for index in range(mentors + mentees):
        role = Role.MENTOR if index < mentors else Role.MENTEE
        region = codes[index % len(codes)]
        countries, zones, extra_languages, names = REGIONS[region]
        pick = rng.randrange(len(countries))
        name = names[(index // len(codes) + (0 if role == Role.MENTOR else 3)) % len(names)]
        email = f"{prefix}.{role.value}{index + 1}@{DOMAIN}"
        user = _user(name, email)
        languages = ["en"] + rng.sample(extra_languages, k=min(len(extra_languages),
                                                                rng.randint(1, 2)))
        if rng.random() < 0.15:
            languages = [extra_languages[0]] + (["fr"] if extra_languages[0] != "fr" else [])
        chosen = rng.sample(topics, k=rng.randint(3, 5) if role == Role.MENTOR
                            else rng.randint(2, 4))
        woman = rng.random() < (skew_women if role == Role.MENTOR else 0.9)
        application = Application(
            country=countries[pick], timezone=zones[pick],
            languages=[code for code in languages if code in programme.language_codes],
            topic_ids=[topic.id for topic in chosen],
            organisation=f"{region} administration {pick + 1}" if rng.random() < 0.6
            else "Ministry of Communications",
            years_experience=rng.randint(8, 25) if role == Role.MENTOR else rng.randint(1, 5),
            goals=rng.choice(GOALS_MENTOR if role == Role.MENTOR else GOALS_MENTEE),
            capacity=rng.randint(1, programme.mentor_capacity_max) if role == Role.MENTOR
            else None,
            region_preference=rng.choice(list(RegionPreference)),
            wants_woman_mentor=role == Role.MENTEE and rng.random() < 0.3,
            gender=(Gender.WOMAN if woman else Gender.MAN) if rng.random() < 0.85 else None,
        )
        enrolment = apply(user, programme, role, application, source="demo")
        enrolment.created_at = utcnow() - timedelta(days=rng.randint(1, 40))
        roll = rng.random()
        enrolment.status = (EnrolmentStatus.ACCEPTED if roll < 0.7 else
                            EnrolmentStatus.SUBMITTED if roll < 0.9 else
                            EnrolmentStatus.WAITLISTED)
        enrolments.append(enrolment)
    return enrolments


#: What NOW4WRC23's listed mentors say of themselves (their own words, not the interface's).
BIOS = [
    "Delegate to four WRCs; I chaired a drafting group on satellite filings.",
    "Spectrum manager at my national regulator; happy to work in English or French.",
    "I led my administration's preparation for WRC-19 and coordinate our regional group.",
    "Former ITU-R study group vice-chair; I like helping first-time speakers prepare.",
    "Negotiator on IMT identification; ask me about building alliances between regions.",
]


def _wishes(programme) -> None:
    """NOW4WRC23 before its first run: every other accepted mentor listed, with a few words,
    and two mentees in three ranking one to five of them, those who share most of her topics
    first (through the same service as the wishes pages, so only valid wishes are made)."""
    accepted = db.session.scalars(
        select(Enrolment).where(Enrolment.programme_id == programme.id,
                                Enrolment.status == EnrolmentStatus.ACCEPTED)
        .order_by(Enrolment.id)).all()
    listed = [e for e in accepted if e.role == Role.MENTOR][::2]
    for number, mentor in enumerate(listed):
        wishes.set_listing(mentor.user, mentor, True, BIOS[number % len(BIOS)])
    topics = {e.id: {link.topic_id for link in e.topics} for e in accepted}
    for number, mentee in enumerate(e for e in accepted if e.role == Role.MENTEE):
        if number % 3 == 2:
            continue
        ranked = sorted(listed, key=lambda mentor: (
            -len(topics[mentee.id] & topics[mentor.id]), (mentor.id + number) % 7, mentor.id))
        wishes.set_wishes(mentee.user, mentee, [mentor.id for mentor in ranked[:1 + number % 5]])


def _run_programme(admin: User, programme, rng: random.Random, today) -> None:
    """Match the accepted applicants, announce the pairs 120 days ago, and log sessions."""
    from .models import (
        Confirmation,
        Feedback,
        Meeting,
        MeetingFormat,
        MeetingTopic,
        Pairing,
        PairingStatus,
    )
    from .services import matching
    from .services.scope import Scope

    programme.status = ProgrammeStatus.MATCHING
    matching.run(admin, Scope(programme))
    programme.status = ProgrammeStatus.RUNNING
    announced = utcnow() - timedelta(days=120)
    pairs = db.session.scalars(select(Pairing).where(
        Pairing.programme_id == programme.id, Pairing.status == PairingStatus.PROPOSED)).all()
    formats = list(MeetingFormat)
    for index, pairing in enumerate(pairs):
        pairing.status = PairingStatus.ACTIVE
        pairing.decided_at = pairing.announced_at = announced
        pairing.decided_by_id = admin.id
        pairing.mentee.live_pairs += 1
        pairing.mentor.live_pairs += 1
        # Most pairs meet every three to five weeks; some fall silent; two never met.
        if index % 11 == 3:
            continue
        stop = 120 if index % 7 else rng.randint(50, 90)
        day = rng.randint(4, 14)
        while day < stop:
            meeting = Meeting(
                pairing=pairing, author_id=(pairing.mentor if rng.random() < 0.7
                                            else pairing.mentee).user_id,
                held_on=announced.date() + timedelta(days=day),
                duration_minutes=rng.choice([30, 45, 60, 60, 90]),
                format=rng.choice(formats), notes="", next_steps="",
                confirmation=Confirmation.CONFIRMED if rng.random() < 0.8
                else Confirmation.PENDING,
                created_at=announced + timedelta(days=day))
            meeting.topics = [MeetingTopic(topic_id=link.topic_id)
                              for link in pairing.mentee.topics[:2]]
            if rng.random() < 0.6:
                meeting.feedback = [Feedback(user_id=pairing.mentee.user_id,
                                             rating=rng.choice([3, 4, 4, 5, 5]))]
            db.session.add(meeting)
            day += rng.randint(21, 38)
    db.session.flush()


#: NOW4WRC23's name and description in the other UN languages (programme content, written by
#: its coordinators, not interface messages).
WRC_TRANSLATIONS = {
    "ar": {"name": "برنامج الإرشاد NOW4WRC23",
           "description": "تجمع شبكة النساء من أجل المؤتمر العالمي للاتصالات الراديوية لعام 2023 "
                          "بين المندوبات الجديدات ومندوبين ومندوبات من ذوي الخبرة، لرفع نسبة "
                          "النساء في مؤتمرات قطاع الاتصالات الراديوية إلى ما يتجاوز 30%. وتُكوَّن "
                          "الثنائيات وفقًا لبنود جدول أعمال المؤتمر واللغات والمناطق."},
    "zh": {"name": "NOW4WRC23 导师辅导计划",
           "description": "2023年世界无线电通信大会妇女网络将新任女性代表与经验丰富的男女代表结对，"
                          "以使妇女在无线电通信部门大会中的比例超过30%。结对依据大会议项、语言和区域"
                          "进行。"},
    "fr": {"name": "Programme de mentorat NOW4WRC23",
           "description": "Le Réseau des femmes pour la CMR-23 associe de nouvelles déléguées "
                          "à des délégués expérimentés, femmes et hommes, afin de porter la part "
                          "des femmes aux conférences de l'UIT-R au-delà de 30 %. Les binômes "
                          "sont formés selon les points de l'ordre du jour, les langues et les "
                          "régions."},
    "ru": {"name": "Программа наставничества NOW4WRC23",
           "description": "Сеть женщин для ВКР-23 объединяет в пары новых делегатов-женщин с "
                          "опытными делегатами, женщинами и мужчинами, чтобы доля женщин на "
                          "конференциях МСЭ-R превысила 30%. Пары формируются по пунктам повестки "
                          "дня конференции, языкам и регионам."},
    "es": {"name": "Programa de mentoría NOW4WRC23",
           "description": "La Red de Mujeres para la CMR-23 empareja a nuevas delegadas con "
                          "delegadas y delegados experimentados para que la proporción de mujeres "
                          "en las conferencias del UIT-R supere el 30 %. Las parejas se forman "
                          "según los puntos del orden del día, los idiomas y las regiones."},
}


#: How the NOW4WRC23 texts name their conference, in each language, and the next one.
_CONFERENCE_2027 = {"WRC23": "WRC27", "WRC-23": "WRC-27", "CMR-23": "CMR-27",
                    "ВКР-23": "ВКР-27", "2023": "2027"}


def _next_cycle(words: str) -> str:
    """A NOW4WRC23 text rewritten for the 2027 conference."""
    for old, new in _CONFERENCE_2027.items():
        words = words.replace(old, new)
    return words


def seed() -> list[tuple[str, str]]:
    """Create the demo programmes and people (flushes); returns (label, email) demo logins."""
    rng = random.Random(2023)
    today = utcnow().date()
    admin = _user("Demo Admin", f"admin@{DOMAIN}", admin=True)
    db.session.flush()
    wrc = programmes.create(
        admin, topics=WRC_TOPICS, name="NOW4WRC23 mentoring programme", slug="now4wrc23",
        network="ITU Network of Women for WRC-23",
        description=(
            "The Network of Women for WRC-23 pairs new women delegates with experienced "
            "delegates, women and men, to raise the share of women in ITU-R conferences past "
            "30%. Pairs are formed on the conference's agenda items, languages and regions."),
        applications_open=today - timedelta(days=60), applications_close=today - timedelta(days=5),
        starts_on=today + timedelta(days=20), ends_on=today + timedelta(days=20 + 300),
        mentor_capacity_default=2, mentor_capacity_max=4, min_sessions_per_month=1,
        default_locale="en",
    )
    # The coordinators wrote the programme in the six UN languages (Translations page).
    wrc.translations = WRC_TRANSLATIONS
    # Applications have closed: the coordinators are forming the pairs.
    wrc.status = ProgrammeStatus.MATCHING
    cyber = programmes.create(
        admin, topics=CYBER_TOPICS, name="Women in Cyber mentorship programme",
        slug="women-in-cyber",
        network="ITU, FIRST and EQUALS",
        description=(
            "Monthly mentoring sessions with senior women in cybersecurity, with talks and "
            "technical and non-technical skills training, over about six months."),
        applications_open=today - timedelta(days=30), applications_close=today + timedelta(days=30),
        starts_on=today + timedelta(days=45), ends_on=today + timedelta(days=45 + 180),
        mentor_capacity_default=2, mentor_capacity_max=3, min_sessions_per_month=1,
        default_locale="en",
    )
    db.session.flush()

    _participants(wrc, rng, mentors=30, mentees=45, prefix="wrc", skew_women=0.6)
    _outcomes(wrc)
    _wishes(wrc)
    _participants(cyber, rng, mentors=15, mentees=30, prefix="cyber", skew_women=0.95)

    coordinator = _user("Amina Coordinator", f"coordinator@{DOMAIN}")
    cochair = _user("Hala Regional Co-chair (ASMG)", f"cochair.asmg@{DOMAIN}")
    cyber_coordinator = _user("Beatriz Cyber Coordinator", f"cyber.coordinator@{DOMAIN}")
    db.session.flush()
    programmes.assign_coordinator(admin, wrc, coordinator.email, None)
    asmg = next(region for region in wrc.regions if region.code == "ASMG")
    programmes.assign_coordinator(admin, wrc, cochair.email, asmg.id)
    programmes.assign_coordinator(admin, cyber, cyber_coordinator.email, None)
    db.session.flush()

    # Women in Cyber has been running for four months: pairs at work, with their sessions.
    cyber.applications_open = today - timedelta(days=170)
    cyber.applications_close = today - timedelta(days=140)
    cyber.starts_on = today - timedelta(days=125)
    cyber.ends_on = today + timedelta(days=55)
    _run_programme(admin, cyber, rng, today)
    _activities(cyber, cyber_coordinator, today)

    # The next cycle of NOW4WRC is open for applications.
    nxt = programmes.copy_to_new_cycle(admin, wrc, name="NOW4WRC27 mentoring programme",
                                       slug="now4wrc27")
    # Its coordinators rewrote the copied texts for the 2027 conference.
    nxt.network = _next_cycle(wrc.network)
    nxt.description = _next_cycle(wrc.description)
    nxt.translations = {locale: {field: _next_cycle(words) for field, words in texts.items()}
                        for locale, texts in WRC_TRANSLATIONS.items()}
    nxt.applications_open = today - timedelta(days=3)
    nxt.applications_close = today + timedelta(days=45)
    nxt.starts_on = today + timedelta(days=75)
    nxt.ends_on = today + timedelta(days=75 + 330)
    nxt.status = ProgrammeStatus.OPEN
    programmes.assign_coordinator(admin, nxt, coordinator.email, None)
    db.session.flush()
    from .models import Meeting, Pairing

    working = db.session.scalars(select(Pairing).join(Meeting).where(
        Pairing.programme_id == cyber.id).order_by(Pairing.id)).first()
    _circle(cyber, cyber_coordinator, working.mentee, today)
    return [
        ("admin", admin.email),
        ("coordinator", coordinator.email),
        ("regional co-chair", cochair.email),
        ("Women in Cyber coord.", cyber_coordinator.email),
        ("mentor (pair at work)", working.mentor.user.email),
        ("mentee (pair at work)", working.mentee.user.email),
        ("applicant (NOW4WRC23)", f"wrc.mentee31@{DOMAIN}"),
    ]


#: Women in Cyber's group activities: (kind, title, days from today, hour in Geneva, minutes,
#: places, audience, how many register).
CYBER_ACTIVITIES = [
    (ActivityKind.TALK, "Inspirational talk: from SOC analyst to CISO", -40, 14, 60, None,
     Audience.EVERYONE, 24),
    (ActivityKind.TRAINING, "Incident response tabletop exercise", -12, 10, 180, 20,
     Audience.MENTEES, 18),
    (ActivityKind.TALK, "Women leading national CERTs", 9, 15, 60, None, Audience.EVERYONE, 17),
    (ActivityKind.TRAINING, "Negotiation skills for technical experts", 16, 13, 120, 12,
     Audience.MENTEES, 15),
    (ActivityKind.CIRCLE, "Mentoring circle: threat intelligence", 23, 16, 90, 6,
     Audience.EVERYONE, 5),
    (ActivityKind.NETWORKING, "Online networking hour", 30, 17, 60, 40, Audience.EVERYONE, 9),
]


def _activities(programme, coordinator: User, today) -> None:
    """Women in Cyber's talks, trainings, a circle and a networking hour, past and coming,
    with their registrations (one training is full and has a waiting list); the past ones
    with their attendance and feedback."""
    people = db.session.scalars(
        select(Enrolment).where(Enrolment.programme_id == programme.id,
                                Enrolment.status == EnrolmentStatus.ACCEPTED)
        .order_by(Enrolment.id)).all()
    geneva = ZoneInfo("Europe/Zurich")
    for kind, title, days, hour, minutes, places, audience, coming in CYBER_ACTIVITIES:
        activity = Activity(
            programme_id=programme.id, kind=kind, title=title,
            description="Open to the programme's participants; ask questions in any UN "
                        "language.",
            starts_at=datetime.combine(today + timedelta(days=days), time(hour), geneva),
            timezone="Europe/Zurich", duration_minutes=minutes,
            location="https://meet.example.org/women-in-cyber", capacity=places,
            audience=audience, created_by_id=coordinator.id)
        db.session.add(activity)
        db.session.flush()
        allowed = [e for e in people if audience == Audience.EVERYONE
                   or (audience == Audience.MENTEES) == (e.role == Role.MENTEE)]
        for number, enrolment in enumerate(allowed[:coming]):
            full = places is not None and number >= places
            db.session.add(Registration(
                activity_id=activity.id, user_id=enrolment.user_id,
                status=RegistrationStatus.WAITING if full else RegistrationStatus.REGISTERED,
                created_at=utcnow() - timedelta(days=20, minutes=-number)))
        db.session.flush()
        if days < 0:
            _took_place(programme, coordinator, activity)
    db.session.flush()


#: What the people who came to a past activity said of it, in turn: (rating, comment).
FEEDBACK = [
    (5, "Practical and to the point; I will reuse the checklist at work."),
    (4, "Very useful. A little more time for questions would help."),
    (5, "Inspiring: I finally understand how the teams fit together."),
    (3, "Good content, but the exercise was rushed at the end."),
    (4, "Great speakers and a friendly group."),
]


def _took_place(programme, coordinator: User, activity: Activity) -> None:
    """A past activity as its coordinator and participants left it: attendance recorded
    (every sixth person registered did not come) and feedback from every other person who
    came, through the services they use."""
    people = [r for r in activity_service.registrations(Scope(programme), activity)
              if r.status == RegistrationStatus.REGISTERED]
    came = [r for number, r in enumerate(people) if number % 6 != 5]
    activity_service.record_attendance(coordinator, Scope(programme), activity,
                                       {r.id for r in came})
    for number, registration in enumerate(came[::2]):
        rating, comment = FEEDBACK[number % len(FEEDBACK)]
        activity_service.give_feedback(registration.user, activity.id, rating, comment)


#: NOW4WRC23's outcomes: the ITU meetings, and how many of its participants held each role
#: there (the first participants in order of application, each role to different people).
WRC_OUTCOMES = {
    ("WRC-23", date(2023, 11, 20), date(2023, 12, 15)): {
        MeetingRoleKind.DELEGATE: 14, MeetingRoleKind.SPEAKER: 4, MeetingRoleKind.AUTHOR: 5,
        MeetingRoleKind.HEAD: 1, MeetingRoleKind.DEPUTY_HEAD: 2, MeetingRoleKind.VICE_CHAIR: 2,
        MeetingRoleKind.RAPPORTEUR: 1},
    ("CPM23-2", date(2023, 4, 17), date(2023, 4, 27)): {
        MeetingRoleKind.DELEGATE: 10, MeetingRoleKind.SPEAKER: 2, MeetingRoleKind.AUTHOR: 3,
        MeetingRoleKind.CHAIR: 1},
}


def _outcomes(programme) -> None:
    """NOW4WRC23's two ITU meetings and a few dozen roles its participants held there; those
    at CPM23-2 as they gave them on their applications (the baseline)."""
    people = db.session.scalars(
        select(Enrolment.user_id).where(Enrolment.programme_id == programme.id,
                                        Enrolment.status == EnrolmentStatus.ACCEPTED)
        .order_by(Enrolment.id)).all()
    for (name, starts_on, ends_on), roles in WRC_OUTCOMES.items():
        meeting = ItuMeeting(programme_id=programme.id, name=name, starts_on=starts_on,
                             ends_on=ends_on)
        db.session.add(meeting)
        db.session.flush()
        offset = 0
        for role, count in roles.items():
            db.session.add_all(MeetingRole(user_id=user_id, itu_meeting_id=meeting.id, role=role,
                                           baseline=name == "CPM23-2")
                               for user_id in people[offset:offset + count])
            # The other roles start again from the first delegates: a delegate also speaks.
            offset = 0 if role == MeetingRoleKind.DELEGATE else offset + count
    db.session.flush()


#: Women in Cyber's circle: its sessions (days ago, minutes, notes; the author in turn).
CIRCLE_SESSIONS = [
    (62, 90, "Introductions; each of us brought one threat report to discuss next time."),
    (34, 75, "Compared the reports: how a national CERT turns them into advisories."),
    (6, 90, "Tabletop: a phishing campaign against a ministry; who calls whom."),
]


def _circle(programme, coordinator: User, mentee, today) -> None:
    """Women in Cyber's threat intelligence circle: a mentor, the demo's mentee at work and
    three more mentees who speak English, with three sessions logged by its members."""
    from .models import Circle, CircleMeeting, CircleMember

    people = db.session.scalars(
        select(Enrolment).where(Enrolment.programme_id == programme.id,
                                Enrolment.status == EnrolmentStatus.ACCEPTED)
        .order_by(Enrolment.id)).all()
    english = [e for e in people if "en" in e.language_codes and e.user_id != mentee.user_id]
    mentor = next(e for e in english if e.role == Role.MENTOR)
    others = [e for e in english if e.role == Role.MENTEE and e.user_id != mentor.user_id][:3]
    circle = Circle(programme_id=programme.id, name="Threat intelligence circle", capacity=5,
                    language="en", created_by_id=coordinator.id,
                    created_at=utcnow() - timedelta(days=70))
    circle.members = [CircleMember(programme_id=programme.id, enrolment_id=e.id,
                                   user_id=e.user_id, role=e.role)
                      for e in [mentor, mentee, *others]]
    db.session.add(circle)
    db.session.flush()
    authors = [mentor, mentee, *others]
    for index, (days, minutes, notes) in enumerate(CIRCLE_SESSIONS):
        db.session.add(CircleMeeting(circle_id=circle.id, author_id=authors[index].user_id,
                                     held_on=today - timedelta(days=days),
                                     duration_minutes=minutes, notes=notes,
                                     created_at=utcnow() - timedelta(days=days)))
    db.session.flush()
