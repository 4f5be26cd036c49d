"""Create many generated people for benchmarks and load tests.

    weconomics generate_people --count 100000 [--seed 1] [--communities 20] [--batch 5000]

Every generated account has an address at @generated.example, no usable password and no
confirmed address, so nobody can sign in as one. Running the command again tops the
generated people up to --count (or does nothing when there are enough). Rows are written
with bulk_create in batches, one transaction per batch, on SQLite and PostgreSQL alike;
no audit records or notifications are written for them.
"""

import datetime as dt
import random
import time
from collections import defaultdict

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from weconomics.communities.models import Community, Membership
from weconomics.contacts.models import (
    Block,
    Connection,
    Endorsement,
    NetworkRole,
    Person,
    PersonSkill,
    Recommendation,
    Skill,
    Visibility,
)
from weconomics.contacts.text import search_key
from weconomics.identity.models import Account

DOMAIN = "generated.example"


def _words(text: str) -> list[str]:
    return text.split()


FIRST_NAMES = _words("""
Anna Bram Chidi Dewi Eva Farid Grace Hanna Ilse Jan Joris Kees Lotte Maarten Noor Olivier
Pieter Quinten Roos Sanne Thijs Ursula Vera Willem Xander Yara Zoë Aisha Ahmed Bas Britt Daan
Emma Fleur Femke Gert Hugo Ines Jeroen Julia Karin Lars Lieke Luuk Marieke Mohamed Mustafa
Niels Nina Orlando Paula Priya Rachid Renée Rik Ruben Sara Sem Siham Sofie Stijn Tessa Tim
Yusuf Zeynep Ayşe Mehmet Fatima Youssef Ibrahim Layla Omar Amira Wei Mei Hiroshi Yuki Ravi
Anjali Arjun Deepa Kwame Ama Kofi Abena Nnamdi Ngozi Chiara Luca Giulia Marco Pablo Lucía
Carmen Javier Inês João Miguel Beatriz François Élodie Amélie Søren Åsa Björn Jürgen Jörg
Małgorzata Piotr Agnieszka Tomasz Olga Dmitri Katarzyna Lena Milan Zoran Mirjam Gerrit Henk
Hendrik Johanna Wilhelmina Geertje Sjoerd Tjitske Wouter Floor Jasper Merel Tygo Lauren
Sven Fenna Anouk Bart Esther Dirk Iris Koen Linda Marco Nadia Robin Saskia Vincent Wendy
""")

LAST_NAMES = _words("""
de_Jong Jansen de_Vries van_den_Berg van_Dijk Bakker Janssen Visser Smit Meijer de_Boer
Mulder de_Groot Bos Vos Peters Hendriks van_Leeuwen Dekker Brouwer de_Wit Dijkstra Smits
de_Graaf van_der_Meer van_der_Linden Kok Jacobs de_Haan Vermeulen van_den_Heuvel
van_der_Veen van_den_Broek de_Bruijn de_Bruin van_der_Heijden Schouten van_Beek Willems
van_Vliet van_de_Ven Hoekstra Maas Verhoeven Koster van_Dam van_der_Wal Prins Blom Huisman
Peeters de_Lange Kuipers van_Wijk Postma Kramer van_den_Bosch Scholten Okafor Mensah
Santoso El_Amrani Yılmaz Kaya Demir Şahin Çelik Öztürk Aydın El_Idrissi Benali Bouzid
Nguyễn Tran Le Pham Wang Li Zhang Chen Tanaka Suzuki Sato Patel Sharma Singh Kumar Gupta
Asante Owusu Boateng Adeyemi Okonkwo Nwosu Rossi Russo Ferrari Esposito García Martínez
López González Rodríguez Fernández Silva Santos Oliveira Pereira Dubois Lefèvre Moreau
Müller Schmidt Schneider Fischer Weber Becker Schäfer Nowak Kowalski Wiśniewski Wójcik
Ivanov Petrov Novak Horvat Jensen Nielsen Hansen Andersson Johansson Lindqvist O'Brien
Murphy Kelly Smith Williams Brown Taylor Wilson Evans Thomas Roberts Hughes Walker
Haddou Azzouzi Mahabier Ramdin Sewdien Kartosen Soekhoe Tjon_A_Fong Lie Kwee Liem
""")

