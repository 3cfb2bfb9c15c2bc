"""The demo content of Cyd in English and Welsh: a home page, three board clusters and their consultations.

Plain data, so the loader in `home.demo` stays short and the words can be read and corrected in one place.
StreamField values are in Wagtail's raw JSON form (dates as ISO strings); "{document}" stands for the
id of the consultation's demo document in the same language.
"""

HOME = {
    "en": {
        "title": "Decide together with your Public Services Board",
        "intro": (
            "Public Services Boards bring together councils, the NHS, the fire and rescue service, Natural "
            "Resources Wales and others to improve well-being in every part of Wales. On Cyd they ask you to "
            "help make decisions, and show what they did with what you said."
        ),
        "body": [
            {
                "type": "rich_text",
                "value": (
                    "<h2>How it works</h2>"
                    "<p>Each consultation asks one clear question. You can answer online, on paper or at a live "
                    "session, where a facilitator helps everyone, in the room and online, to propose ideas, "
                    "discuss them and put them in order. Every vote is counted in the open and the full count "
                    "is published.</p>"
                    "<p>When a board has decided, it publishes what people said and what it did about it, "
                    "under “You said, we did”.</p>"
                ),
            },
            {
                "type": "callout",
                "value": {
                    "style": "info",
                    "heading": "In Welsh and English",
                    "text": (
                        "<p>Everything on Cyd is in Welsh and English. Use the language link at the top of any "
                        "page to switch. You can take part in live sessions in either language.</p>"
                    ),
                },
            },
        ],
    },
    "cy": {
        "title": "Penderfynu gyda’ch Bwrdd Gwasanaethau Cyhoeddus",
        "intro": (
            "Mae Byrddau Gwasanaethau Cyhoeddus yn dod â chynghorau, y GIG, y gwasanaeth tân ac achub, Cyfoeth "
            "Naturiol Cymru ac eraill at ei gilydd i wella llesiant ym mhob rhan o Gymru. Ar Cyd maen nhw’n "
            "gofyn i chi helpu i wneud penderfyniadau, ac yn dangos beth wnaethon nhw gyda’r hyn ddywedoch chi."
        ),
        "body": [
            {
                "type": "rich_text",
                "value": (
                    "<h2>Sut mae’n gweithio</h2>"
                    "<p>Mae pob ymgynghoriad yn gofyn un cwestiwn clir. Gallwch chi ateb ar-lein, ar bapur neu "
                    "mewn sesiwn fyw, lle mae hwylusydd yn helpu pawb, yn yr ystafell ac ar-lein, i gynnig "
                    "syniadau, eu trafod a’u rhoi mewn trefn. Mae pob pleidlais yn cael ei chyfrif yn agored ac "
                    "mae’r cyfrif llawn yn cael ei gyhoeddi.</p>"
                    "<p>Pan fydd bwrdd wedi penderfynu, mae’n cyhoeddi’r hyn ddywedodd pobl a’r hyn a wnaeth yn "
                    "ei gylch, o dan “Fe ddywedoch chi, fe wnaethom ni”.</p>"
                ),
            },
            {
                "type": "callout",
                "value": {
                    "style": "info",
                    "heading": "Yn Gymraeg ac yn Saesneg",
                    "text": (
                        "<p>Mae popeth ar Cyd yn Gymraeg ac yn Saesneg. Defnyddiwch y ddolen iaith ar frig "
                        "unrhyw dudalen i newid iaith. Gallwch chi gymryd rhan mewn sesiynau byw yn y naill "
                        "iaith neu’r llall.</p>"
                    ),
                },
            },
        ],
    },
}

STATUTORY = {"en": "Statutory member", "cy": "Aelod statudol"}
INVITED = {"en": "Invited participant", "cy": "Cyfranogwr gwahoddedig"}
VOLUNTARY = {"en": "County voluntary council", "cy": "Cyngor gwirfoddol sirol"}
NRW = ("Natural Resources Wales", "Cyfoeth Naturiol Cymru", STATUTORY, "https://naturalresources.wales")

