"""Text for the demo data. Written for this project; not taken from any article."""

NEWS_POST_TITLE = "Harbour lights festival returns after a six-year pause"

NEWS_POST_BODY = """\
<p>The old harbour will be lit again this weekend. After six quiet winters the
lantern festival is back, and the organisers promise three evenings of boats,
music and food stalls along the east quay.</p>

<p>Volunteers have spent the autumn repairing the floating platforms that carry
the big paper lanterns. Most of them were stored in a warehouse that flooded two
years ago, so much of the frame work had to be rebuilt by hand.</p>

<figure>
  <a href="/static/demo/harbour-full.jpg"><img src="/static/demo/harbour-thumb.jpg"
     alt="Lanterns over the east quay at dusk" width="480" height="320"
     title="Click to see full-size image"></a>
  <figcaption>Click to see full-size image</figcaption>
</figure>

<blockquote>
  <p>We did not want a bigger festival, we wanted the old one back: the same
  boats, the same songs, the same slow walk along the water.</p>
</blockquote>

<p>The procession starts at seven on Friday from the fish market steps. Roads
around the quay close from five, and the ferry keeps its normal timetable.</p>

<figure>
  <a href="/static/demo/market-full.jpg"><img src="/static/demo/market-thumb.jpg"
     alt="Stalls being set up in the fish market" width="480" height="320"
     title="Click to see full-size image"></a>
  <figcaption>Click to see full-size image</figcaption>
</figure>

<p>A short film made by the volunteers shows the lanterns being rebuilt:</p>

<iframe src="https://www.youtube-nocookie.com/embed/M7lc1UVf-VE" width="560"
        height="315" title="Rebuilding the harbour lanterns" allowfullscreen></iframe>

<p>Entry is free. The organisers ask visitors to bring their own cups; there will
be no disposable ones at the stalls this year.</p>

<p><a href="https://example.org/news/harbour-lights">SOURCE</a></p>

<p><small>© 2026 Daily Digest demo journal. All text and images made for this
demo.</small></p>
"""

NEWS_POST_TAGS = [
    "harbour",
    "city life",
    "editor's choice",
    "festivals",
    "photo report",
    "local news",
    "this weekend",
    "long read",
]

# (author username, subject, body, parent index or None). Indexes refer to this
# list, so every parent comes before its replies.
NEWS_DISCUSSION = [
    (
        "reader",
        "Finally!",
        "I have missed this so much. The east quay was never the same without it.",
        None,
    ),
    (
        "quaywalker",
        "",
        "Same here. My kids have never seen it, they were too small last time.",
        0,
    ),
    ("reader", "", "Bring them early, the first boats are the best ones.", 1),
    (
        "lanternfan",
        "Early is right",
        "And stand on the steps, not the quay: you see the reflections better.",
        2,
    ),
    ("quaywalker", "", "Good tip, thank you. Which side of the steps?", 3),
    (
        "lanternfan",
        "",
        "The left side, facing the water. The right side is where the band sets up.",
        4,
    ),
    (
        "reader",
        "",
        "Confirmed, I stood on the right side once and saw mostly trombones.",
        5,
    ),
    (
        "ferrynerd",
        "About the ferry",
        "Normal timetable means the last boat is at 23:10, so plan your way home.",
        None,
    ),
    ("quaywalker", "", "Is there an extra late boat on Saturday?", 7),
    ("ferrynerd", "", "Not announced yet. Last time there was one at midnight.", 8),
    (
        "marta_k",
        "",
        "I asked at the ticket office: yes, a midnight boat on Saturday only.",
        9,
    ),
    ("ferrynerd", "", "Great, thanks for checking!", 10),
    (
        "lanternfan",
        "The rebuilt frames",
        "The film is lovely. Those frames are bamboo and wire, all tied by hand.",
        None,
    ),
    (
        "marta_k",
        "",
        "My neighbour volunteered. She said each big lantern took a weekend.",
        12,
    ),
    ("reader", "", "A weekend each? How many are there?", 13),
    (
        "marta_k",
        "",
        "Forty big ones and a few hundred small ones, if I remember right.",
        14,
    ),
    ("lanternfan", "", "That matches what they said on the radio.", 15),
    (
        "oldsalt",
        "",
        "We used wire and rice paper when I was young. Nothing changes, and that is good.",
        12,
    ),
    ("lanternfan", "", "Did you carry one in the procession?", 17),
    ("oldsalt", "", "Every year for twenty years. My arms still remember.", 18),
    (
        "reader",
        "",
        "That is wonderful. You should tell the organisers, they collect stories.",
        19,
    ),
    ("oldsalt", "", "Maybe I will. Thank you.", 20),
    (
        "marta_k",
        "Cups",
        "Good call on the cups. Last time the quay was covered in plastic.",
        None,
    ),
    ("quaywalker", "", "Is there a deposit scheme, or do we really bring our own?", 22),
    (
        "marta_k",
        "",
        "Bring your own. There is a stall that lends cups for a small deposit too.",
        23,
    ),
    (
        "ferrynerd",
        "",
        "I will bring the big thermos. Tea for everyone on the steps.",
        24,
    ),
    ("lanternfan", "", "Left side of the steps, remember!", 25),
    (
        "reader",
        "Road closures",
        "Does the closure include the bridge, or only the quay road?",
        None,
    ),
    ("oldsalt", "", "Only the quay road. The bridge stays open for buses.", 27),
    ("reader", "", "Thanks. Buses it is.", 28),
    ("quaywalker", "", "Number 4 stops right at the fish market.", 29),
    (
        "ferrynerd",
        "",
        "And the 11 from the station, every ten minutes in the evening.",
        30,
    ),
    (
        "marta_k",
        "Photos",
        "Will someone post photos afterwards? I work Friday evening.",
        None,
    ),
    ("reader", "", "I will, I am taking the good camera.", 32),
    ("marta_k", "", "Thank you! Saturday photos would be great too.", 33),
    ("lanternfan", "", "I can do Saturday. We can put them in one post.", 34),
]

GARDEN_POST_TITLE = "First frost on the allotment"

GARDEN_POST_BODY = """\
<p>The first frost came last night. The dahlias are finished, the leeks do not
care, and the last green tomatoes are ripening on the kitchen windowsill.</p>
<ul>
  <li>Lift and dry the dahlia tubers this week.</li>
  <li>Mulch the rhubarb crowns.</li>
  <li>Cover the compost heap before the rain.</li>
</ul>
<p>Visitors are welcome to leave a note, no account needed.</p>
"""

GARDEN_POST_TAGS = ["frost", "allotment diary", "winter jobs"]

GARDEN_DISCUSSION = [
    (None, "", "Green tomatoes in a paper bag with a banana ripen in days.", None),
    ("reader", "", "I tried that last year, it really works.", 0),
    (None, "Leeks", "Which leek variety survives the frost best for you?", None),
]