REGIONS = """
Groningen|Friesland|Drenthe|Overijssel|Flevoland|Gelderland|Utrecht|Noord-Holland|
Zuid-Holland|Zeeland|Noord-Brabant|Limburg|Amsterdam|Rotterdam|Den Haag|Eindhoven|Tilburg|
Almere|Breda|Nijmegen|Apeldoorn|Haarlem|Arnhem|Enschede|Amersfoort|Zaanstad|
's-Hertogenbosch|Zwolle|Leiden|Maastricht|Dordrecht|Ede|Alkmaar|Leeuwarden|Delft|Deventer|
Venlo|Hilversum|Heerlen|Emmen|Antwerpen|Gent|Brussel|Leuven|Hasselt
""".replace("\n", "").split("|")

SKILLS = """
Loopbaancoaching|Teamcoaching|Leiderschapscoaching|Executive coaching|Mentoring|Mediation|
Conflicthantering|Assessments|Intervisie|Supervisie|Training|Trainingsontwerp|Facilitation|
Workshops geven|Presenteren|Storytelling|Communicatie|Interne communicatie|
Crisiscommunicatie|Feedback|Gesprekstechnieken|Onderhandelen|Verkoop|Accountmanagement|
Acquisitie|Klantenservice|Customer success|Marketing|Online marketing|Contentmarketing|
SEO|SEA|Social media|Copywriting|Redactie|Journalistiek|Vertalen|Tolken|Eindredactie|
Fotografie|Videografie|Videomontage|Animatie|Illustratie|Grafisch ontwerp|Huisstijl|
UX-design|UI-design|Interactieontwerp|Servicedesign|Design thinking|Gebruikersonderzoek|
Toegankelijkheid|Webdevelopment|Frontend|Backend|Full-stack development|Python|Django|
JavaScript|TypeScript|React|Vue|Angular|Node.js|PHP|Laravel|Ruby|Ruby on Rails|Java|
Kotlin|Scala|Go|Rust|C|C++|C#|.NET|Swift|iOS-ontwikkeling|Android-ontwikkeling|Flutter|
SQL|PostgreSQL|MySQL|SQLite|MongoDB|Redis|Elasticsearch|Data-analyse|Datavisualisatie|
Power BI|Tableau|Excel|Statistiek|R|Machine learning|Deep learning|NLP|Computer vision|
Data engineering|ETL|Datawarehousing|Data governance|Privacy|AVG|Informatiebeveiliging|
Ethical hacking|Pentesten|ISO 27001|NEN 7510|Risicomanagement|Compliance|Audit|
Interne controle|Boekhouden|Financiële administratie|Salarisadministratie|Controlling|
Fiscaal advies|Belastingaangifte|Jaarrekening|Begroten|Subsidieaanvragen|Fondsenwerving|
Crowdfunding|Inkoop|Aanbesteden|Contractmanagement|Logistiek|Supply chain|Voorraadbeheer|
Planning|Roosteren|Projectleiding|Projectmanagement|Programmamanagement|Prince2|Scrum|
Agile coaching|Kanban|Lean|Six Sigma|Procesverbetering|Procesmodellering|
Verandermanagement|Organisatieadvies|Strategie|Businessplannen|Ondernemerschap|
Interim-management|Bestuurswerk|Toezicht|Governance|Beleidsadvies|Beleidsonderzoek|
Gemeentelijk beleid|Sociaal domein|Jeugdzorg|Ouderenzorg|Thuiszorg|Wijkverpleging|
Gehandicaptenzorg|GGZ|Verpleging|Fysiotherapie|Ergotherapie|Logopedie|Diëtetiek|
Psychologie|Coaching bij burn-out|Re-integratie|Jobcoaching|Arbeidsbemiddeling|
HR-advies|Werving en selectie|Recruitment|Employer branding|Onboarding|
Personeelsontwikkeling|Arbeidsrecht|Ondernemingsrecht|Contractenrecht|Juridisch advies|
Notariaat|Incasso|Schuldhulpverlening|Budgetcoaching|Administratieve ondersteuning|
Secretariaat|Office management|Receptie|Evenementenorganisatie|Catering|Koken|Bakken|
Horeca|Bediening|Barista|Schoonmaak|Facilitair beheer|Huismeester|Beveiliging|
Gebouwbeheer|Installatietechniek|Elektrotechniek|Loodgieterswerk|Timmeren|Metselen|
Schilderen|Stukadoren|Tegelzetten|Dakdekken|Zonnepanelen|Warmtepompen|Isolatie|
Duurzaamheidsadvies|Energieadvies|Circulaire economie|Afvalbeheer|Tuinieren|
Hoveniersbezigheden|Groenbeheer|Stadslandbouw|Permacultuur|Imkeren|Dierverzorging|
Hondentraining|Fietsreparatie|Autotechniek|Chauffeur|Koeriersdiensten|Verhuizen|
Klussen|Meubelmaken|Naaien|Kleermaken|Breien|Keramiek|Sieraden maken|Muziekles|
Pianoles|Gitaarles|Zangles|Koordirectie|Theater|Dans|Yoga|Mindfulness|Personal training|
Sportbegeleiding|Voedingsadvies|Kinderopvang|Oppassen|Huiswerkbegeleiding|Bijles wiskunde|
Bijles Nederlands|Bijles Engels|Taalles|Nederlands als tweede taal|Lesgeven|Didactiek|
E-learning|Leerontwerp|Blended learning|Curriculumontwikkeling|Toetsontwikkeling|
Onderwijsadvies|Studiebegeleiding|Bibliotheekwerk|Archivering|Informatiebeheer|
Documentmanagement|Kennismanagement|Wiki-beheer|Community management|Moderatie|
Vrijwilligerscoördinatie|Buurtwerk|Opbouwwerk|Participatie|Burgerinitiatieven|
Coöperaties oprichten|Shared services|ICT-beheer|Netwerken|Systeembeheer|Linux|Windows|
Cloud|AWS|Azure|Kubernetes|Docker|DevOps|CI/CD|Monitoring|Helpdesk|Werkplekbeheer|
Telefonie|Printerbeheer|Open source|Softwarearchitectuur|API-ontwerp|Integraties|
Testen|Testautomatisering|Kwaliteitszorg|Functioneel beheer|Applicatiebeheer|
Requirements analyse|Business analyse|Productmanagement|Product ownership|Innovatie|
Onderzoek|Kwalitatief onderzoek|Enquêtes|Evaluatieonderzoek|Wetenschappelijk schrijven|
Subsidieverantwoording|Impactmeting|Maatschappelijk ondernemen|Inclusie|Diversiteit
""".replace("\n", "").split("|")