BOARDS = [
    {
        "slug": {"en": "north-wales", "cy": "gogledd-cymru"},
        "en": {
            "title": "North Wales",
            "area": "Conwy and Denbighshire, Gwynedd and Anglesey, and Flintshire and Wrexham",
            "intro": (
                "The Public Services Boards of North Wales work together on questions that cross county "
                "borders, such as transport, health and the Welsh language."
            ),
            "body": [
                {
                    "type": "rich_text",
                    "value": (
                        "<p>This cluster brings together Conwy and Denbighshire Public Services Board, Gwynedd "
                        "and Anglesey Public Services Board, and Flintshire and Wrexham Public Services Board. "
                        "Each board publishes its own well-being plan under the Well-being of Future Generations "
                        "(Wales) Act 2015. On Cyd they ask people together when a question affects the whole "
                        "region.</p>"
                    ),
                }
            ],
            "contact_email": "north-wales@cyd.example",
            "contact_phone": "01632 960 101",
            "contact_address": "Public Services Board support team\nConwy County Borough Council\nColwyn Bay",
        },
        "cy": {
            "title": "Gogledd Cymru",
            "area": "Conwy a Sir Ddinbych, Gwynedd a Môn, a Sir y Fflint a Wrecsam",
            "intro": (
                "Mae Byrddau Gwasanaethau Cyhoeddus Gogledd Cymru yn cydweithio ar gwestiynau sy’n croesi "
                "ffiniau sirol, fel trafnidiaeth, iechyd a’r Gymraeg."
            ),
            "body": [
                {
                    "type": "rich_text",
                    "value": (
                        "<p>Mae’r clwstwr hwn yn dod â Bwrdd Gwasanaethau Cyhoeddus Conwy a Sir Ddinbych, "
                        "Bwrdd Gwasanaethau Cyhoeddus Gwynedd a Môn, a Bwrdd Gwasanaethau Cyhoeddus Sir y Fflint "
                        "a Wrecsam at ei gilydd. Mae pob bwrdd yn cyhoeddi ei gynllun llesiant ei hun o dan "
                        "Ddeddf Llesiant Cenedlaethau’r Dyfodol (Cymru) 2015. Ar Cyd maen nhw’n holi pobl gyda’i "
                        "gilydd pan fydd cwestiwn yn effeithio ar y rhanbarth cyfan.</p>"
                    ),
                }
            ],
            "contact_email": "gogledd-cymru@cyd.example",
            "contact_phone": "01632 960 101",
            "contact_address": ("Tîm cymorth y Bwrdd Gwasanaethau Cyhoeddus\nCyngor Bwrdeistref Sirol Conwy\nBae Colwyn"),
        },
        # (English name, Welsh name, role, website)
        "partners": [
            ("Conwy County Borough Council", "Cyngor Bwrdeistref Sirol Conwy", STATUTORY, "https://www.conwy.gov.uk"),
            ("Denbighshire County Council", "Cyngor Sir Ddinbych", STATUTORY, "https://www.denbighshire.gov.uk"),
            ("Gwynedd Council", "Cyngor Gwynedd", STATUTORY, "https://www.gwynedd.llyw.cymru"),
            ("Isle of Anglesey County Council", "Cyngor Sir Ynys Môn", STATUTORY, "https://www.anglesey.gov.wales"),
            ("Flintshire County Council", "Cyngor Sir y Fflint", STATUTORY, "https://www.flintshire.gov.uk"),
            (
                "Wrexham County Borough Council",
                "Cyngor Bwrdeistref Sirol Wrecsam",
                STATUTORY,
                "https://www.wrexham.gov.uk",
            ),
            (
                "Betsi Cadwaladr University Health Board",
                "Bwrdd Iechyd Prifysgol Betsi Cadwaladr",
                STATUTORY,
                "https://bcuhb.nhs.wales",
            ),
            (
                "North Wales Fire and Rescue Service",
                "Gwasanaeth Tân ac Achub Gogledd Cymru",
                STATUTORY,
                "https://www.nwales-fireservice.org.uk",
            ),
            NRW,
            ("North Wales Police", "Heddlu Gogledd Cymru", INVITED, "https://www.northwales.police.uk"),
            ("Transport for Wales", "Trafnidiaeth Cymru", INVITED, "https://tfw.wales"),
            (
                "Community and Voluntary Support Conwy",
                "Cefnogaeth Gymunedol a Gwirfoddol Conwy",
                VOLUNTARY,
                "https://www.cvsc.org.uk",
            ),
        ],
        "consultation": {
            "slug": {"en": "rural-transport-to-services", "cy": "teithio-gwledig-i-wasanaethau"},
            "stage": "open",
            "opens": "2026-11-02",
            "closes": "2027-01-29",
            "decision_due": "2027-04-30",
            "en": {
                "title": "Getting to health and care services without a car",
                "question": (
                    "How should public services help people in rural North Wales get to health appointments, "
                    "care and other services when they do not have a car?"
                ),
                "intro": (
                    "Our well-being assessments found that poor transport cuts people off from services. We "
                    "want to agree with you where the partners should act first."
                ),
                "background": [
                    {
                        "type": "rich_text",
                        "value": (
                            "<p>In the North Wales well-being assessments, people in rural communities told us "
                            "again and again that it is hard to get to services without a car. Buses can be "
                            "infrequent, the last one can leave before an afternoon appointment ends, and "
                            "community transport depends on volunteers.</p>"
                            "<p>The well-being plans of all three boards in this cluster commit the partners to "
                            "work on access to services. Before we decide where to put money and staff, we want "
                            "to hear from the people most affected and weigh up the options with you.</p>"
                        ),
                    },
                    {
                        "type": "callout",
                        "value": {
                            "style": "info",
                            "heading": "What this consultation can change",
                            "text": (
                                "<p>It will not change bus timetables set by operators or Transport for Wales. "
                                "It is about what the partners themselves can do: appointment times, outreach "
                                "clinics, community transport grants and better information.</p>"
                            ),
                        },
                    },
                    {
                        "type": "timeline",
                        "value": {
                            "heading": "How this consultation works",
                            "stages": [
                                {
                                    "date": "2026-09-14",
                                    "label": "Drop-in sessions",
                                    "description": "Listening sessions in libraries and community centres in "
                                    "Bala, Corwen, Llanrwst and Llangefni.",
                                },
                                {
                                    "date": "2026-11-02",
                                    "label": "Consultation opens",
                                    "description": "Answer online, on paper or at a live session.",
                                },
                                {
                                    "date": "2026-12-03",
                                    "label": "Live session",
                                    "description": "A facilitated session where people propose, discuss and rank options.",
                                },
                                {"date": "2027-01-29", "label": "Consultation closes", "description": ""},
                                {
                                    "date": "2027-04-30",
                                    "label": "The boards decide",
                                    "description": "The three boards agree joint actions and publish them here.",
                                },
                            ],
                        },
                    },
                ],
                "who_is_involved": (
                    "<p>We especially want to hear from people who do not drive, older people, young people, "
                    "disabled people and carers in rural areas. Betsi Cadwaladr University Health Board, the six "
                    "county councils, Transport for Wales and the county voluntary councils are taking part.</p>"
                ),
                "commitments": [
                    {
                        "title": "Let patients from rural postcodes choose a hospital appointment after 10am",
                        "you_said": (
                            "At the drop-in sessions, many of you said that hospital appointments are often "
                            "booked for early in the morning, before the first bus arrives."
                        ),
                        "partner": "Betsi Cadwaladr University Health Board",
                        "status": "in_progress",
                        "reason": "",
                        "target_date": "2027-03-31",
                        "updates": [
                            {
                                "date": "2026-10-12",
                                "text": (
                                    "The health board has started a trial in two outpatient clinics that lets "
                                    "patients from rural postcodes choose an appointment after 10am."
                                ),
                            }
                        ],
                    },
                    {
                        "title": "Fund a community car scheme with volunteer drivers in Conwy and Denbighshire in 2027",
                        "you_said": "",
                        "answers": "Community car scheme with volunteer drivers",
                        "partner": "Community and Voluntary Support Conwy",
                        "status": "planned",
                        "reason": "",
                        "target_date": "2027-04-01",
                        "updates": [
                            {
                                "date": "2026-12-10",
                                "text": (
                                    "The board agreed to fund the pilot that people chose at the workshop. CVSC is "
                                    "recruiting the first volunteer drivers."
                                ),
                            }
                        ],
                    },
                ],
                "document": (
                    "Getting to services without a car: consultation summary",
                    (
                        "Getting to health and care services without a car\n\n"
                        "A summary of the consultation for the North Wales Public Services Boards.\n"
                        "Question: how should public services help people in rural North Wales get to health "
                        "appointments, care and other services when they do not have a car?\n"
                        "Open from 2 November 2026 to 29 January 2027.\n"
                        "(Demo document created by Cyd's `load_demo` command.)\n"
                    ),
                ),
            },
            "cy": {
                "title": "Cyrraedd gwasanaethau iechyd a gofal heb gar",
                "question": (
                    "Sut dylai gwasanaethau cyhoeddus helpu pobl yng nghefn gwlad Gogledd Cymru i gyrraedd "
                    "apwyntiadau iechyd, gofal a gwasanaethau eraill pan nad oes ganddyn nhw gar?"
                ),
                "intro": (
                    "Dangosodd ein hasesiadau llesiant fod trafnidiaeth wael yn torri pobl i ffwrdd oddi wrth "
                    "wasanaethau. Rydyn ni eisiau cytuno gyda chi ble dylai’r partneriaid weithredu gyntaf."
                ),
                "background": [
                    {
                        "type": "rich_text",
                        "value": (
                            "<p>Yn asesiadau llesiant Gogledd Cymru, dywedodd pobl mewn cymunedau gwledig wrthym "
                            "dro ar ôl tro ei bod hi’n anodd cyrraedd gwasanaethau heb gar. Gall bysiau fod yn "
                            "anaml, gall yr un olaf adael cyn i apwyntiad prynhawn orffen, ac mae trafnidiaeth "
                            "gymunedol yn dibynnu ar wirfoddolwyr.</p>"
                            "<p>Mae cynlluniau llesiant y tri bwrdd yn y clwstwr hwn i gyd yn ymrwymo’r "
                            "partneriaid i weithio ar fynediad at wasanaethau. Cyn i ni benderfynu ble i roi "
                            "arian a staff, rydyn ni eisiau clywed gan y bobl sy’n cael eu heffeithio fwyaf, a "
                            "phwyso a mesur yr opsiynau gyda chi.</p>"
                        ),
                    },
                    {
                        "type": "callout",
                        "value": {
                            "style": "info",
                            "heading": "Beth gall yr ymgynghoriad hwn ei newid",
                            "text": (
                                "<p>Ni fydd yn newid amserlenni bysiau sy’n cael eu pennu gan gwmnïau bysiau "
                                "neu Drafnidiaeth Cymru. Mae’n ymwneud â’r hyn y gall y partneriaid eu hunain "
                                "ei wneud: amseroedd apwyntiadau, clinigau allgymorth, grantiau trafnidiaeth "
                                "gymunedol a gwell gwybodaeth.</p>"
                            ),
                        },
                    },
                    {
                        "type": "timeline",
                        "value": {
                            "heading": "Sut mae’r ymgynghoriad hwn yn gweithio",
                            "stages": [
                                {
                                    "date": "2026-09-14",
                                    "label": "Sesiynau galw heibio",
                                    "description": "Sesiynau gwrando mewn llyfrgelloedd a chanolfannau cymunedol "
                                    "yn y Bala, Corwen, Llanrwst a Llangefni.",
                                },
                                {
                                    "date": "2026-11-02",
                                    "label": "Yr ymgynghoriad yn agor",
                                    "description": "Atebwch ar-lein, ar bapur neu mewn sesiwn fyw.",
                                },
                                {
                                    "date": "2026-12-03",
                                    "label": "Sesiwn fyw",
                                    "description": "Sesiwn wedi’i hwyluso lle mae pobl yn cynnig, yn trafod ac yn "
                                    "rhoi opsiynau mewn trefn.",
                                },
                                {"date": "2027-01-29", "label": "Yr ymgynghoriad yn cau", "description": ""},
                                {
                                    "date": "2027-04-30",
                                    "label": "Y byrddau’n penderfynu",
                                    "description": "Bydd y tri bwrdd yn cytuno ar gamau gweithredu ar y cyd ac yn "
                                    "eu cyhoeddi yma.",
                                },
                            ],
                        },
                    },
                ],
                "who_is_involved": (
                    "<p>Rydyn ni’n arbennig o awyddus i glywed gan bobl nad ydyn nhw’n gyrru, pobl hŷn, pobl "
                    "ifanc, pobl anabl a gofalwyr mewn ardaloedd gwledig. Mae Bwrdd Iechyd Prifysgol Betsi "
                    "Cadwaladr, y chwe chyngor sir, Trafnidiaeth Cymru a’r cynghorau gwirfoddol sirol yn cymryd "
                    "rhan.</p>"
                ),
                "commitments": [
                    {
                        "title": "Gadael i gleifion o godau post gwledig ddewis apwyntiad ysbyty ar ôl 10am",
                        "you_said": (
                            "Yn y sesiynau galw heibio, dywedodd llawer ohonoch chi fod apwyntiadau ysbyty’n aml "
                            "yn cael eu trefnu’n gynnar yn y bore, cyn i’r bws cyntaf gyrraedd."
                        ),
                        "partner": "Bwrdd Iechyd Prifysgol Betsi Cadwaladr",
                        "status": "in_progress",
                        "reason": "",
                        "target_date": "2027-03-31",
                        "updates": [
                            {
                                "date": "2026-10-12",
                                "text": (
                                    "Mae’r bwrdd iechyd wedi dechrau treial mewn dau glinig cleifion allanol sy’n "
                                    "gadael i gleifion o godau post gwledig ddewis apwyntiad ar ôl 10am."
                                ),
                            }
                        ],
                    },
                    {
                        "title": ("Ariannu cynllun ceir cymunedol gyda gyrwyr gwirfoddol yng Nghonwy a Sir Ddinbych yn 2027"),
                        "you_said": "",
                        "answers": "Community car scheme with volunteer drivers",
                        "partner": "Cefnogaeth Gymunedol a Gwirfoddol Conwy",
                        "status": "planned",
                        "reason": "",
                        "target_date": "2027-04-01",
                        "updates": [
                            {
                                "date": "2026-12-10",
                                "text": (
                                    "Cytunodd y bwrdd i ariannu’r cynllun peilot a ddewisodd pobl yn y gweithdy. "
                                    "Mae CVSC yn recriwtio’r gyrwyr gwirfoddol cyntaf."
                                ),
                            }
                        ],
                    },
                ],
                "document": (
                    "Cyrraedd gwasanaethau heb gar: crynodeb o’r ymgynghoriad",
                    (
                        "Cyrraedd gwasanaethau iechyd a gofal heb gar\n\n"
                        "Crynodeb o’r ymgynghoriad ar gyfer Byrddau Gwasanaethau Cyhoeddus Gogledd Cymru.\n"
                        "Cwestiwn: sut dylai gwasanaethau cyhoeddus helpu pobl yng nghefn gwlad Gogledd Cymru i "
                        "gyrraedd apwyntiadau iechyd, gofal a gwasanaethau eraill pan nad oes ganddyn nhw gar?\n"
                        "Ar agor rhwng 2 Tachwedd 2026 a 29 Ionawr 2027.\n"
                        "(Dogfen enghreifftiol a grëwyd gan orchymyn `load_demo` Cyd.)\n"
                    ),
                ),
            },
        },
    },
    {
        "slug": {"en": "cwm-taf-and-bridgend", "cy": "cwm-taf-a-phen-y-bont-ar-ogwr"},
        "en": {
            "title": "Cwm Taf and Bridgend",
            "area": "Rhondda Cynon Taf, Merthyr Tydfil and Bridgend county borough",
            "intro": (
                "Cwm Taf Morgannwg and Bridgend Public Services Boards ask people together about the things "
                "that matter across the valleys and the coast."
            ),
            "body": [
                {
                    "type": "rich_text",
                    "value": (
                        "<p>The two boards share a university health board and many community organisations. "
                        "Working together on engagement means people are asked once, not twice, and that what "
                        "they say reaches every partner.</p>"
                    ),
                }
            ],
            "contact_email": "cwm-taf-bridgend@cyd.example",
            "contact_phone": "01632 960 202",
            "contact_address": "Public Services Board support team\nRhondda Cynon Taf County Borough Council\nClydach Vale",
        },
        "cy": {
            "title": "Cwm Taf a Phen-y-bont ar Ogwr",
            "area": "Rhondda Cynon Taf, Merthyr Tudful a bwrdeistref sirol Pen-y-bont ar Ogwr",
            "intro": (
                "Mae Byrddau Gwasanaethau Cyhoeddus Cwm Taf Morgannwg a Phen-y-bont ar Ogwr yn holi pobl "
                "gyda’i gilydd am y pethau sy’n bwysig ar draws y cymoedd a’r arfordir."
            ),
            "body": [
                {
                    "type": "rich_text",
                    "value": (
                        "<p>Mae’r ddau fwrdd yn rhannu bwrdd iechyd prifysgol a llawer o sefydliadau cymunedol. "
                        "Mae cydweithio ar ymgysylltu yn golygu bod pobl yn cael eu holi unwaith, nid dwywaith, "
                        "a bod yr hyn maen nhw’n ei ddweud yn cyrraedd pob partner.</p>"
                    ),
                }
            ],
            "contact_email": "cwm-taf-pen-y-bont@cyd.example",
            "contact_phone": "01632 960 202",
            "contact_address": "Tîm cymorth y Bwrdd Gwasanaethau Cyhoeddus\n"
            "Cyngor Bwrdeistref Sirol Rhondda Cynon Taf\nCwm Clydach",
        },
        "partners": [
            (
                "Rhondda Cynon Taf County Borough Council",
                "Cyngor Bwrdeistref Sirol Rhondda Cynon Taf",
                STATUTORY,
                "https://www.rctcbc.gov.uk",
            ),
            (
                "Merthyr Tydfil County Borough Council",
                "Cyngor Bwrdeistref Sirol Merthyr Tudful",
                STATUTORY,
                "https://www.merthyr.gov.uk",
            ),
            (
                "Bridgend County Borough Council",
                "Cyngor Bwrdeistref Sirol Pen-y-bont ar Ogwr",
                STATUTORY,
                "https://www.bridgend.gov.uk",
            ),
            (
                "Cwm Taf Morgannwg University Health Board",
                "Bwrdd Iechyd Prifysgol Cwm Taf Morgannwg",
                STATUTORY,
                "https://ctmuhb.nhs.wales",
            ),
            (
                "South Wales Fire and Rescue Service",
                "Gwasanaeth Tân ac Achub De Cymru",
                STATUTORY,
                "https://www.southwales-fire.gov.uk",
            ),
            NRW,
            ("South Wales Police", "Heddlu De Cymru", INVITED, "https://www.south-wales.police.uk"),
            ("Interlink RCT", "Interlink RCT", VOLUNTARY, "https://www.interlinkrct.org.uk"),
            (
                "Voluntary Action Merthyr Tydfil",
                "Gweithredu Gwirfoddol Merthyr Tudful",
                VOLUNTARY,
                "https://www.vamt.net",
            ),
            (
                "Bridgend Association of Voluntary Organisations (BAVO)",
                "Cymdeithas Mudiadau Gwirfoddol Pen-y-bont ar Ogwr (BAVO)",
                VOLUNTARY,
                "https://www.bavo.org.uk",
            ),
        ],
        "consultation": {
            "slug": {"en": "loneliness-and-isolation", "cy": "unigrwydd-ac-arwahanrwydd"},
            "stage": "deciding",
            "opens": "2026-06-01",
            "closes": "2026-09-30",
            "decision_due": "2027-01-29",
            "en": {
                "title": "Tackling loneliness and isolation",
                "question": (
                    "Which three things should public services and community groups do first to reduce "
                    "loneliness and isolation in our communities?"
                ),
                "intro": (
                    "Loneliness was one of the strongest themes in the Cwm Taf Morgannwg and Bridgend well-being "
                    "assessments. The consultation has closed and the boards are now deciding what to do."
                ),
                "background": [
                    {
                        "type": "rich_text",
                        "value": (
                            "<p>Loneliness affects people of every age. In our well-being assessments, young "
                            "people, new parents, carers and older people living alone all described feeling cut "
                            "off, and the cost of living has made it harder to get out and meet others.</p>"
                            "<p>Between June and September 2026, 612 people took part: online, on paper and at "
                            "eleven community sessions across Rhondda Cynon Taf, Merthyr Tydfil and Bridgend "
                            "county borough. Together they proposed 48 ideas and ranked the ones that mattered "
                            "most to them.</p>"
                        ),
                    },
                    {
                        "type": "callout",
                        "value": {
                            "style": "default",
                            "heading": "What happens next",
                            "text": (
                                "<p>The two boards will meet in January 2027 to agree a joint response. We will "
                                "publish what they decide on this page, with their reasons.</p>"
                            ),
                        },
                    },
                    {
                        "type": "timeline",
                        "value": {
                            "heading": "Timeline",
                            "stages": [
                                {"date": "2026-06-01", "label": "Consultation opened", "description": ""},
                                {
                                    "date": "2026-07-15",
                                    "label": "Community sessions",
                                    "description": "Eleven facilitated sessions in community centres, libraries and schools.",
                                },
                                {"date": "2026-09-30", "label": "Consultation closed", "description": ""},
                                {
                                    "date": "2027-01-29",
                                    "label": "The boards decide",
                                    "description": "A joint meeting of Cwm Taf Morgannwg and Bridgend Public Services Boards.",
                                },
                            ],
                        },
                    },
                ],
                "who_is_involved": (
                    "<p>Everyone who lives or works in Rhondda Cynon Taf, Merthyr Tydfil or Bridgend county "
                    "borough could take part. Interlink RCT, Voluntary Action Merthyr Tydfil and BAVO ran "
                    "sessions with groups who are often not heard, including young carers and people who have "
                    "recently moved to the area.</p>"
                ),
                "commitments": [
                    {
                        "title": "One list of the community groups and activities near you, used by GP surgeries",
                        "you_said": "Many of you said you did not know which groups and activities already exist near you.",
                        "partner": "Interlink RCT",
                        "status": "done",
                        "reason": "",
                        "target_date": "2026-10-31",
                        "updates": [
                            {
                                "date": "2026-10-20",
                                "text": (
                                    "Interlink RCT, Voluntary Action Merthyr Tydfil and BAVO have brought their "
                                    "community directories together into one list, and GP surgeries now refer "
                                    "people to it through their social prescribing link workers."
                                ),
                            }
                        ],
                    },
                    {
                        "title": "A free minibus to every community group in the three counties",
                        "you_said": "Some of you said you cannot get to groups in the evening because there is no bus.",
                        "partner": "",
                        "status": "not_doing",
                        "reason": (
                            "The partners cannot pay for a minibus service across three counties. Instead, the "
                            "community transport schemes run by volunteer drivers are in the same list of groups."
                        ),
                        "target_date": None,
                        "updates": [],
                    },
                ],
                "document": (
                    "Tackling loneliness and isolation: what people told us",
                    (
                        "Tackling loneliness and isolation: what people told us\n\n"
                        "612 people took part between 1 June and 30 September 2026 and proposed 48 ideas.\n"
                        "The boards will decide by 29 January 2027.\n"
                        "(Demo document created by Cyd's `load_demo` command.)\n"
                    ),
                ),
            },
            "cy": {
                "title": "Mynd i’r afael ag unigrwydd ac arwahanrwydd",
                "question": (
                    "Pa dri pheth y dylai gwasanaethau cyhoeddus a grwpiau cymunedol eu gwneud gyntaf i leihau "
                    "unigrwydd ac arwahanrwydd yn ein cymunedau?"
                ),
                "intro": (
                    "Roedd unigrwydd yn un o themâu cryfaf asesiadau llesiant Cwm Taf Morgannwg a Phen-y-bont ar "
                    "Ogwr. Mae’r ymgynghoriad wedi cau ac mae’r byrddau nawr yn penderfynu beth i’w wneud."
                ),
                "background": [
                    {
                        "type": "rich_text",
                        "value": (
                            "<p>Mae unigrwydd yn effeithio ar bobl o bob oed. Yn ein hasesiadau llesiant, "
                            "disgrifiodd pobl ifanc, rhieni newydd, gofalwyr a phobl hŷn sy’n byw ar eu pennau eu "
                            "hunain eu bod yn teimlo wedi’u torri i ffwrdd, ac mae costau byw wedi’i gwneud hi’n "
                            "anoddach mynd allan a chwrdd ag eraill.</p>"
                            "<p>Rhwng mis Mehefin a mis Medi 2026, cymerodd 612 o bobl ran: ar-lein, ar bapur ac "
                            "mewn un ar ddeg o sesiynau cymunedol ar draws Rhondda Cynon Taf, Merthyr Tudful a "
                            "bwrdeistref sirol Pen-y-bont ar Ogwr. Gyda’i gilydd, fe wnaethon nhw gynnig 48 o "
                            "syniadau a rhoi trefn ar y rhai oedd bwysicaf iddyn nhw.</p>"
                        ),
                    },
                    {
                        "type": "callout",
                        "value": {
                            "style": "default",
                            "heading": "Beth sy’n digwydd nesaf",
                            "text": (
                                "<p>Bydd y ddau fwrdd yn cyfarfod ym mis Ionawr 2027 i gytuno ar ymateb ar y "
                                "cyd. Byddwn ni’n cyhoeddi’r hyn maen nhw’n ei benderfynu ar y dudalen hon, "
                                "gyda’u rhesymau.</p>"
                            ),
                        },
                    },
                    {
                        "type": "timeline",
                        "value": {
                            "heading": "Amserlen",
                            "stages": [
                                {"date": "2026-06-01", "label": "Agorodd yr ymgynghoriad", "description": ""},
                                {
                                    "date": "2026-07-15",
                                    "label": "Sesiynau cymunedol",
                                    "description": "Un ar ddeg o sesiynau wedi’u hwyluso mewn canolfannau "
                                    "cymunedol, llyfrgelloedd ac ysgolion.",
                                },
                                {"date": "2026-09-30", "label": "Caeodd yr ymgynghoriad", "description": ""},
                                {
                                    "date": "2027-01-29",
                                    "label": "Y byrddau’n penderfynu",
                                    "description": "Cyfarfod ar y cyd o Fyrddau Gwasanaethau Cyhoeddus Cwm Taf "
                                    "Morgannwg a Phen-y-bont ar Ogwr.",
                                },
                            ],
                        },
                    },
                ],
                "who_is_involved": (
                    "<p>Roedd pawb sy’n byw neu’n gweithio yn Rhondda Cynon Taf, Merthyr Tudful neu fwrdeistref "
                    "sirol Pen-y-bont ar Ogwr yn gallu cymryd rhan. Cynhaliodd Interlink RCT, Gweithredu "
                    "Gwirfoddol Merthyr Tudful a BAVO sesiynau gyda grwpiau nad ydyn ni’n clywed ganddyn nhw’n "
                    "aml, gan gynnwys gofalwyr ifanc a phobl sydd newydd symud i’r ardal.</p>"
                ),
                "commitments": [
                    {
                        "title": (
                            "Un rhestr o’r grwpiau a’r gweithgareddau cymunedol yn agos atoch chi, i’w defnyddio gan feddygfeydd"
                        ),
                        "you_said": (
                            "Dywedodd llawer ohonoch chi nad oeddech chi’n gwybod pa grwpiau a gweithgareddau "
                            "sydd eisoes ar gael yn agos atoch chi."
                        ),
                        "partner": "Interlink RCT",
                        "status": "done",
                        "reason": "",
                        "target_date": "2026-10-31",
                        "updates": [
                            {
                                "date": "2026-10-20",
                                "text": (
                                    "Mae Interlink RCT, Gweithredu Gwirfoddol Merthyr Tudful a BAVO wedi dod â’u "
                                    "cyfeiriaduron cymunedol at ei gilydd mewn un rhestr, ac mae meddygfeydd bellach "
                                    "yn cyfeirio pobl ati drwy eu gweithwyr cyswllt presgripsiynu cymdeithasol."
                                ),
                            }
                        ],
                    },
                    {
                        "title": "Bws mini am ddim i bob grŵp cymunedol yn y tair sir",
                        "you_said": "Dywedodd rhai ohonoch chi na allwch chi gyrraedd grwpiau gyda’r nos am nad oes bws.",
                        "partner": "",
                        "status": "not_doing",
                        "reason": (
                            "Ni all y partneriaid dalu am wasanaeth bws mini ar draws tair sir. Yn lle hynny, mae’r "
                            "cynlluniau trafnidiaeth gymunedol sy’n cael eu rhedeg gan yrwyr gwirfoddol yn yr un "
                            "rhestr o grwpiau."
                        ),
                        "target_date": None,
                        "updates": [],
                    },
                ],
                "document": (
                    "Mynd i’r afael ag unigrwydd ac arwahanrwydd: beth ddywedodd pobl wrthym",
                    (
                        "Mynd i’r afael ag unigrwydd ac arwahanrwydd: beth ddywedodd pobl wrthym\n\n"
                        "Cymerodd 612 o bobl ran rhwng 1 Mehefin a 30 Medi 2026, a chynigion nhw 48 o syniadau.\n"
                        "Bydd y byrddau’n penderfynu erbyn 29 Ionawr 2027.\n"
                        "(Dogfen enghreifftiol a grëwyd gan orchymyn `load_demo` Cyd.)\n"
                    ),
                ),
            },
        },
    },
    {
        "slug": {"en": "west-wales", "cy": "gorllewin-cymru"},
        "en": {
            "title": "West Wales",
            "area": "Carmarthenshire, Ceredigion and Pembrokeshire",
            "intro": (
                "The Public Services Boards of Carmarthenshire, Ceredigion and Pembrokeshire work together "
                "across the Hywel Dda area."
            ),
            "body": [
                {
                    "type": "rich_text",
                    "value": (
                        "<p>The three boards share a health board, a fire and rescue service and a police force, "
                        "and much of their countryside and coast. They use Cyd to ask people across the region "
                        "about questions that no one county can answer alone.</p>"
                    ),
                }
            ],
            "contact_email": "west-wales@cyd.example",
            "contact_phone": "01632 960 303",
            "contact_address": "Public Services Board support team\nCarmarthenshire County Council\nCounty Hall\nCarmarthen",
        },
        "cy": {
            "title": "Gorllewin Cymru",
            "area": "Sir Gaerfyrddin, Ceredigion a Sir Benfro",
            "intro": (
                "Mae Byrddau Gwasanaethau Cyhoeddus Sir Gaerfyrddin, Ceredigion a Sir Benfro yn cydweithio ar "
                "draws ardal Hywel Dda."
            ),
            "body": [
                {
                    "type": "rich_text",
                    "value": (
                        "<p>Mae’r tri bwrdd yn rhannu bwrdd iechyd, gwasanaeth tân ac achub a heddlu, a llawer o’u "
                        "cefn gwlad a’u harfordir. Maen nhw’n defnyddio Cyd i holi pobl ar draws y rhanbarth am "
                        "gwestiynau na all un sir eu hateb ar ei phen ei hun.</p>"
                    ),
                }
            ],
            "contact_email": "gorllewin-cymru@cyd.example",
            "contact_phone": "01632 960 303",
            "contact_address": "Tîm cymorth y Bwrdd Gwasanaethau Cyhoeddus\nCyngor Sir Caerfyrddin\nNeuadd y Sir\nCaerfyrddin",
        },
        "partners": [
            (
                "Carmarthenshire County Council",
                "Cyngor Sir Caerfyrddin",
                STATUTORY,
                "https://www.carmarthenshire.gov.wales",
            ),
            ("Ceredigion County Council", "Cyngor Sir Ceredigion", STATUTORY, "https://www.ceredigion.gov.uk"),
            ("Pembrokeshire County Council", "Cyngor Sir Penfro", STATUTORY, "https://www.pembrokeshire.gov.uk"),
            (
                "Hywel Dda University Health Board",
                "Bwrdd Iechyd Prifysgol Hywel Dda",
                STATUTORY,
                "https://hduhb.nhs.wales",
            ),
            (
                "Mid and West Wales Fire and Rescue Service",
                "Gwasanaeth Tân ac Achub Canolbarth a Gorllewin Cymru",
                STATUTORY,
                "https://www.mawwfire.gov.uk",
            ),
            NRW,
            ("Dyfed-Powys Police", "Heddlu Dyfed-Powys", INVITED, "https://www.dyfed-powys.police.uk"),
            (
                "Pembrokeshire Coast National Park Authority",
                "Awdurdod Parc Cenedlaethol Arfordir Penfro",
                INVITED,
                "https://www.pembrokeshirecoast.wales",
            ),
            (
                "Carmarthenshire Association of Voluntary Services (CAVS)",
                "Cymdeithas Gwasanaethau Gwirfoddol Sir Gâr (CAVS)",
                VOLUNTARY,
                "https://www.cavs.org.uk",
            ),
            (
                "Ceredigion Association of Voluntary Organisations (CAVO)",
                "Cymdeithas Mudiadau Gwirfoddol Ceredigion (CAVO)",
                VOLUNTARY,
                "https://www.cavo.org.uk",
            ),
            (
                "Pembrokeshire Association of Voluntary Services (PAVS)",
                "Cymdeithas Gwasanaethau Gwirfoddol Sir Benfro (PAVS)",
                VOLUNTARY,
                "https://www.pavs.org.uk",
            ),
        ],
        "consultation": {
            "slug": {"en": "green-spaces-and-nature-recovery", "cy": "mannau-gwyrdd-ac-adfer-natur"},
            "stage": "outcome",
            "opens": "2026-03-02",
            "closes": "2026-05-29",
            "decision_due": "2026-09-30",
            "en": {
                "title": "Green spaces and nature recovery",
                "question": (
                    "How should we look after and improve the green spaces near where people live, so that both "
                    "people and nature can recover?"
                ),
                "intro": (
                    "The boards of Carmarthenshire, Ceredigion and Pembrokeshire asked people which green spaces "
                    "matter to them and what should change. The boards have decided, and this page shows what "
                    "they are doing."
                ),
                "background": [
                    {
                        "type": "rich_text",
                        "value": (
                            "<p>West Wales is known for its coast and countryside, but many people do not have a "
                            "safe, welcoming green space within a short walk of home. At the same time, the "
                            "well-being assessments of the three counties record a decline in wildlife, from "
                            "hedgerow birds to river fish.</p>"
                            "<p>The well-being plans of all three boards commit the partners to nature recovery. "
                            "This consultation asked people to help choose where to start.</p>"
                        ),
                    },
                    {
                        "type": "callout",
                        "value": {
                            "style": "info",
                            "heading": "The decision",
                            "text": (
                                "<p>On 24 September 2026 the three boards agreed to create or improve a green "
                                "space within ten minutes’ walk of every primary school in the region by 2030, "
                                "starting in the towns with the least green space.</p>"
                            ),
                        },
                    },
                    {
                        "type": "timeline",
                        "value": {
                            "heading": "Timeline",
                            "stages": [
                                {"date": "2026-03-02", "label": "Consultation opened", "description": ""},
                                {
                                    "date": "2026-04-18",
                                    "label": "Nature walks and mapping sessions",
                                    "description": "People marked on maps of their town the places they value and "
                                    "the places they avoid.",
                                },
                                {"date": "2026-05-29", "label": "Consultation closed", "description": ""},
                                {
                                    "date": "2026-09-24",
                                    "label": "The boards decided",
                                    "description": "A joint meeting of the three boards in Aberaeron.",
                                },
                            ],
                        },
                    },
                ],
                "who_is_involved": (
                    "<p>Over 900 people took part, including pupils from 14 primary schools. Natural Resources "
                    "Wales, Pembrokeshire Coast National Park Authority, the three county councils and Hywel Dda "
                    "University Health Board are carrying out the actions.</p>"
                ),
                "commitments": [
                    {
                        "title": (
                            "Map safe walking routes to green spaces around every primary school, and fix the ten "
                            "worst crossings first"
                        ),
                        "you_said": (
                            "The green spaces you value most are the ones you can walk to, and many of them are "
                            "not safe to reach on foot."
                        ),
                        "partner": "Carmarthenshire County Council",
                        "status": "in_progress",
                        "reason": "",
                        "target_date": "2027-07-31",
                        "updates": [
                            {
                                "date": "2026-10-05",
                                "text": (
                                    "The three county councils agreed to map the routes together; Carmarthenshire "
                                    "County Council leads the work."
                                ),
                            },
                            {
                                "date": "2026-11-20",
                                "text": "Routes around 41 of the 187 primary schools are mapped, and two crossings are fixed.",
                            },
                        ],
                    },
                    {
                        "title": "Cut road verges and NHS grounds less often, following the guidance for pollinators",
                        "you_said": (
                            "Road verges and churchyards full of wild flowers matter to you, and you asked us to "
                            "stop mowing them so often."
                        ),
                        "partner": "Natural Resources Wales",
                        "status": "planned",
                        "reason": "",
                        "target_date": "2027-04-01",
                        "updates": [
                            {
                                "date": "2026-10-05",
                                "text": (
                                    "From spring 2027, council verges and NHS grounds across the region will be cut "
                                    "less often, following Natural Resources Wales’s guidance for pollinators."
                                ),
                            }
                        ],
                    },
                    {
                        "title": "Open every school field to the public at weekends",
                        "you_said": "Some of you asked for school fields to be open to everyone at weekends.",
                        "partner": "",
                        "status": "not_doing",
                        "reason": (
                            "Schools cannot supervise their fields at weekends or insure them for the public. The "
                            "boards will instead create or improve a green space within ten minutes’ walk of every "
                            "primary school."
                        ),
                        "target_date": None,
                        "updates": [],
                    },
                ],
                "document": (
                    "Green spaces and nature recovery: the boards’ decision",
                    (
                        "Green spaces and nature recovery: the boards' decision\n\n"
                        "On 24 September 2026 the Public Services Boards of Carmarthenshire, Ceredigion and "
                        "Pembrokeshire agreed to create or improve a green space within ten minutes' walk of every "
                        "primary school in the region by 2030.\n"
                        "(Demo document created by Cyd's `load_demo` command.)\n"
                    ),
                ),
            },
            "cy": {
                "title": "Mannau gwyrdd ac adfer natur",
                "question": (
                    "Sut dylen ni ofalu am y mannau gwyrdd yn agos at ble mae pobl yn byw, a’u gwella, fel bod "
                    "pobl a natur yn gallu adfer?"
                ),
                "intro": (
                    "Gofynnodd byrddau Sir Gaerfyrddin, Ceredigion a Sir Benfro i bobl pa fannau gwyrdd sy’n "
                    "bwysig iddyn nhw a beth ddylai newid. Mae’r byrddau wedi penderfynu, ac mae’r dudalen hon yn "
                    "dangos beth maen nhw’n ei wneud."
                ),
                "background": [
                    {
                        "type": "rich_text",
                        "value": (
                            "<p>Mae Gorllewin Cymru’n enwog am ei harfordir a’i chefn gwlad, ond does gan lawer o "
                            "bobl ddim man gwyrdd diogel a chroesawgar o fewn pellter cerdded byr i’w cartref. Ar "
                            "yr un pryd, mae asesiadau llesiant y tair sir yn cofnodi dirywiad mewn bywyd gwyllt, "
                            "o adar y gwrychoedd i bysgod yr afonydd.</p>"
                            "<p>Mae cynlluniau llesiant y tri bwrdd i gyd yn ymrwymo’r partneriaid i adfer natur. "
                            "Gofynnodd yr ymgynghoriad hwn i bobl helpu i ddewis ble i ddechrau.</p>"
                        ),
                    },
                    {
                        "type": "callout",
                        "value": {
                            "style": "info",
                            "heading": "Y penderfyniad",
                            "text": (
                                "<p>Ar 24 Medi 2026, cytunodd y tri bwrdd i greu neu wella man gwyrdd o fewn "
                                "deng munud ar droed i bob ysgol gynradd yn y rhanbarth erbyn 2030, gan ddechrau "
                                "yn y trefi sydd â’r lleiaf o fannau gwyrdd.</p>"
                            ),
                        },
                    },
                    {
                        "type": "timeline",
                        "value": {
                            "heading": "Amserlen",
                            "stages": [
                                {"date": "2026-03-02", "label": "Agorodd yr ymgynghoriad", "description": ""},
                                {
                                    "date": "2026-04-18",
                                    "label": "Teithiau cerdded natur a sesiynau mapio",
                                    "description": "Marciodd pobl ar fapiau o’u tref y lleoedd maen nhw’n eu "
                                    "gwerthfawrogi a’r lleoedd maen nhw’n eu hosgoi.",
                                },
                                {"date": "2026-05-29", "label": "Caeodd yr ymgynghoriad", "description": ""},
                                {
                                    "date": "2026-09-24",
                                    "label": "Penderfynodd y byrddau",
                                    "description": "Cyfarfod ar y cyd o’r tri bwrdd yn Aberaeron.",
                                },
                            ],
                        },
                    },
                ],
                "who_is_involved": (
                    "<p>Cymerodd dros 900 o bobl ran, gan gynnwys disgyblion o 14 ysgol gynradd. Mae Cyfoeth "
                    "Naturiol Cymru, Awdurdod Parc Cenedlaethol Arfordir Penfro, y tri chyngor sir a Bwrdd Iechyd "
                    "Prifysgol Hywel Dda yn rhoi’r camau ar waith.</p>"
                ),
                "commitments": [
                    {
                        "title": (
                            "Mapio llwybrau cerdded diogel i fannau gwyrdd o gwmpas pob ysgol gynradd, a thrwsio’r "
                            "deg croesfan waethaf yn gyntaf"
                        ),
                        "you_said": (
                            "Y mannau gwyrdd rydych chi’n eu gwerthfawrogi fwyaf yw’r rhai y gallwch chi gerdded "
                            "iddyn nhw, ac mae llawer ohonyn nhw’n anniogel i’w cyrraedd ar droed."
                        ),
                        "partner": "Cyngor Sir Caerfyrddin",
                        "status": "in_progress",
                        "reason": "",
                        "target_date": "2027-07-31",
                        "updates": [
                            {
                                "date": "2026-10-05",
                                "text": (
                                    "Cytunodd y tri chyngor sir i fapio’r llwybrau gyda’i gilydd; Cyngor Sir "
                                    "Caerfyrddin sy’n arwain y gwaith."
                                ),
                            },
                            {
                                "date": "2026-11-20",
                                "text": (
                                    "Mae’r llwybrau o gwmpas 41 o’r 187 ysgol gynradd wedi’u mapio, ac mae dwy "
                                    "groesfan wedi’u trwsio."
                                ),
                            },
                        ],
                    },
                    {
                        "title": "Torri ymylon ffyrdd a thiroedd y GIG yn llai aml, gan ddilyn y canllawiau ar gyfer peillwyr",
                        "you_said": (
                            "Mae ymylon ffyrdd a mynwentydd sy’n llawn blodau gwyllt yn bwysig i chi, a gofynnoch "
                            "chi i ni beidio â’u torri mor aml."
                        ),
                        "partner": "Cyfoeth Naturiol Cymru",
                        "status": "planned",
                        "reason": "",
                        "target_date": "2027-04-01",
                        "updates": [
                            {
                                "date": "2026-10-05",
                                "text": (
                                    "O wanwyn 2027 ymlaen, bydd ymylon ffyrdd y cynghorau a thiroedd y GIG ar draws "
                                    "y rhanbarth yn cael eu torri’n llai aml, gan ddilyn canllawiau Cyfoeth Naturiol "
                                    "Cymru ar gyfer peillwyr."
                                ),
                            }
                        ],
                    },
                    {
                        "title": "Agor pob cae ysgol i’r cyhoedd ar benwythnosau",
                        "you_said": "Gofynnodd rhai ohonoch chi i gaeau ysgol fod ar agor i bawb ar benwythnosau.",
                        "partner": "",
                        "status": "not_doing",
                        "reason": (
                            "Ni all ysgolion oruchwylio eu caeau ar benwythnosau na’u hyswirio ar gyfer y cyhoedd. "
                            "Yn lle hynny, bydd y byrddau’n creu neu’n gwella man gwyrdd o fewn deng munud ar droed "
                            "i bob ysgol gynradd."
                        ),
                        "target_date": None,
                        "updates": [],
                    },
                ],
                "document": (
                    "Mannau gwyrdd ac adfer natur: penderfyniad y byrddau",
                    (
                        "Mannau gwyrdd ac adfer natur: penderfyniad y byrddau\n\n"
                        "Ar 24 Medi 2026, cytunodd Byrddau Gwasanaethau Cyhoeddus Sir Gaerfyrddin, Ceredigion a Sir "
                        "Benfro i greu neu wella man gwyrdd o fewn deng munud ar droed i bob ysgol gynradd yn y "
                        "rhanbarth erbyn 2030.\n"
                        "(Dogfen enghreifftiol a grëwyd gan orchymyn `load_demo` Cyd.)\n"
                    ),
                ),
            },
        },
    },
]

# username: (password, email, is_staff, is_superuser); passwords are for the local demo only.
USERS = {
    "admin": ("cyd-admin-demo", "admin@cyd.example", True, True),
    "editor": ("cyd-editor-demo", "editor@cyd.example", False, False),
    "facilitator": ("cyd-facilitator-demo", "facilitator@cyd.example", True, False),
}
EDITOR_BOARD_SLUG = "north-wales"