HEADLINES = ["Zelfstandig {skill}", "{skill} en advies", "Specialist {skill}",
             "Freelancer: {skill}", "{skill} voor organisaties", "{skill} in de regio",
             "Expert in {skill}", "{skill} | {skill2}"]

LANGUAGES = [("nl", 0.9), ("en", 0.7), ("de", 0.2), ("fr", 0.15), ("tr", 0.05),
             ("ar", 0.05), ("es", 0.08), ("pl", 0.03)]
LEVELS = ["basic", "good", "fluent", "native"]
ROLES = [NetworkRole.Role.CUSTOMER, NetworkRole.Role.PRODUCT_SUPPLIER,
         NetworkRole.Role.INTERMEDIARY, NetworkRole.Role.NETWORK_SUPPLIER]
SPECIALTIES = ["it", "research", "communication", "shared_services"]
COMMUNITY_KINDS = list(Community.Kind.values)

PUBLIC, COMMUNITIES, CONNECTIONS, PRIVATE = (Visibility.PUBLIC, Visibility.COMMUNITIES,
                                             Visibility.CONNECTIONS, Visibility.PRIVATE)
# Who may find the card: about half of the people are public.
CARD_CHOICES = ([PUBLIC, COMMUNITIES, CONNECTIONS, PRIVATE], [50, 33, 13, 4])
SECTION_CHOICES = ([PUBLIC, COMMUNITIES, CONNECTIONS, PRIVATE], [50, 25, 17, 8])
OTHER_SECTIONS = ("photo", "about", "skills", "experience", "education", "languages",
                  "region", "availability", "links", "recommendations")


def _name(word: str) -> str:
    return word.replace("_", " ")


class Command(BaseCommand):
    help = "Create generated people (accounts, profiles, skills, communities, connections)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True,
                            help="How many generated people there should be in total.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--communities", type=int, default=20,
                            help="How many generated communities the people join.")
        parser.add_argument("--batch", type=int, default=5000,
                            help="People written per transaction.")
        parser.add_argument("--connections", type=int, default=10,
                            help="About how many connections each person gets.")

    def handle(self, *args, count, seed, communities, batch, connections, **options):
        if count < 0 or batch < 1 or communities < 1 or connections < 0:
            raise CommandError("--count, --batch, --communities and --connections must be "
                               "positive.")
        self.started = time.monotonic()
        existing = list(Account.objects.filter(email__endswith=f"@{DOMAIN}")
                        .values_list("email", flat=True))
        if len(existing) >= count:
            self.stdout.write(f"There are already {len(existing)} generated people; "
                              "nothing to do.")
            return
        first = 1 + max((int(e.split("@")[0].removeprefix("person")) for e in existing
                         if e.split("@")[0].removeprefix("person").isdigit()), default=0)
        todo = count - len(existing)
        # A top-up draws from its own stream, so it does not repeat the first run's choices.
        self.rng = random.Random(f"{seed}:{first}")
        self.now = timezone.now()
        self.skill_ids = self._skills()
        # Popular skills are held by many people, rare ones by few.
        self.skill_weights = [1 / (rank + 1) ** 0.7 for rank in range(len(self.skill_ids))]
        self.community_ids = self._communities(communities)
        self.stdout.write(f"Creating {todo} generated people after the {len(existing)} there "
                          f"are ({len(self.skill_ids)} skills, {communities} communities)...")

        self.new_people: list[int] = []
        self.skills_of: dict[int, list[int]] = {}
        self.members_of: dict[int, list[int]] = defaultdict(list)
        for start in range(first, first + todo, batch):
            size = min(batch, first + todo - start)
            with transaction.atomic():
                self._people(range(start, start + size))
            self._progress(f"{len(self.new_people)}/{todo} people")

        pool = list(Person.objects.filter(account__email__endswith=f"@{DOMAIN}")
                    .values_list("pk", flat=True))
        pairs = self._connections(pool, connections, batch)
        self._blocks(pool, pairs)
        self._endorsements(pairs, batch)
        self._recommendations(pairs)
        if connection.vendor == "postgresql":
            # Autovacuum would do this soon; do it now so the planner knows the new sizes
            # and index-only scans work (measurements right after a run are then fair).
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        self._progress("done")

    def _progress(self, what: str) -> None:
        self.stdout.write(f"  {what} ({time.monotonic() - self.started:.1f} s)")

    def _skills(self) -> list[int]:
        keys = {search_key(name): name for name in SKILLS}
        Skill.objects.bulk_create([Skill(key=key, name=name) for key, name in keys.items()],
                                  ignore_conflicts=True)
        ids = dict(Skill.objects.filter(key__in=keys).values_list("key", "pk"))
        return [ids[key] for key in keys]

    def _communities(self, n: int) -> list[int]:
        ids = []
        for i in range(1, n + 1):
            visibility = ("hidden" if i % 10 == 0 else "listed" if i % 4 == 0 else "public")
            community, _created = Community.objects.get_or_create(
                slug=f"generated-{i}", defaults={
                    "name": f"Generated community {i}", "kind": COMMUNITY_KINDS[i % 5],
                    "visibility": visibility,
                    "purpose": "A generated community for benchmarks.",
                    "audience": "Generated people."})
            ids.append(community.pk)
        return ids

    def _people(self, indexes: range) -> None:
        rng = self.rng
        names = [f"{rng.choice(FIRST_NAMES)} {_name(rng.choice(LAST_NAMES))}"
                 for _i in indexes]
        handles = [f"{slugify(name)}-g{index}" for name, index in zip(names, indexes,
                                                                       strict=True)]
        taken = set(Person.objects.filter(handle__in=handles).values_list("handle", flat=True))
        handles = [h if h not in taken else f"{h}-{rng.randrange(10**6)}" for h in handles]
        accounts = Account.objects.bulk_create([
            Account(email=f"person{index}@{DOMAIN}", name=name, password=make_password(None),
                    language=rng.choice(["nl", "nl", "en", ""]), date_joined=self.now)
            for index, name in zip(indexes, names, strict=True)])
        people = Person.objects.bulk_create([
            self._person(account, handle) for account, handle in zip(accounts, handles,
                                                                      strict=True)])
        person_skills, roles, memberships = [], [], []
        for person in people:
            chosen, wanted = set(), rng.randint(3, 6)
            while len(chosen) < wanted:
                chosen.add(rng.choices(self.skill_ids, weights=self.skill_weights)[0])
            person_skills += [PersonSkill(person=person, skill_id=skill_id, position=position)
                              for position, skill_id in enumerate(chosen)]
            for role in rng.sample(ROLES, rng.choice([0, 1, 1, 1, 2])):
                roles.append(NetworkRole(person=person, role=role, specialty=(
                    rng.choice(SPECIALTIES) if role == NetworkRole.Role.NETWORK_SUPPLIER
                    else "")))
            for community_id in rng.sample(self.community_ids,
                                           min(len(self.community_ids),
                                               rng.choices([0, 1, 2, 3], [15, 45, 30, 10])[0])):
                memberships.append(Membership(community_id=community_id,
                                              account_id=person.account_id))
                self.members_of[community_id].append(person.pk)
            self.new_people.append(person.pk)
        for person_skill in PersonSkill.objects.bulk_create(person_skills):
            self.skills_of.setdefault(person_skill.person_id, []).append(person_skill.pk)
        NetworkRole.objects.bulk_create(roles)
        Membership.objects.bulk_create(memberships)

    def _person(self, account, handle: str) -> Person:
        rng = self.rng
        region = rng.choice(REGIONS)
        skill, skill2 = rng.sample(SKILLS, 2)
        hours = rng.choice([None, 8, 16, 24, 40, 60, 80, 120])
        visibility = {f"{section}_visibility": rng.choices(*SECTION_CHOICES)[0]
                      for section in OTHER_SECTIONS}
        return Person(
            account=account, handle=handle, display_name=account.name,
            search_name=search_key(account.name)[:150],
            headline=rng.choice(HEADLINES).format(skill=skill, skill2=skill2.lower())[:160],
            about=f"Ik werk als {skill.lower()} en help graag met {skill2.lower()}.",
            region=region, region_key=search_key(region),
            languages=[{"code": code, "level": rng.choice(LEVELS)}
                       for code, chance in LANGUAGES if rng.random() < chance],
            hours_per_month=hours,
            available_from=(dt.date(2026, rng.randint(1, 12), 1) if hours else None),
            profile_visibility=rng.choices(*CARD_CHOICES)[0], **visibility)

    def _connections(self, pool: list[int], per_person: int, batch: int) -> set:
        """Connect each new person to about per_person others, half within a community."""
        rng = self.rng
        community_of = {}
        for community_id, members in self.members_of.items():
            for person_id in members:
                community_of.setdefault(person_id, community_id)
        pairs: set[tuple[int, int]] = set()
        # Each pair counts for both people, so each person starts half of their connections.
        for person_id in self.new_people:
            near = self.members_of.get(community_of.get(person_id), pool)
            for n in range(max(1, round(rng.gauss(per_person / 2, 1.5)))):
                other = rng.choice(near if n % 2 == 0 else pool)
                if other != person_id:
                    pairs.add((min(person_id, other), max(person_id, other)))
        rows = [row for a, b in pairs for row in ((a, b), (b, a))]
        for start in range(0, len(rows), batch * 4):
            with transaction.atomic():
                Connection.objects.bulk_create(
                    [Connection(person_id=a, other_id=b) for a, b in rows[start:start + batch * 4]],
                    ignore_conflicts=True)
        self._progress(f"{len(rows)} connection rows ({len(pairs)} pairs)")
        return pairs

    def _blocks(self, pool: list[int], pairs: set) -> None:
        rng = self.rng
        blocks = set()
        for person_id in rng.sample(self.new_people, len(self.new_people) // 200):
            other = rng.choice(pool)
            if other != person_id and (min(person_id, other), max(person_id, other)) not in pairs:
                blocks.add((person_id, other))
        Block.objects.bulk_create([Block(blocker_id=a, blocked_id=b) for a, b in blocks],
                                  ignore_conflicts=True)
        self._progress(f"{len(blocks)} blocks")

    def _endorsements(self, pairs: set, batch: int) -> None:
        """About one in five connections endorses one of the other's skills."""
        rng = self.rng
        rows = []
        for a, b in pairs:
            if rng.random() < 0.2:
                endorser, person = (a, b) if rng.random() < 0.5 else (b, a)
                if person in self.skills_of:
                    rows.append(Endorsement(endorser_id=endorser,
                                            person_skill_id=rng.choice(self.skills_of[person])))
        for start in range(0, len(rows), batch * 4):
            with transaction.atomic():
                Endorsement.objects.bulk_create(rows[start:start + batch * 4],
                                                ignore_conflicts=True)
        self._progress(f"{len(rows)} endorsements")

    def _recommendations(self, pairs: set) -> None:
        rng = self.rng
        rows = []
        for a, b in rng.sample(sorted(pairs), len(pairs) // 20):
            author, subject = (a, b) if rng.random() < 0.5 else (b, a)
            rows.append(Recommendation(
                author_id=author, subject_id=subject, status=Recommendation.Status.APPROVED,
                body="Fijne samenwerking: betrouwbaar, snel en **prettig** in de omgang.",
                written_at=self.now, decided_at=self.now))
        with transaction.atomic():
            Recommendation.objects.bulk_create(rows)
        self._progress(f"{len(rows)} recommendations")
